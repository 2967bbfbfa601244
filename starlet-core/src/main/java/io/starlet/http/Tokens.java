package io.starlet.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The character classes of RFC 9110 §5.6, as one set of lookup tables shared by the request
 * parser, the chunked decoder and the response writer, so that "token" means the same everywhere.
 */
final class Tokens {

	private static final byte TCHAR = 1;

	private static final byte HOST = 2;

	/** A byte a request target may hold under the strict rule (see {@link #targetClass}). */
	private static final byte TARGET = 4;

	private static final byte HEX = 8;

	/** {@link #TARGET}, and the bytes the {@code UNSAFE_TARGET_CHARACTERS} leniency lets through. */
	private static final byte TARGET_RELAXED = 16;

	private static final byte[] CLASSES = new byte[256];

	static {
		for (int c = 'a'; c <= 'z'; c++) {
			CLASSES[c] |= TCHAR | HOST;
		}
		for (int c = 'A'; c <= 'Z'; c++) {
			CLASSES[c] |= TCHAR | HOST;
		}
		for (int c = '0'; c <= '9'; c++) {
			CLASSES[c] |= TCHAR | HOST | HEX;
		}
		for (int c = 'a'; c <= 'f'; c++) {
			CLASSES[c] |= HEX;
			CLASSES[c - 32] |= HEX;
		}
		for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
			CLASSES[c] |= TCHAR;
		}
		// RFC 3986 reg-name: unreserved / pct-encoded / sub-delims.
		for (char c : "-._~%!$&'()*+,;=".toCharArray()) {
			CLASSES[c] |= HOST;
		}
		// RFC 3986 §3.3, §3.4: a path is pchars and '/', a query pchars, '/' and '?', where
		// pchar = unreserved / pct-encoded / sub-delims / ":" / "@". One class serves both (a '?'
		// only ends the path) and the other forms too: "http://", "host:port", "*". What is left
		// of visible ASCII is what Tomcat refuses by default: '#' (a fragment never belongs in a
		// target), '"', '<', '>', '[', '\', ']', '^', '`', '{', '|', '}' ('[' and ']' are let
		// through around the IP literal of an authority, RequestParser#scanTarget).
		for (int c = 0x21; c <= 0x7e; c++) {
			if ("#\"<>[\\]^`{|}".indexOf(c) < 0) {
				CLASSES[c] |= TARGET | TARGET_RELAXED;
			}
		}
		// The leniency lets through what browsers and proxies send unescaped, like Tomcat's
		// relaxedPathChars and relaxedQueryChars, except '\': some front ends and file systems
		// read it as '/', so a path holding it means different things on either side of a proxy.
		for (char c : "\"<>[]^`{|}".toCharArray()) {
			CLASSES[c] |= TARGET_RELAXED;
		}
	}

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

	private static final long ONES = 0x0101010101010101L;

	private static final long HIGHS = 0x8080808080808080L;

	private Tokens() {
	}

	// Eight bytes at a time ("SWAR"): a head is mostly long runs of ordinary bytes, and these tell
	// in one step that none of the next eight is a byte the parser must stop at. Each test is
	// exact for the word as a whole (which byte matched is not needed: the caller then looks at
	// the bytes one by one).

	/** The eight bytes at {@code buf[i]} as one little-endian long; {@code i + 8 <= buf.length}. */
	static long word(byte[] buf, int i) {
		return (long) LONGS.get(buf, i);
	}

	/**
	 * A mask with the high bit set in each byte of the word that is CR or LF, 0 if none. Only the
	 * lowest set bit is exact (a borrow may flag a byte above a match), which is all callers use:
	 * {@code numberOfTrailingZeros(mask) >>> 3} is the offset of the first CR or LF.
	 */
	static long crOrLf(long w) {
		long lf = w ^ (ONES * '\n');
		long cr = w ^ (ONES * '\r');
		return (((lf - ONES) & ~lf) | ((cr - ONES) & ~cr)) & HIGHS;
	}

	/** Like {@link #crOrLf}, for bytes that are a CTL (below 0x20, HTAB included) or DEL. */
	static long ctlOrDel(long w) {
		long del = w ^ (ONES * 0x7f);
		return (((w - ONES * 0x20) & ~w) | ((del - ONES) & ~del)) & HIGHS;
	}

	/** Offset (0–7) of the byte whose high bit is the lowest one set in a non-zero mask. */
	static int firstByte(long mask) {
		return Long.numberOfTrailingZeros(mask) >>> 3;
	}

	/** tchar (RFC 9110 §5.6.2); false for anything outside 0–255, including -1 (end of stream). */
	static boolean isTchar(int c) {
		return (c & ~0xff) == 0 && (CLASSES[c] & TCHAR) != 0;
	}

	static boolean isTchar(byte b) {
		return (CLASSES[b & 0xff] & TCHAR) != 0;
	}

	/** A non-empty token (RFC 9110 §5.6.2). */
	static boolean isToken(CharSequence s) {
		if (s == null || s.isEmpty()) {
			return false;
		}
		for (int i = 0; i < s.length(); i++) {
			if (!isTchar(s.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The class of request-target bytes for {@link #isTargetChar}: RFC 3986's path and query
	 * characters, or with {@code relaxed} also {@code " < > [ ] ^ ` { | }}. Chosen once per
	 * parser, so that checking a target byte stays one table lookup whichever the policy.
	 */
	static int targetClass(boolean relaxed) {
		return relaxed ? TARGET_RELAXED : TARGET;
	}

	/** A byte allowed in a request target under {@code targetClass} (from {@link #targetClass}). */
	static boolean isTargetChar(byte b, int targetClass) {
		return (CLASSES[b & 0xff] & targetClass) != 0;
	}

	/** A byte of an RFC 3986 reg-name (unreserved, pct-encoded, sub-delims). */
	static boolean isRegNameChar(byte b) {
		return (CLASSES[b & 0xff] & HOST) != 0;
	}

	/** The value of a hex digit, or -1. */
	static int hexValue(int c) {
		if ((c & ~0xff) != 0 || (CLASSES[c] & HEX) == 0) {
			return -1;
		}
		return (c <= '9') ? c - '0' : (c | 0x20) - 'a' + 10;
	}

	/** qdtext (RFC 9110 §5.6.4): HTAB, SP, visible ASCII except '"' and '\', obs-text. */
	static boolean isQdtext(int c) {
		return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)
				|| (c >= 0x80 && c <= 0xff);
	}

	/** The character after '\' in a quoted-pair (RFC 9110 §5.6.4). */
	static boolean isQuotedPairChar(int c) {
		return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
	}

	/**
	 * A Host value or an authority (RFC 9110 §7.2, RFC 3986 §3.2.2): reg-name, IPv4 or
	 * IP-literal, then an optional ':' and digits. No userinfo, no path, no whitespace.
	 * @param portRequired authority-form of CONNECT needs the port
	 */
	static boolean isHost(byte[] buf, int start, int end, boolean portRequired) {
		int i = start;
		if (i < end && buf[i] == '[') {
			i++;
			int literalStart = i;
			while (i < end && buf[i] != ']') {
				byte b = buf[i];
				if (!(isRegNameChar(b) || b == ':') || b == '%') {
					return false;
				}
				i++;
			}
			if (i == end || i == literalStart) {
				return false;
			}
			i++;
		}
		else {
			while (i < end && isRegNameChar(buf[i])) {
				i++;
			}
			if (i == start) {
				return false;
			}
		}
		if (i == end) {
			return !portRequired;
		}
		if (buf[i] != ':') {
			return false;
		}
		i++;
		int portStart = i;
		while (i < end && buf[i] >= '0' && buf[i] <= '9') {
			i++;
		}
		return i == end && (i - portStart) <= 5 && (!portRequired || i > portStart);
	}

}
