package io.starlet.http;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.starlet.http.Violation.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The chunked decoder (RFC 9112 §7.1), from byte arrays. Chunk lines, chunk data and trailers
 * end in CRLF only: RFC 9112 §2.2's LF tolerance covers the head, and a lenient chunk parser
 * is exactly what the chunk-extension smuggling attacks of 2025 (Tomcat, Jetty, Netty) used.
 */
class ChunkedInputStreamTest {

	private static final int MAX_TRAILERS = 1024;

	static Stream<Arguments> acceptedBodies() {
		return Stream.of(
				Arguments.of("RFC 9112 §7.1: one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello"),
				Arguments.of("RFC 9112 §7.1: several chunks", "5\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\n\r\n", "hello, world"),
				Arguments.of("RFC 9112 §7.1: empty body", "0\r\n\r\n", ""),
				Arguments.of("RFC 9112 §7.1: hex digits in either case", "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n",
						"01234567890123456789"),
				Arguments.of("RFC 9112 §7.1: leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello"),
				Arguments.of("RFC 9112 §7.1.1: extensions with and without values", "5;a=b;c\r\nhello\r\n0;last\r\n\r\n", "hello"),
				Arguments.of("RFC 9112 §7.1.1: BWS around ';' and '='", "5 \t; a = b ;c\r\nhello\r\n0\r\n\r\n", "hello"),
				Arguments.of("RFC 9112 §7.1.1: quoted-string value with ';', escapes and obs-text",
						"5;a=\"x;y\\\"z\\\\ caf\u00e9\"\r\nhello\r\n0\r\n\r\n", "hello"),
				Arguments.of("RFC 9112 §7.1: chunk data may contain CR, LF and '0'", "5\r\n\r\n0\r\n\r\n0\r\n\r\n", "\r\n0\r\n"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("acceptedBodies")
	void accepts(String rule, String wire, String body) throws IOException {
		ByteArrayInputStream source = source(wire + "NEXT");
		ChunkedInputStream in = new ChunkedInputStream(source, MAX_TRAILERS);
		assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo(body);
		assertThat(in.isFinished()).isTrue();
		assertThat(in.read()).isEqualTo(-1);
		// The decoder stops exactly at the end of the body: the next request is untouched.
		assertThat(new String(source.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("NEXT");
	}

	@Test
	@DisplayName("RFC 9112 §7.1: byte-by-byte reads decode the same body")
	void singleByteReads() throws IOException {
		ChunkedInputStream in = new ChunkedInputStream(source("3;x=\"y\"\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), MAX_TRAILERS);
		StringBuilder sb = new StringBuilder();
		int c;
		while ((c = in.read()) >= 0) {
			sb.append((char) c);
		}
		assertThat(sb).hasToString("abcde");
	}

	@Test
	@DisplayName("RFC 9112 §7.1.2: trailers are parsed, trimmed and exposed")
	void trailers() throws IOException {
		ChunkedInputStream in = new ChunkedInputStream(
				source("5\r\nhello\r\n0\r\nX-Checksum:  abc \t\r\nX-Other:\r\nx-checksum: def\r\n\r\n"), MAX_TRAILERS);
		assertThat(in.readAllBytes()).hasSize(5);
		assertThat(in.trailers().getAll("X-CHECKSUM")).containsExactly("abc", "def");
		assertThat(in.trailers().get("X-Other")).isEmpty();
		assertThat(in.trailers().size()).isEqualTo(3);
	}

	static Stream<Arguments> refusedBodies() {
		return Stream.of(
				// Chunk size
				Arguments.of("RFC 9112 §7.1: empty chunk size", "\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: '0x' prefix", "0x5\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: '+' sign", "+5\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: '-' sign", "-5\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: not hex", "g\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: whitespace before the size", " 5\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: whitespace after the size without an extension", "5 \r\nhello\r\n0\r\n\r\n",
						INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1: size overflow (17 hex digits)", "10000000000000000\r\nx\r\n0\r\n\r\n", INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: size overflow (16 f)", "ffffffffffffffff\r\nx\r\n0\r\n\r\n", INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: size overflow to a small value", "100000000000000005\r\nhello\r\n0\r\n\r\n",
						INVALID_CHUNK_SIZE),
				Arguments.of("RFC 9112 §7.1: endless leading zeros", "0".repeat(5000) + "5\r\nhello\r\n0\r\n\r\n",
						INVALID_CHUNK_EXTENSION),
				// Line ends in chunk lines
				Arguments.of("RFC 9112 §7.1: bare LF after the size", "5\nhello\r\n0\r\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1: bare CR after the size", "5\rhello\r\n0\r\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1: bare LF after the data", "5\r\nhello\n0\r\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1: bare CR after the data", "5\r\nhello\r0\r\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1: nothing after the data", "5\r\nhello0\r\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1: chunk data overrun", "5\r\nhello, world\r\n0\r\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1: bare LF after the last chunk", "0\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1: bare LF as the final empty line", "0\r\n\n", INVALID_TRAILER),
				Arguments.of("RFC 9112 §7.1: bare CR as the final empty line", "0\r\n\rX", INVALID_TRAILER),
				// Chunk extensions: the 2025 request-smuggling class (bytes hidden in an extension)
				Arguments.of("RFC 9112 §7.1.1: bare LF inside an extension", "5;a=b\nhello\r\n0\r\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1.1: bare LF ending a name-only extension", "5;ext\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n",
						INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1.1: bare CR inside an extension", "5;a\rb\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_TERMINATOR),
				Arguments.of("RFC 9112 §7.1.1: LF inside a quoted extension", "5;a=\"b\nc\"\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: CR inside a quoted extension", "5;a=\"b\rc\"\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: NUL inside a quoted extension", "5;a=\"b\u0000\"\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: escaped LF inside a quoted extension", "5;a=\"\\\n\"\r\nhello\r\n0\r\n\r\n",
						INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: unterminated quoted extension", "5;a=\"bc\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: extension without a name", "5;=b\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: ';' alone", "5;\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: '=' without a value", "5;a=\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: two tokens without ';'", "5;a b\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: a non-token name", "5;a(b)\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: extensions longer than the bound", "5;a=\"" + "x".repeat(5000) + "\"\r\nhello\r\n0\r\n\r\n",
						INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: endless BWS", "5" + " ".repeat(5000) + ";a\r\nhello\r\n0\r\n\r\n", INVALID_CHUNK_EXTENSION),
				Arguments.of("RFC 9112 §7.1.1: many short extensions beyond the bound", "5" + ";a".repeat(3000) + "\r\nhello\r\n0\r\n\r\n",
						INVALID_CHUNK_EXTENSION),
				// Trailers (RFC 9112 §7.1.2, RFC 9110 §6.5.1)
				Arguments.of("RFC 9110 §6.5.1: Content-Length in a trailer", "0\r\nContent-Length: 5\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9110 §6.5.1: Transfer-Encoding in a trailer", "0\r\ntransfer-encoding: chunked\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9110 §6.5.1: Host in a trailer", "0\r\nHost: evil\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9110 §6.5.1: Connection in a trailer", "0\r\nConnection: close\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9110 §6.5.1: Trailer in a trailer", "0\r\nTrailer: X\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9110 §6.5.1: Content-Type in a trailer", "0\r\nContent-Type: text/plain\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9112 §5.2: obs-fold in a trailer", "0\r\nX: a\r\n b\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9112 §5.1: whitespace before the colon in a trailer", "0\r\nX : a\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9112 §5: trailer without a colon", "0\r\nX\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9110 §5.5: NUL in a trailer value", "0\r\nX: a\u0000\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9112 §2.2: bare LF ending a trailer", "0\r\nX: a\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 9112 §2.2: bare CR inside a trailer", "0\r\nX: a\rContent-Length: 5\r\n\r\n", INVALID_TRAILER),
				Arguments.of("RFC 6585 §5: trailer section larger than the bound", "0\r\nX: " + "a".repeat(MAX_TRAILERS) + "\r\n\r\n",
						INVALID_TRAILER));
	}

	@ParameterizedTest(name = "{0} -> {2}")
	@MethodSource("refusedBodies")
	void refuses(String rule, String wire, Violation expected) {
		ChunkedInputStream in = new ChunkedInputStream(source(wire), MAX_TRAILERS);
		BadRequestException ex = catchThrowableOfType(in::readAllBytes, BadRequestException.class);
		assertThat(ex).as("refused").isNotNull();
		assertThat(ex.violation()).isEqualTo(expected);
		assertThat(in.hasFailed()).isTrue();
		// The failure sticks: no later read can resynchronise on attacker-chosen bytes.
		assertThatExceptionOfType(BadRequestException.class).isThrownBy(in::read);
	}

	static Stream<Arguments> truncatedBodies() {
		return Stream.of(
				Arguments.of("RFC 9112 §7.1: missing final CRLF", "5\r\nhello\r\n0\r\n"),
				Arguments.of("RFC 9112 §7.1: missing last chunk", "5\r\nhello\r\n"),
				Arguments.of("RFC 9112 §7.1: cut inside chunk data", "5\r\nhel"),
				Arguments.of("RFC 9112 §7.1: cut inside a size line", "5"),
				Arguments.of("RFC 9112 §7.1: cut inside a trailer", "0\r\nX: y"),
				Arguments.of("RFC 9112 §7.1: cut inside a quoted extension", "5;a=\"b"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("truncatedBodies")
	void truncatedBodyIsAnError(String rule, String wire) {
		ChunkedInputStream in = new ChunkedInputStream(source(wire), MAX_TRAILERS);
		assertThatExceptionOfType(EOFException.class).isThrownBy(in::readAllBytes);
		assertThat(in.hasFailed()).isTrue();
		assertThat(in.isFinished()).isFalse();
	}

	@Test
	@DisplayName("RFC 9110 §15.5.14: a chunked body larger than the maximum is 413 before its data is read")
	void bodyLimit() throws IOException {
		ChunkedInputStream exact = new ChunkedInputStream(source("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"), 4096, MAX_TRAILERS, 10);
		assertThat(exact.readAllBytes()).hasSize(10);
		ChunkedInputStream over = new ChunkedInputStream(source("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n"), 4096, MAX_TRAILERS, 10);
		byte[] buf = new byte[100];
		assertThat(over.read(buf)).isEqualTo(5);
		assertThat(catchThrowableOfType(() -> over.read(buf), BadRequestException.class).violation()).isEqualTo(CONTENT_TOO_LARGE);
		ChunkedInputStream huge = new ChunkedInputStream(source("7fffffffffffffff\r\n"), 4096, MAX_TRAILERS, 10);
		assertThat(catchThrowableOfType(huge::read, BadRequestException.class).violation()).isEqualTo(CONTENT_TOO_LARGE);
	}

	@Test
	@DisplayName("RFC 9112 §7.1: a read never takes bytes beyond the current chunk")
	void readsStopAtChunkBoundaries() throws IOException {
		InputStream in = new ChunkedInputStream(source("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), MAX_TRAILERS);
		byte[] buf = new byte[100];
		assertThat(in.read(buf, 0, 100)).isEqualTo(3);
		assertThat(in.read(buf, 0, 100)).isEqualTo(2);
		assertThat(in.read(buf, 0, 100)).isEqualTo(-1);
		assertThat(in.read(buf, 0, 0)).isZero();
	}

	private static ByteArrayInputStream source(String wire) {
		return new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1));
	}

}
