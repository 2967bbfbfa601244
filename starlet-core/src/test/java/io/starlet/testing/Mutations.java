package io.starlet.testing;

import java.util.SplittableRandom;

/**
 * Random edits of valid protocol bytes, for tests that check what a parser does with input
 * nobody wrote by hand. Every edit returns a new array.
 */
public final class Mutations {

	private Mutations() {
	}

	/** Bytes as a Java string literal, so that a failing generated input can be pasted into a test. */
	public static String literal(byte[] bytes) {
		StringBuilder out = new StringBuilder("\"");
		for (byte b : bytes) {
			int c = b & 0xff;
			switch (c) {
				case '\r' -> out.append("\\r");
				case '\n' -> out.append("\\n");
				case '\t' -> out.append("\\t");
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				default -> out.append((c >= 0x20 && c < 0x7f) ? String.valueOf((char) c) : String.format("\\u%04x", c));
			}
		}
		return out.append('"').toString();
	}

	/** A copy of {@code bytes} with the byte at {@code at} replaced by {@code b}. */
	public static byte[] replaced(byte[] bytes, int at, byte b) {
		byte[] out = bytes.clone();
		out[at] = b;
		return out;
	}

	/** A copy of {@code bytes} with {@code inserted} inserted at {@code at}. */
	public static byte[] inserted(byte[] bytes, int at, byte[] inserted) {
		byte[] out = new byte[bytes.length + inserted.length];
		System.arraycopy(bytes, 0, out, 0, at);
		System.arraycopy(inserted, 0, out, at, inserted.length);
		System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
		return out;
	}

	/** A copy of {@code bytes} without (up to) {@code count} bytes from {@code at}. */
	public static byte[] deleted(byte[] bytes, int at, int count) {
		int n = Math.min(count, bytes.length - at);
		byte[] out = new byte[bytes.length - n];
		System.arraycopy(bytes, 0, out, 0, at);
		System.arraycopy(bytes, at + n, out, at, bytes.length - at - n);
		return out;
	}

	/** One to {@code most} edits: a byte replaced by one of {@code interesting} or any byte, inserted, or deleted. */
	public static byte[] edited(byte[] seed, byte[] interesting, int most, SplittableRandom random) {
		byte[] bytes = seed;
		int edits = 1 + random.nextInt(most);
		for (int e = 0; e < edits && bytes.length > 0; e++) {
			int at = random.nextInt(bytes.length);
			bytes = switch (random.nextInt(4)) {
				case 0 -> replaced(bytes, at, interesting[random.nextInt(interesting.length)]);
				case 1 -> inserted(bytes, at, new byte[] { interesting[random.nextInt(interesting.length)] });
				case 2 -> deleted(bytes, at, 1 + random.nextInt(3));
				default -> replaced(bytes, at, (byte) random.nextInt(256));
			};
		}
		return bytes;
	}

}
