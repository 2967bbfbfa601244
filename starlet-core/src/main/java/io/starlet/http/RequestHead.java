package io.starlet.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A parsed request head. Field names and values stay as offsets into the receive buffer until
 * someone asks for them, so a header nobody reads costs no allocation. The buffer must not be
 * overwritten while the request is being served; the engine only compacts it between requests.
 *
 * <p>One instance is reused for every request on a connection: {@link RequestParser#parse}
 * resets it first, so nothing leaks from one request to the next.
 */
public final class RequestHead implements Fields {

	private byte[] buf;

	String method;

	// The request line, as offsets into buf until someone asks (then cached below).
	int targetStart;

	int targetEnd;

	/** Path offsets; pathStart -1 means "/" (absolute-form without a path). */
	int pathStart;

	int pathEnd;

	/** Query offsets (after '?'); queryStart -1 when there is no query. */
	int queryStart;

	int queryEnd;

	/** Host offsets: the authority of an absolute or authority-form target, else the Host field. */
	int hostStart;

	int hostEnd;

	private String target;

	private String path;

	private String query;

	private String host;

	int minorVersion;

	// Per field: name start, name end, value start, value end.
	int[] offsets = new int[4 * 16];

	private String[] names = new String[16];

	private String[] values = new String[16];

	int fieldCount;

	int headLength;

	long contentLength;

	boolean chunked;

	boolean expectContinue;

	boolean connectionClose;

	boolean connectionKeepAlive;

	boolean closeAfterResponse;

	void reset(byte[] buf) {
		this.buf = buf;
		this.method = null;
		this.targetStart = 0;
		this.targetEnd = 0;
		this.pathStart = 0;
		this.pathEnd = 0;
		this.queryStart = -1;
		this.queryEnd = -1;
		this.hostStart = -1;
		this.hostEnd = -1;
		this.target = null;
		this.path = null;
		this.query = null;
		this.host = null;
		this.minorVersion = 1;
		Arrays.fill(this.names, 0, Math.min(this.fieldCount, this.names.length), null);
		Arrays.fill(this.values, 0, Math.min(this.fieldCount, this.values.length), null);
		this.fieldCount = 0;
		this.headLength = 0;
		this.contentLength = 0;
		this.chunked = false;
		this.expectContinue = false;
		this.connectionClose = false;
		this.connectionKeepAlive = false;
		this.closeAfterResponse = false;
	}

	void addField(int nameStart, int nameEnd, int valueStart, int valueEnd) {
		int i = this.fieldCount;
		if (4 * i + 4 > this.offsets.length) {
			this.offsets = Arrays.copyOf(this.offsets, this.offsets.length * 2);
			this.names = Arrays.copyOf(this.names, this.names.length * 2);
			this.values = Arrays.copyOf(this.values, this.values.length * 2);
		}
		this.offsets[4 * i] = nameStart;
		this.offsets[4 * i + 1] = nameEnd;
		this.offsets[4 * i + 2] = valueStart;
		this.offsets[4 * i + 3] = valueEnd;
		this.fieldCount = i + 1;
	}

	/** The method, e.g. {@code GET}. */
	public String method() {
		return this.method;
	}

	/** The request target as sent. */
	public String target() {
		String target = this.target;
		if (target == null && this.buf != null) {
			target = latin1(this.targetStart, this.targetEnd);
			this.target = target;
		}
		return target;
	}

	/**
	 * The path of the target, still percent-encoded: {@code *} for asterisk form, the authority
	 * for authority form (CONNECT), {@code /} for an absolute-form target without a path.
	 */
	public String path() {
		String path = this.path;
		if (path == null && this.buf != null) {
			if (this.pathStart < 0) {
				path = "/";
			}
			else if (this.pathStart == this.targetStart && this.pathEnd == this.targetEnd) {
				path = target();
			}
			else {
				path = latin1(this.pathStart, this.pathEnd);
			}
			this.path = path;
		}
		return path;
	}

	/** The query without {@code ?} (possibly empty), or null when the target has no {@code ?}. */
	public String query() {
		String query = this.query;
		if (query == null && this.queryStart >= 0) {
			query = latin1(this.queryStart, this.queryEnd);
			this.query = query;
		}
		return query;
	}

	/** {@code HTTP/1.0} or {@code HTTP/1.1}. */
	public String protocol() {
		return (this.minorVersion == 0) ? "HTTP/1.0" : "HTTP/1.1";
	}

	public boolean isHttp11() {
		return this.minorVersion == 1;
	}

	/** Bytes from the first byte of the request line to the end of the empty line. */
	public int headLength() {
		return this.headLength;
	}

	/** Declared body length; 0 without a body; -1 when chunked. */
	public long contentLength() {
		return this.chunked ? -1 : this.contentLength;
	}

	public boolean isChunked() {
		return this.chunked;
	}

	/** The client sent {@code Expect: 100-continue} (HTTP/1.1 only). */
	public boolean expectsContinue() {
		return this.expectContinue;
	}

	/**
	 * Whether the client allows the connection to persist: HTTP/1.1 without
	 * {@code Connection: close}, or HTTP/1.0 with {@code Connection: keep-alive}.
	 */
	public boolean clientWantsKeepAlive() {
		return (this.minorVersion == 1) ? !this.connectionClose : (this.connectionKeepAlive && !this.connectionClose);
	}

	/** Framing was ambiguous (Transfer-Encoding and Content-Length): close after responding. */
	public boolean mustCloseAfterResponse() {
		return this.closeAfterResponse;
	}

	/** The Host value (or the authority of an absolute-form target); may be empty or null for HTTP/1.0. */
	public String host() {
		String host = this.host;
		if (host == null && this.hostStart >= 0) {
			host = latin1(this.hostStart, this.hostEnd);
			this.host = host;
		}
		return host;
	}

	@Override
	public int size() {
		return this.fieldCount;
	}

	@Override
	public String name(int index) {
		checkIndex(index);
		String name = this.names[index];
		if (name == null) {
			name = ascii(this.offsets[4 * index], this.offsets[4 * index + 1]);
			this.names[index] = name;
		}
		return name;
	}

	@Override
	public String value(int index) {
		checkIndex(index);
		String value = this.values[index];
		if (value == null) {
			value = latin1(this.offsets[4 * index + 2], this.offsets[4 * index + 3]);
			this.values[index] = value;
		}
		return value;
	}

	@Override
	public int indexOf(String name, int from) {
		int len = name.length();
		for (int i = Math.max(from, 0); i < this.fieldCount; i++) {
			int start = this.offsets[4 * i];
			if (this.offsets[4 * i + 1] - start == len && nameEquals(start, name)) {
				return i;
			}
		}
		return -1;
	}

	private boolean nameEquals(int start, String name) {
		byte[] b = this.buf;
		for (int j = 0; j < name.length(); j++) {
			int c = b[start + j];
			int d = name.charAt(j);
			if (c != d && toLower(c) != toLower(d)) {
				return false;
			}
		}
		return true;
	}

	static int toLower(int c) {
		return (c >= 'A' && c <= 'Z') ? c + 32 : c;
	}

	private void checkIndex(int index) {
		if (index < 0 || index >= this.fieldCount) {
			throw new IndexOutOfBoundsException(index);
		}
	}

	@SuppressWarnings("deprecation")
	private String ascii(int start, int end) {
		// Field names are tokens (ASCII): the deprecated hibyte constructor is the cheapest copy.
		return new String(this.buf, 0, start, end - start);
	}

	private String latin1(int start, int end) {
		return new String(this.buf, start, end - start, StandardCharsets.ISO_8859_1);
	}

	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder().append(this.method).append(' ').append(target()).append(' ')
			.append(protocol()).append('\n');
		for (int i = 0; i < this.fieldCount; i++) {
			sb.append(name(i)).append(": ").append(value(i)).append('\n');
		}
		return sb.toString();
	}

}
