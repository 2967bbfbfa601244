package io.starlet.http;

/**
 * Every reason the engine refuses a request, with the response status, the rule it enforces and
 * its {@link Kind} (protocol, limit, timeout, or the server's own failure).
 * The parser, the acceptor and the workers report these by name so that tests, logs and metrics
 * can tell them apart.
 */
public enum Violation {

	/** Request line is not {@code method SP request-target SP HTTP-version}. */
	MALFORMED_REQUEST_LINE(400, "RFC 9112 §3"),
	/** Method is not a token. */
	INVALID_METHOD(400, "RFC 9110 §9.1"),
	/**
	 * Request target has a byte that is not allowed (outside RFC 3986's path and query characters,
	 * unless the compliance policy relaxes them), or a form that does not fit the method.
	 */
	INVALID_TARGET(400, "RFC 9112 §3.2, RFC 3986 §3.3"),
	/** Request target longer than the server accepts. */
	TARGET_TOO_LONG(414, "RFC 9110 §15.5.15", Kind.LIMIT),
	/** A version that is not HTTP/1.x syntax at all. */
	INVALID_VERSION(400, "RFC 9112 §2.3"),
	/** A well-formed HTTP/1.x version other than 1.0 and 1.1. */
	UNSUPPORTED_VERSION(505, "RFC 9110 §15.6.6"),
	/** Field line without a colon, or a field name that is not a token. */
	MALFORMED_FIELD(400, "RFC 9112 §5"),
	/** Whitespace between field name and colon. */
	WHITESPACE_BEFORE_COLON(400, "RFC 9112 §5.1"),
	/** A line starting with whitespace: obs-fold, or whitespace before the first field. */
	OBS_FOLD(400, "RFC 9112 §5.2"),
	/** CR not followed by LF, NUL or another control character in the head. */
	INVALID_CHARACTER(400, "RFC 9112 §2.2, RFC 9110 §5.5"),
	/** Header section over the configured size. */
	HEADERS_TOO_LARGE(431, "RFC 6585 §5", Kind.LIMIT),
	/** More header fields than the configured count. */
	TOO_MANY_FIELDS(431, "RFC 6585 §5", Kind.LIMIT),
	/** HTTP/1.1 request without {@code Host}, with two, or with an invalid one. */
	INVALID_HOST(400, "RFC 9112 §3.2"),
	/** {@code Content-Length} not 1*DIGIT, overflowing, or several different values. */
	INVALID_CONTENT_LENGTH(400, "RFC 9112 §6.3, RFC 9110 §8.6"),
	/** {@code Transfer-Encoding} that is empty or not a list of codings. */
	INVALID_TRANSFER_ENCODING(400, "RFC 9112 §6.1"),
	/** {@code Transfer-Encoding} whose final coding is not {@code chunked}, or {@code chunked} twice. */
	CHUNKED_NOT_FINAL(400, "RFC 9112 §6.3"),
	/** {@code Transfer-Encoding} with a coding this server does not implement. */
	UNKNOWN_TRANSFER_CODING(501, "RFC 9112 §6.1"),
	/** {@code Transfer-Encoding} in an HTTP/1.0 request: its framing cannot be trusted. */
	TRANSFER_ENCODING_IN_HTTP10(400, "RFC 9112 §6.1"),
	/** A declared body larger than the configured maximum. */
	CONTENT_TOO_LARGE(413, "RFC 9110 §15.5.14", Kind.LIMIT),
	/** An expectation other than {@code 100-continue}. */
	UNKNOWN_EXPECTATION(417, "RFC 9110 §10.1.1"),
	/** Chunk size that is not hex, is empty or overflows. */
	INVALID_CHUNK_SIZE(400, "RFC 9112 §7.1"),
	/** Chunk extension that does not follow the grammar, or is too long. */
	INVALID_CHUNK_EXTENSION(400, "RFC 9112 §7.1.1"),
	/** Chunk line or chunk data not terminated by CRLF. */
	INVALID_CHUNK_TERMINATOR(400, "RFC 9112 §7.1"),
	/** Trailer section malformed, too large, or carrying a framing field. */
	INVALID_TRAILER(400, "RFC 9112 §7.1.2"),
	/** The client did not deliver a request head in time. */
	REQUEST_TIMEOUT(408, "RFC 9110 §15.5.9", Kind.TIMEOUT),
	/** The request body stalled, or arrived below the minimum data rate. */
	BODY_TIMEOUT(408, "RFC 9110 §15.5.9", Kind.TIMEOUT),
	/** The request waited longer than {@code queue-timeout} for a worker. */
	QUEUE_TIMEOUT(503, "RFC 9110 §15.6.4", Kind.TIMEOUT),
	/**
	 * Not the client's fault: the server could not write the request body to its temporary file
	 * (a full disk, a directory it cannot create). Answered before the application runs.
	 */
	BODY_NOT_STORED(500, "RFC 9110 §15.6.1", Kind.SERVER);

	/** What kind of rule a request broke: operators read the three differently. */
	public enum Kind {

		/** The request is malformed or asks for what the server does not implement (400, 417, 501, 505). */
		PROTOCOL,

		/** The request is well-formed but larger than the server accepts (413, 414, 431). */
		LIMIT,

		/** The client (or the wait for a worker) was too slow (408, 503). */
		TIMEOUT,

		/** The request was fine; the server failed to take it in (500). */
		SERVER

	}

	private final int status;

	private final String rule;

	private final Kind kind;

	Violation(int status, String rule) {
		this(status, rule, Kind.PROTOCOL);
	}

	Violation(int status, String rule, Kind kind) {
		this.status = status;
		this.rule = rule;
		this.kind = kind;
	}

	/** The status of the response the client gets. */
	public int status() {
		return this.status;
	}

	/** The RFC section the rule comes from. */
	public String rule() {
		return this.rule;
	}

	/** Whether the request broke the protocol, a limit, or a deadline. */
	public Kind kind() {
		return this.kind;
	}

}
