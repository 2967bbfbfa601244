package io.starlet.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The scan that finds a chunked body's end while it arrives must agree with the strict decoder:
 * the same end for every valid body, fed in any pieces, and for a malformed one an end at or
 * after the point where the decoder fails, so the decoder never needs a byte not yet collected.
 */
class ChunkedBodyScannerTest {

	private static final String NEXT = "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";

	static Stream<String> validBodies() {
		return Stream.of("0\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", "5;a=b\r\nhello\r\n6 ; q=\"x;y\"\r\n world\r\n0\r\n\r\n",
				"A\r\n0123456789\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n", "000\r\n\r\n",
				"3\r\n\r\n\r\r\n0\r\n\r\n");
	}

	@ParameterizedTest
	@MethodSource("validBodies")
	void findsTheEndOfAValidBodyInAnyPieces(String body) throws IOException {
		byte[] bytes = (body + NEXT).getBytes(StandardCharsets.ISO_8859_1);
		for (int piece = 1; piece <= bytes.length; piece++) {
			ChunkedBodyScanner scanner = new ChunkedBodyScanner(4096, 8192, -1);
			int end = -1;
			for (int from = 0; from < bytes.length && end < 0; from += piece) {
				end = scanner.scan(bytes, from, Math.min(bytes.length, from + piece));
			}
			assertThat(end).as("end with pieces of %d", piece).isEqualTo(body.length());
			assertThat(scanner.isDone()).isTrue();
		}
		assertThat(strictDecoderConsumes(bytes)).isEqualTo(body.length());
	}

	static Stream<Arguments> malformedBodies() {
		return Stream.of(Arguments.of("bare LF in a chunk line", "2;\nxx\r\n45\r\n0\r\n\r\n"),
				Arguments.of("data not followed by CRLF", "2\r\nxxx\r\n0\r\n\r\n"),
				Arguments.of("0x prefix", "0x2\r\nxx\r\n0\r\n\r\n"),
				Arguments.of("overflowing size", "ffffffffffffffff1\r\nxx\r\n0\r\n\r\n"),
				Arguments.of("no size", "\r\nxx\r\n0\r\n\r\n"),
				Arguments.of("bare LF in the trailers", "0\r\nA: b\n\r\n"),
				Arguments.of("bare LF ending the trailers", "0\r\n\n"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedBodies")
	void endsAMalformedBodyWhereTheStrictDecoderHasAlreadyFailed(String rule, String body) throws IOException {
		byte[] bytes = (body + NEXT + "x".repeat(100)).getBytes(StandardCharsets.ISO_8859_1);
		int end = new ChunkedBodyScanner(4096, 8192, -1).scan(bytes, 0, bytes.length);
		assertThat(end).as("the scan ends inside what has arrived").isPositive();
		ChunkedInputStream strict = new ChunkedInputStream(new ByteArrayInputStream(bytes, 0, end), 4096, 8192, -1);
		assertThat(catchThrowable(strict::readAllBytes)).isInstanceOf(BadRequestException.class);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 3, 1000 })
	void refusesABodyWhoseChunksCrossTheLimit(int piece) {
		byte[] bytes = "6\r\nhello,\r\n6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
		ChunkedBodyScanner scanner = new ChunkedBodyScanner(4096, 8192, 10);
		assertThatExceptionOfType(BadRequestException.class).isThrownBy(() -> {
			for (int from = 0; from < bytes.length; from += piece) {
				scanner.scan(bytes, from, Math.min(bytes.length, from + piece));
			}
		}).satisfies((ex) -> assertThat(ex.violation()).isEqualTo(Violation.CONTENT_TOO_LARGE))
			.withMessageContaining("max-request-body-size");
	}

	@ParameterizedTest
	@ValueSource(strings = { "1;" + "x", "0\r\nA: " })
	void endsAtAnOverlongLineOrTrailerSection(String start) throws IOException {
		byte[] bytes = (start + "y".repeat(10_000)).getBytes(StandardCharsets.ISO_8859_1);
		assertThat(new ChunkedBodyScanner(100, 100, -1).scan(bytes, 0, bytes.length)).isBetween(1, 300);
	}

	/** How many bytes the strict decoder reads to decode the body and its trailers. */
	private static int strictDecoderConsumes(byte[] bytes) throws IOException {
		ByteArrayInputStream source = new ByteArrayInputStream(bytes);
		InputStream decoder = new ChunkedInputStream(source, 4096, 8192, -1);
		decoder.readAllBytes();
		return bytes.length - source.available();
	}

}
