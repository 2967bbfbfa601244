package io.starlet.websocket;

/**
 * The close status codes of RFC 6455 §7.4.1, plus 1012–1014 from the IANA "WebSocket Close Code
 * Number Registry" (RFC 6455 §11.7), with their registered names.
 *
 * <p>Which codes may appear in a Close frame on the wire (RFC 6455 §7.4.1, §7.4.2): 1000–1003,
 * 1007–1014 and the private/library ranges 3000–4999. 1004 is reserved, 1005, 1006 and 1015 are
 * only ever reported locally, and 0–999, 1016–2999 (reserved for this protocol, unassigned) and
 * 5000 and above are not defined; a peer that sends one of those commits a protocol error (1002).
 * {@link #isValidOnWire(int)} is that rule, used both for frames received and frames sent.
 */
enum CloseCode {

	/** The purpose for which the connection was established has been fulfilled. */
	NORMAL_CLOSURE(1000, "Normal Closure"),
	/** The endpoint is going away: server shutdown, or a browser leaving the page. */
	GOING_AWAY(1001, "Going Away"),
	/** The peer broke a rule of the protocol. */
	PROTOCOL_ERROR(1002, "Protocol error"),
	/** The endpoint received a kind of data it cannot accept (e.g. binary where only text is). */
	UNSUPPORTED_DATA(1003, "Unsupported Data"),
	/** Reserved; never sent. */
	RESERVED(1004, "Reserved"),
	/** Reported locally when a Close frame carried no status code; never sent. */
	NO_STATUS_RECEIVED(1005, "No Status Rcvd"),
	/** Reported locally when the connection closed without a Close frame; never sent. */
	ABNORMAL_CLOSURE(1006, "Abnormal Closure"),
	/** A message's data did not match its type, e.g. a text message that is not UTF-8. */
	INVALID_FRAME_PAYLOAD_DATA(1007, "Invalid frame payload data"),
	/** A message violated the endpoint's policy (the generic code when no other fits). */
	POLICY_VIOLATION(1008, "Policy Violation"),
	/** A message too big to process. */
	MESSAGE_TOO_BIG(1009, "Message Too Big"),
	/** (Client only) the server did not negotiate an extension the client requires. */
	MANDATORY_EXTENSION(1010, "Mandatory Ext."),
	/** The server met an unexpected condition. */
	INTERNAL_ERROR(1011, "Internal Error"),
	/** The service is restarting (IANA registry). */
	SERVICE_RESTART(1012, "Service Restart"),
	/** Temporary overload: try again later (IANA registry). */
	TRY_AGAIN_LATER(1013, "Try Again Later"),
	/** A gateway got an invalid response from upstream (IANA registry). */
	BAD_GATEWAY(1014, "Bad Gateway"),
	/** Reported locally when the TLS handshake failed; never sent. */
	TLS_HANDSHAKE(1015, "TLS handshake");

	private final int code;

	private final String phrase;

	CloseCode(int code, String phrase) {
		this.code = code;
		this.phrase = phrase;
	}

	int code() {
		return this.code;
	}

	/** The name the RFC / IANA registry gives the code. */
	String phrase() {
		return this.phrase;
	}

	/** Whether this code may be carried by a Close frame. */
	boolean isValidOnWire() {
		return isValidOnWire(this.code);
	}

	/** The registered code, or {@code null} for a private (3000–4999) or undefined code. */
	static CloseCode of(int code) {
		if (code < 1000 || code > 1015) {
			return null;
		}
		return values()[code - 1000];
	}

	/**
	 * Whether a Close frame may carry {@code code}: 1000–1003, 1007–1014, 3000–4999 (RFC 6455
	 * §7.4.1, §7.4.2, §11.7).
	 */
	static boolean isValidOnWire(int code) {
		return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
	}

}
