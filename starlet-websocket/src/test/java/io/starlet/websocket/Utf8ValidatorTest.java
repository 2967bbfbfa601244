package io.starlet.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UTF-8 edge cases (RFC 3629 §4, RFC 6455 §8.1), checked against the JDK's strict decoder as the
 * oracle, whole and split at every point.
 */
class Utf8ValidatorTest {

	@ParameterizedTest
	@ValueSource(strings = { "", "00", "7f", "c280", "dfbf", "e0a080", "efbfbf", "e8b4a7", "ed9fbf", "ee8080",
			"f0908080", "f48fbfbf", "f3bfbfbf", "cebae1bdb9cf83cebcceb5", "efbbbf" })
	void validSequences(String hex) {
		assertValidity(hex, true);
	}

	@ParameterizedTest
	@ValueSource(strings = {
			// stray continuation bytes and bytes that never occur
			"80", "bf", "c0", "c1", "f5", "f8", "fe", "ff",
			// overlong forms of '/', NUL, U+07FF, U+FFFF
			"c0af", "c080", "e080af", "e09fbf", "f08080af", "f08fbfbf",
			// UTF-16 surrogates, single and paired
			"eda080", "edbfbf", "eda080edb080",
			// beyond U+10FFFF
			"f4908080", "f7bfbfbf",
			// truncated sequences
			"c2", "e282", "f09f98", "e2", "f0",
			// a lead byte where a continuation is due, and vice versa
			"c2c2", "e241ac", "f09f4180", "41c2" })
	void invalidSequences(String hex) {
		assertValidity(hex, false);
	}

	@Test
	void randomBytesAgreeWithTheJdkDecoder() {
		Random random = new Random(42);
		for (int i = 0; i < 20000; i++) {
			byte[] bytes = new byte[random.nextInt(12)];
			for (int j = 0; j < bytes.length; j++) {
				// Bias towards the interesting bytes: lead bytes and continuations.
				bytes[j] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(256));
			}
			assertValidity(bytes, jdkAccepts(bytes));
		}
	}

	@Test
	void everyCodePointIsAccepted() {
		StringBuilder all = new StringBuilder();
		for (int cp = 0; cp <= 0x10FFFF; cp++) {
			if (cp < 0xD800 || cp > 0xDFFF) {
				all.appendCodePoint(cp);
			}
		}
		byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
		Utf8Validator validator = new Utf8Validator();
		for (int off = 0; off < bytes.length; off += 7) {
			assertThat(validator.accept(bytes, off, Math.min(7, bytes.length - off))).isTrue();
		}
		assertThat(validator.isComplete()).isTrue();
	}

	@Test
	void staysInvalidOnceInvalid() {
		Utf8Validator validator = new Utf8Validator();
		assertThat(validator.accept(new byte[] { (byte) 0xFF }, 0, 1)).isFalse();
		assertThat(validator.accept(new byte[] { 'a' }, 0, 1)).isFalse();
		assertThat(validator.isComplete()).isFalse();
		validator.reset();
		assertThat(validator.accept(new byte[] { 'a' }, 0, 1)).isTrue();
		assertThat(validator.isComplete()).isTrue();
	}

	private static void assertValidity(String hex, boolean valid) {
		byte[] bytes = java.util.HexFormat.of().parseHex(hex);
		assertThat(jdkAccepts(bytes)).as("JDK oracle for %s", hex).isEqualTo(valid);
		assertValidity(bytes, valid);
	}

	private static void assertValidity(byte[] bytes, boolean valid) {
		String hex = ClientFrames.hex(bytes);
		assertThat(Utf8Validator.isValid(bytes, 0, bytes.length)).as("whole %s", hex).isEqualTo(valid);
		for (int split = 0; split <= bytes.length; split++) {
			Utf8Validator validator = new Utf8Validator();
			boolean ok = validator.accept(bytes, 0, split) && validator.accept(bytes, split, bytes.length - split)
					&& validator.isComplete();
			assertThat(ok).as("%s split at %d", hex, split).isEqualTo(valid);
		}
	}

	private static boolean jdkAccepts(byte[] bytes) {
		try {
			StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes));
			return true;
		}
		catch (CharacterCodingException ex) {
			return false;
		}
	}

}
