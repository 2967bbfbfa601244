package io.starlet.http;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Serialises a response head: status line, the handler's fields, then the fields the engine owns
 * ({@code Date}, {@code Server}, framing and {@code Connection}). Reused per worker; no allocation
 * on the common path.
 *
 * <p>Handler-supplied names that are not tokens are dropped and control characters in values
 * become spaces, so no handler can split a response (header injection). A handler's own
 * {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection} are ignored: framing is
 * decided once, by the engine, and a response never carries both length and chunked coding.
 */
public final class ResponseHead {

	/**
	 * What a head made without a clock dates its responses by. The protocol layer cannot see the
	 * engine's {@code io.starlet.Clock}; the engine always passes it, so this serves a head used on
	 * its own (a unit test, the trailer section, which has no {@code Date}).
	 */
	private static final LongSupplier SYSTEM_WALL_CLOCK = System::currentTimeMillis;

	/** Milliseconds since the epoch, for the {@code Date} field. */
	private final LongSupplier wallClock;

	private byte[] buf = new byte[1024];

	/** A head dated by the system's wall clock. */
	public ResponseHead() {
		this(SYSTEM_WALL_CLOCK);
	}

	/** @param wallClock milliseconds since the epoch, for the {@code Date} field: the engine's clock */
	public ResponseHead(LongSupplier wallClock) {
		this.wallClock = wallClock;
	}

	private int length;

	/** The serialised head. Valid until the next {@link #format}. */
	public byte[] bytes() {
		return this.buf;
	}

	public int length() {
		return this.length;
	}

	/**
	 * @param contentLength ≥ 0 for {@code Content-Length}; -1 for no length header
	 * @param chunked send {@code Transfer-Encoding: chunked} (only with contentLength -1)
	 * @param close send {@code Connection: close}
	 * @param keepAlive send {@code Connection: keep-alive} (HTTP/1.0 persistent connections)
	 */
	public void format(int status, Fields fields, String serverHeader, long contentLength, boolean chunked,
			boolean close, boolean keepAlive) {
		this.length = 0;
		if (status < 100 || status > 999) {
			// RFC 9112 §4: the status code is three digits; anything else would be an unparseable
			// response, so the application's mistake becomes a server error the client can read.
			status = 500;
		}
		ascii("HTTP/1.1 ");
		ascii(Integer.toString(status));
		this.buf[this.length++] = ' ';
		ascii(HttpStatus.reason(status));
		crlf();
		boolean hasDate = false;
		boolean hasServer = false;
		for (int i = 0; i < fields.size(); i++) {
			String name = fields.name(i);
			if (!Tokens.isToken(name) || isFramingField(name)) {
				continue;
			}
			hasDate |= name.equalsIgnoreCase("Date");
			hasServer |= name.equalsIgnoreCase("Server");
			field(name, fields.value(i));
		}
		if (!hasDate) {
			field("Date", HttpDate.of(this.wallClock.getAsLong()));
		}
		if (serverHeader != null && !hasServer) {
			field("Server", serverHeader);
		}
		if (contentLength >= 0) {
			ascii("Content-Length: ");
			ascii(Long.toString(contentLength));
			crlf();
		}
		else if (chunked) {
			ascii("Transfer-Encoding: chunked\r\n");
		}
		if (close) {
			ascii("Connection: close\r\n");
		}
		else if (keepAlive) {
			ascii("Connection: keep-alive\r\n");
		}
		crlf();
	}

	/**
	 * Formats a trailer section: the last chunk, the fields, the final CRLF (RFC 9112 §7.1.2).
	 * Fields that may not appear in a trailer (framing, routing, authentication) are dropped.
	 */
	public void formatLastChunk(java.util.Map<String, String> trailers) {
		this.length = 0;
		ascii("0\r\n");
		if (trailers != null) {
			for (java.util.Map.Entry<String, String> trailer : trailers.entrySet()) {
				String name = trailer.getKey();
				if (Tokens.isToken(name) && trailer.getValue() != null && !isForbiddenTrailer(name)) {
					field(name, trailer.getValue());
				}
			}
		}
		crlf();
	}

	private static boolean isForbiddenTrailer(String name) {
		return isFramingField(name) || name.equalsIgnoreCase("Host") || name.equalsIgnoreCase("Trailer")
				|| name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Content-Encoding")
				|| name.equalsIgnoreCase("Set-Cookie") || name.equalsIgnoreCase("Authorization");
	}

	/** A {@code 100 Continue} interim response. */
	public static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes();

	private void field(String name, String value) {
		ascii(name);
		ensure(2);
		this.buf[this.length++] = ':';
		this.buf[this.length++] = ' ';
		int n = value.length();
		ensure(n + 2);
		for (int i = 0; i < n; i++) {
			char c = value.charAt(i);
			// Values are ISO-8859-1 on the wire (RFC 9110 §5.5); anything else, and any CTL, is replaced.
			this.buf[this.length++] = (c < 0x20 && c != '\t') || c == 0x7f || c > 0xff ? (byte) (c > 0xff ? '?' : ' ') : (byte) c;
		}
		crlf();
	}

	private void ascii(String s) {
		int n = s.length();
		ensure(n + 2);
		for (int i = 0; i < n; i++) {
			this.buf[this.length++] = (byte) s.charAt(i);
		}
	}

	private void crlf() {
		ensure(2);
		this.buf[this.length++] = '\r';
		this.buf[this.length++] = '\n';
	}

	private void ensure(int more) {
		if (this.length + more > this.buf.length) {
			this.buf = Arrays.copyOf(this.buf, Math.max(this.buf.length * 2, this.length + more));
		}
	}

	static boolean isFramingField(String name) {
		return name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
				|| name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Keep-Alive");
	}

	/**
	 * Formats a {@code 101 Switching Protocols} head: the application's fields except the framing
	 * ones, and its {@code Connection} field (which names the upgrade) kept as it is.
	 */
	public void formatSwitching(Fields fields, String serverHeader) {
		format(101, fields, serverHeader, -1, false, false, false);
		this.length -= 2; // reopen the field section for Connection
		String connection = fields.get("Connection");
		field("Connection", (connection != null) ? connection : "Upgrade");
		crlf();
	}

	/** {@link #plain(int, String, boolean, String, LongSupplier)} dated by the system's wall clock. */
	public static byte[] plain(int status, String message, boolean close, String serverHeader) {
		return plain(status, message, close, serverHeader, SYSTEM_WALL_CLOCK);
	}

	/**
	 * A complete short plain-text response the engine sends on its own (errors, 503).
	 * @param wallClock milliseconds since the epoch, for the {@code Date} field: the engine's clock
	 */
	public static byte[] plain(int status, String message, boolean close, String serverHeader, LongSupplier wallClock) {
		ResponseHead head = new ResponseHead(wallClock);
		byte[] body = (status + " " + HttpStatus.reason(status) + ((message != null) ? ": " + message : "") + "\n")
			.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
		HttpFields fields = new HttpFields().add("Content-Type", "text/plain; charset=ISO-8859-1");
		if (status == 503) {
			fields.add("Retry-After", "1");
		}
		head.format(status, fields, serverHeader, body.length, false, close, false);
		byte[] out = Arrays.copyOf(head.buf, head.length + body.length);
		System.arraycopy(body, 0, out, head.length, body.length);
		return out;
	}

}
