package io.starlet.http;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared character classes, and the eight-bytes-at-a-time tests checked against byte-by-byte truth. */
class TokensTest {

	@Test
	@DisplayName("RFC 9110 §5.6.2: tchar is exactly ALPHA / DIGIT / !#$%&'*+-.^_`|~")
	void tchar() {
		String tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
		for (int c = -1; c < 300; c++) {
			assertThat(Tokens.isTchar(c)).as("char %d", c).isEqualTo(c >= 0 && c < 128 && tchars.indexOf(c) >= 0);
		}
		assertThat(Tokens.isToken("Content-Length")).isTrue();
		assertThat(Tokens.isToken("")).isFalse();
		assertThat(Tokens.isToken("a b")).isFalse();
		assertThat(Tokens.isToken("caf\u00e9")).isFalse();
	}

	@Test
	@DisplayName("Word tests agree with the byte-by-byte definition for every byte at every position")
	void wordTestsForEveryByteAtEveryPosition() {
		byte[] buf = new byte[8];
		for (int filler : new int[] { 'a', ' ', 0x80, 0xff, 0x21, 0x7e, 0x20 }) {
			for (int position = 0; position < 8; position++) {
				for (int b = 0; b < 256; b++) {
					java.util.Arrays.fill(buf, (byte) filler);
					buf[position] = (byte) b;
					assertWordTests(buf);
				}
			}
		}
	}

	@Test
	@DisplayName("Word tests agree with the byte-by-byte definition on a million random words")
	void wordTestsOnRandomWords() {
		SplittableRandom random = new SplittableRandom(42);
		byte[] buf = new byte[8];
		for (int n = 0; n < 1_000_000; n++) {
			long bits = random.nextLong();
			ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).putLong(bits);
			// Bias towards the interesting range so that borrows between bytes are exercised.
			if ((n & 1) == 0) {
				for (int i = 0; i < 8; i++) {
					buf[i] = (byte) (buf[i] & 0x7f);
				}
			}
			assertWordTests(buf);
		}
	}

	private static void assertWordTests(byte[] buf) {
		int firstCrOrLf = -1;
		int firstCtlOrDel = -1;
		for (int i = 7; i >= 0; i--) {
			int c = buf[i] & 0xff;
			if (c == '\r' || c == '\n') {
				firstCrOrLf = i;
			}
			if (c < 0x20 || c == 0x7f) {
				firstCtlOrDel = i;
			}
		}
		long w = Tokens.word(buf, 0);
		assertFirst(Tokens.crOrLf(w), firstCrOrLf, "CR/LF", buf);
		assertFirst(Tokens.ctlOrDel(w), firstCtlOrDel, "CTL/DEL", buf);
	}

	private static void assertFirst(long mask, int expected, String what, byte[] buf) {
		if (expected < 0) {
			assertThat(mask).as("no %s in %s", what, java.util.Arrays.toString(buf)).isZero();
		}
		else {
			assertThat(mask).as("%s in %s", what, java.util.Arrays.toString(buf)).isNotZero();
			assertThat(Tokens.firstByte(mask)).as("first %s in %s", what, java.util.Arrays.toString(buf)).isEqualTo(expected);
		}
	}

	@Test
	@DisplayName("RFC 9110 §7.2: Host and authority syntax")
	void host() {
		for (String ok : new String[] { "example.com", "example.com:8080", "127.0.0.1", "[::1]", "[::1]:80", "a-b_c~d%20e",
				"x:" }) {
			assertThat(host(ok, false)).as(ok).isTrue();
		}
		for (String bad : new String[] { "", ":80", "a b", "u@h", "h/p", "h?q", "h#f", "h:8x", "h:123456", "[::1", "[]",
				"[::1]x", "h:80:80", "caf\u00e9" }) {
			assertThat(host(bad, false)).as(bad).isFalse();
		}
		assertThat(host("example.com:443", true)).isTrue();
		assertThat(host("example.com", true)).isFalse();
		assertThat(host("example.com:", true)).isFalse();
	}

	private static boolean host(String s, boolean portRequired) {
		byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
		return Tokens.isHost(b, 0, b.length, portRequired);
	}

}
