package io.starlet.websocket;

/**
 * An incremental, allocation-free UTF-8 validator (RFC 3629 §4, as RFC 6455 §8.1 requires):
 * fed a text message in any pieces — a code point may be split between frames — it says as soon
 * as a byte cannot continue well-formed UTF-8: a stray continuation byte, C0/C1 or F5–FF, an
 * overlong form (E0 80–9F, F0 80–8F), a surrogate (ED A0–BF) or a code point above U+10FFFF
 * (F4 90–BF). {@link #isComplete()} then tells whether the message ended between code points.
 */
final class Utf8Validator {

	/** Continuation bytes still expected for the current code point; -1 once invalid. */
	private int remaining;

	/** Bounds of the next continuation byte (narrower than 80–BF only right after a lead byte). */
	private int lower = 0x80;

	private int upper = 0xBF;

	/** Validates {@code buf[off, off + len)}, continuing from earlier calls; false when invalid. */
	boolean accept(byte[] buf, int off, int len) {
		int remaining = this.remaining;
		if (remaining < 0) {
			return false;
		}
		int lower = this.lower;
		int upper = this.upper;
		int end = off + len;
		for (int i = off; i < end; i++) {
			int c = buf[i] & 0xFF;
			if (remaining == 0) {
				if (c < 0x80) {
					continue;
				}
				if (c >= 0xC2 && c <= 0xDF) {
					remaining = 1;
				}
				else if (c == 0xE0) {
					remaining = 2;
					lower = 0xA0; // below: overlong
				}
				else if (c == 0xED) {
					remaining = 2;
					upper = 0x9F; // above: UTF-16 surrogates
				}
				else if (c >= 0xE1 && c <= 0xEF) {
					remaining = 2;
				}
				else if (c == 0xF0) {
					remaining = 3;
					lower = 0x90; // below: overlong
				}
				else if (c >= 0xF1 && c <= 0xF3) {
					remaining = 3;
				}
				else if (c == 0xF4) {
					remaining = 3;
					upper = 0x8F; // above: beyond U+10FFFF
				}
				else {
					this.remaining = -1;
					return false;
				}
			}
			else {
				if (c < lower || c > upper) {
					this.remaining = -1;
					return false;
				}
				remaining--;
				lower = 0x80;
				upper = 0xBF;
			}
		}
		this.remaining = remaining;
		this.lower = lower;
		this.upper = upper;
		return true;
	}

	/** True when everything accepted so far is whole, valid UTF-8. */
	boolean isComplete() {
		return this.remaining == 0;
	}

	void reset() {
		this.remaining = 0;
		this.lower = 0x80;
		this.upper = 0xBF;
	}

	/** Whether {@code buf[off, off + len)} on its own is valid UTF-8. */
	static boolean isValid(byte[] buf, int off, int len) {
		Utf8Validator validator = new Utf8Validator();
		return validator.accept(buf, off, len) && validator.isComplete();
	}

}
