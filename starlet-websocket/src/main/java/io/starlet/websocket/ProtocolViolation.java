package io.starlet.websocket;

/**
 * Every reason the frame parser fails a connection, with the close code the peer is sent and the
 * rule it enforces. After one of these the connection is failed (RFC 6455 §7.1.7): the server
 * sends a Close frame with {@link #closeCode()} and reads nothing more.
 */
enum ProtocolViolation {

	/**
	 * RSV1–3 set where no negotiated extension defines them: anywhere without permessage-deflate;
	 * with it, RSV2, RSV3, or RSV1 on a continuation or control frame.
	 */
	RESERVED_BITS(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.2, RFC 7692 §6"),
	/** Opcode 0x3–0x7 or 0xB–0xF. */
	UNKNOWN_OPCODE(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.2"),
	/** A client frame without the MASK bit. */
	UNMASKED_FRAME(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.1, §5.3"),
	/** A 64-bit payload length with its most significant bit set. */
	INVALID_LENGTH(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.2"),
	/** A control frame without FIN. */
	FRAGMENTED_CONTROL_FRAME(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.5"),
	/** A control frame with more than 125 bytes of payload. */
	CONTROL_FRAME_TOO_LONG(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.5"),
	/** A continuation frame while no fragmented message is open. */
	CONTINUATION_WITHOUT_MESSAGE(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.4"),
	/** A text or binary frame while a fragmented message is still open. */
	MESSAGE_NOT_FINISHED(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.4"),
	/** A Close frame with a 1-byte payload (a status code is 2 bytes). */
	INVALID_CLOSE_PAYLOAD(CloseCode.PROTOCOL_ERROR, "RFC 6455 §5.5.1"),
	/** A Close frame with a status code that may not appear on the wire. */
	INVALID_CLOSE_CODE(CloseCode.PROTOCOL_ERROR, "RFC 6455 §7.4"),
	/** A Close frame whose reason is not UTF-8. */
	INVALID_CLOSE_REASON(CloseCode.INVALID_FRAME_PAYLOAD_DATA, "RFC 6455 §5.5.1, §8.1"),
	/** A text message that is not UTF-8 (checked as it arrives, and at its end). */
	INVALID_UTF8(CloseCode.INVALID_FRAME_PAYLOAD_DATA, "RFC 6455 §5.6, §8.1"),
	/**
	 * A message larger than the configured maximum for its type (checked per frame header, and
	 * as a compressed message inflates).
	 */
	MESSAGE_TOO_BIG(CloseCode.MESSAGE_TOO_BIG, "RFC 6455 §7.4.1, §10.4"),
	/** A compressed message (RSV1 under permessage-deflate) whose payload is not DEFLATE data. */
	INVALID_COMPRESSED_DATA(CloseCode.INVALID_FRAME_PAYLOAD_DATA, "RFC 7692 §7.2.2, RFC 6455 §7.4.1");

	private final CloseCode closeCode;

	private final String rule;

	ProtocolViolation(CloseCode closeCode, String rule) {
		this.closeCode = closeCode;
		this.rule = rule;
	}

	/** The status code of the Close frame the peer is sent. */
	CloseCode closeCode() {
		return this.closeCode;
	}

	/** The RFC section the rule comes from. */
	String rule() {
		return this.rule;
	}

}
