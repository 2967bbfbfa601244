package io.starlet.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.starlet.testing.Mutations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The two readers of a chunked body, on mutated bodies: the acceptor's {@link ChunkedBodyScanner},
 * which decides how many bytes belong to the request before a worker runs it, and the worker's
 * strict {@link ChunkedInputStream}, which decodes them. If they disagreed on where a body ends,
 * the bytes between the two ends would be read as the next request: request smuggling. So for
 * every input, fed to the scanner in random pieces:
 * <ul>
 * <li>the decoder never reads a byte past the end the scanner found;</li>
 * <li>when the decoder accepts the body, it ended exactly there;</li>
 * <li>when the scanner wants more bytes, the decoder does not accept the body either;</li>
 * <li>neither throws anything but an {@link IOException} (the decoder's refusals, a 400 or 413).</li>
 * </ul>
 * Each body is followed by the start of a pipelined request, so that a reader that runs long has
 * bytes to run into. The seed is fixed, so a failure prints an input that reproduces it.
 */
class ChunkedFramingFuzzTest {

	private static final int MAX_LINE = 64;

	private static final int MAX_TRAILERS = 128;

	private static final long MAX_BODY = 4096;

	private static final String[] SEEDS = {
		"5\r\nhello\r\n0\r\n\r\n",
		"3\r\nabc\r\n3;name=value\r\ndef\r\n0\r\n\r\n",
		"a\r\n0123456789\r\n1\r\nx\r\n0\r\nChecksum: 1\r\nX-Trailer: a, b\r\n\r\n",
		"1;a=\"q;uoted\\\"\"\r\n!\r\n0\r\n\r\n",
		"0\r\n\r\n",
		"00000F\r\n0123456789abcde\r\n0;last\r\n\r\n",
	};

	private static final byte[] INTERESTING = " \t\r\n;=\",0123456789abcdefABCDEFgx-+:\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);

	private static final byte[] NEXT_REQUEST = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

	@Test
	@DisplayName("100,000 mutated chunked bodies: the decoder accepts a body only where the scanner ends it")
	void mutatedBodies() {
		SplittableRandom random = new SplittableRandom(4_2026_1205L);
		int accepted = 0;
		int refused = 0;
		for (int round = 0; round < 100_000; round++) {
			byte[] body = Mutations.edited(SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1),
					INTERESTING, 3, random);
			byte[] input = new byte[body.length + NEXT_REQUEST.length];
			System.arraycopy(body, 0, input, 0, body.length);
			System.arraycopy(NEXT_REQUEST, 0, input, body.length, NEXT_REQUEST.length);
			int end = scan(input, random);
			Decoded decoded = decode(input);
			if (end == -2) {
				// refused by the scanner (413): the request is answered without a worker
				refused++;
				continue;
			}
			int limit = (end < 0) ? input.length : end;
			if (decoded.consumed > limit) {
				fail("the decoder read %d bytes, past the scanner's end at %d: %s", decoded.consumed, end, Mutations.literal(input));
			}
			if (decoded.accepted) {
				accepted++;
				if (end < 0) {
					fail("the decoder accepted a body of %d bytes the scanner has not seen end: %s", decoded.consumed,
							Mutations.literal(input));
				}
				assertThat(decoded.consumed).as("where the decoder ends %s", Mutations.literal(input)).isEqualTo(end);
			}
			else {
				refused++;
			}
		}
		// the mutations must keep reaching both sides, or this test proves nothing
		assertThat(accepted).isGreaterThan(10_000);
		assertThat(refused).isGreaterThan(10_000);
	}

	/** The scanner's end, -1 if it wants more, -2 if it refused (413); fed in random pieces. */
	private static int scan(byte[] input, SplittableRandom random) {
		ChunkedBodyScanner scanner = new ChunkedBodyScanner(MAX_LINE, MAX_TRAILERS, MAX_BODY);
		int from = 0;
		try {
			while (from < input.length) {
				int to = Math.min(input.length, from + 1 + random.nextInt(16));
				int end = scanner.scan(input, from, to);
				if (end >= 0) {
					assertThat(scanner.isDone()).isTrue();
					return end;
				}
				from = to;
			}
			return -1;
		}
		catch (BadRequestException ex) {
			assertThat(ex.violation()).isEqualTo(Violation.CONTENT_TOO_LARGE);
			return -2;
		}
		catch (RuntimeException ex) {
			throw new AssertionError("the scanner threw " + ex + ": " + Mutations.literal(input), ex);
		}
	}

	private record Decoded(boolean accepted, int consumed) {
	}

	/** Decodes the body as a worker does; counts the bytes it took from the connection. */
	private static Decoded decode(byte[] input) {
		CountingStream source = new CountingStream(input);
		try (ChunkedInputStream chunked = new ChunkedInputStream(source, MAX_LINE, MAX_TRAILERS, MAX_BODY)) {
			byte[] sink = new byte[37];
			while (chunked.read(sink, 0, sink.length) >= 0) {
				// drained as an application would read it
			}
			return new Decoded(true, source.consumed);
		}
		catch (IOException ex) {
			return new Decoded(false, source.consumed);
		}
		catch (RuntimeException ex) {
			throw new AssertionError("the decoder threw " + ex + ": " + Mutations.literal(input), ex);
		}
	}

	/** The connection's bytes as the decoder sees them, counting what it took. */
	private static final class CountingStream extends InputStream {

		private final ByteArrayInputStream in;

		int consumed;

		CountingStream(byte[] bytes) {
			this.in = new ByteArrayInputStream(bytes);
		}

		@Override
		public int read() {
			int b = this.in.read();
			if (b >= 0) {
				this.consumed++;
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) {
			int n = this.in.read(b, off, len);
			if (n > 0) {
				this.consumed += n;
			}
			return n;
		}

		@Override
		public int available() {
			return this.in.available();
		}

	}
}
