package io.starlet.websocket;

/**
 * What {@link FrameParser} reports: whole messages, control frames, the peer's close, or the
 * rule the peer broke. Each call happens after the parser has updated its own state, so a
 * listener may stop feeding at any point.
 */
interface FrameListener {

	/** A complete text message, validated as UTF-8. */
	void onText(String text);

	/** A complete binary message; the array is the listener's. */
	void onBinary(byte[] data);

	/** A Ping; the endpoint should answer with a Pong carrying the same payload (RFC 6455 §5.5.2). */
	void onPing(byte[] payload);

	/** A Pong, solicited or not (RFC 6455 §5.5.3). */
	void onPong(byte[] payload);

	/**
	 * A valid Close frame. {@code code} is {@link CloseCode#NO_STATUS_RECEIVED} (1005) when the
	 * frame had no payload; {@code reason} is then empty. The parser ignores all later input.
	 */
	void onClose(int code, String reason);

	/**
	 * The peer broke a rule; the connection must be failed with a Close frame carrying
	 * {@code violation.closeCode()}. The parser ignores all later input.
	 */
	void onViolation(ProtocolViolation violation, String detail);

}
