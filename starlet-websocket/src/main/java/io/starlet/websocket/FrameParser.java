package io.starlet.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;

/**
 * An incremental parser of the frames a WebSocket client sends (RFC 6455 §5). Like the HTTP
 * {@code RequestParser} it does no I/O: it is fed bytes in whatever pieces the network delivers
 * (one byte at a time works), and it reports to a {@link FrameListener} each complete message,
 * each control frame, the peer's Close, or the one rule the peer broke
 * ({@link ProtocolViolation}, tied to its RFC section and close code).
 *
 * <pre>
 *            ┌──────────────────────────────────────────────────────────────┐
 *            v                                                              │ frame done
 *   HEAD ─(byte 0: FIN, RSV, opcode)─> LENGTH ─(byte 1: MASK, len7)─┬─> MASK_KEY ─(4 bytes)─> PAYLOAD
 *                                          │ len7 = 126 / 127       │
 *                                          └─> EXTENDED_LENGTH ─────┘ (2 / 8 bytes)
 *   any state ──violation──> FAILED        PAYLOAD ──valid Close──> CLOSED
 *   FAILED, CLOSED: all further input is consumed and ignored
 * </pre>
 *
 * <p>Rules, each checked as soon as the byte that decides it arrives: RSV1–3 must be 0, except
 * RSV1 on the first frame of a data message once permessage-deflate is negotiated (RFC 7692 §6:
 * the message is compressed; never on a continuation or a control frame); opcodes other than
 * continuation, text, binary, close, ping and pong are refused; every frame must be masked; a
 * 64-bit length must have its most significant bit clear (a non-minimal length encoding is
 * accepted); control frames must have FIN and at most 125 bytes of payload, and may come between
 * the fragments of a message; a continuation needs an open message and a new text/binary frame
 * needs none to be open; a Close payload is empty or a valid status code plus a UTF-8 reason;
 * text is validated as UTF-8 while it arrives, across fragment boundaries; a message may not grow
 * beyond the maximum for its type, and this is checked from each frame's header, before any of
 * its payload is buffered. A compressed message is inflated when its last frame is in
 * ({@link PerMessageDeflate}): its size is checked again as it inflates, and its text as UTF-8
 * then.
 *
 * <p>Thread-confined; one parser per connection.
 */
final class FrameParser {

	private static final int HEAD = 0;

	private static final int LENGTH = 1;

	private static final int EXTENDED_LENGTH = 2;

	private static final int MASK_KEY = 3;

	private static final int PAYLOAD = 4;

	private static final int CLOSED = 5;

	private static final int FAILED = 6;

	private static final byte[] EMPTY = new byte[0];

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

	/** A message buffer above this size is not kept for the next message. */
	private static final int RETAINED_BUFFER = 64 * 1024;

	private final FrameListener listener;

	/** Whether permessage-deflate was negotiated: RSV1 marks a compressed message. */
	private final boolean deflate;

	// Not final: a session may change its limits while open; a new limit applies from the next
	// frame header, the bytes already accepted stay accepted.
	private int maxTextSize;

	private int maxBinarySize;

	private int state = HEAD;

	// The frame being read.

	private boolean fin;

	private int opcode;

	private long payloadLength;

	private long payloadRemaining;

	private int lengthBytes;

	private final byte[] mask = new byte[4];

	private int maskBytes;

	private int maskIndex;

	// The data message being assembled (opcode 0 when none is open).

	private int messageOpcode;

	/** Whether the open message came with RSV1 (compressed). */
	private boolean messageCompressed;

	private byte[] message = EMPTY;

	private int messageLength;

	private final Utf8Validator utf8 = new Utf8Validator();

	// The control frame being read.

	private final byte[] control = new byte[125];

	private int controlLength;

	/**
	 * @param maxTextSize most bytes (UTF-8) of one text message, all fragments together (1009 beyond)
	 * @param maxBinarySize most bytes of one binary message (1009 beyond)
	 */
	FrameParser(FrameListener listener, int maxTextSize, int maxBinarySize) {
		this(listener, maxTextSize, maxBinarySize, false);
	}

	/**
	 * @param deflate whether permessage-deflate was negotiated (RSV1 then marks a compressed message)
	 */
	FrameParser(FrameListener listener, int maxTextSize, int maxBinarySize, boolean deflate) {
		if (maxTextSize < 0 || maxBinarySize < 0) {
			throw new IllegalArgumentException("maximum message sizes must not be negative");
		}
		this.listener = listener;
		this.deflate = deflate;
		this.maxTextSize = maxTextSize;
		this.maxBinarySize = maxBinarySize;
	}

	/** Changes the limits; they apply from the next frame header on. */
	void setMaxSizes(int maxTextSize, int maxBinarySize) {
		if (maxTextSize < 0 || maxBinarySize < 0) {
			throw new IllegalArgumentException("maximum message sizes must not be negative");
		}
		this.maxTextSize = maxTextSize;
		this.maxBinarySize = maxBinarySize;
	}

	/** Consumes all of {@code buf[off, off + len)}, reporting every event in it. */
	void parse(byte[] buf, int off, int len) {
		parse(ByteBuffer.wrap(buf, off, len));
	}

	/** Consumes all of {@code in}, reporting every event in it. */
	void parse(ByteBuffer in) {
		while (in.hasRemaining()) {
			parseNext(in);
		}
	}

	/**
	 * Consumes bytes from {@code in} up to and including the end of the next event, so a caller
	 * can stop reading while it cannot take more messages.
	 * @return true when an event was reported (more bytes may remain in {@code in}), false when
	 * {@code in} was used up without one
	 */
	boolean parseNext(ByteBuffer in) {
		while (in.hasRemaining()) {
			boolean event;
			switch (this.state) {
				case HEAD -> event = head(in.get());
				case LENGTH -> event = length(in.get());
				case EXTENDED_LENGTH -> event = extendedLength(in.get());
				case MASK_KEY -> event = maskKey(in.get());
				case PAYLOAD -> event = payload(in);
				default -> {
					in.position(in.limit());
					return false;
				}
			}
			if (event) {
				return true;
			}
		}
		return false;
	}

	/** True once a Close frame was received; later input is ignored. */
	boolean isClosed() {
		return this.state == CLOSED;
	}

	/** True once a violation was reported; later input is ignored. */
	boolean isFailed() {
		return this.state == FAILED;
	}

	/** True while a fragmented data message is open. */
	boolean inMessage() {
		return this.messageOpcode != 0;
	}

	private boolean head(byte b) {
		this.fin = (b & 0x80) != 0;
		int opcode = b & 0x0F;
		int rsv = b & 0x70;
		boolean compressed = rsv == 0x40 && this.deflate && (opcode == Opcode.TEXT || opcode == Opcode.BINARY);
		if (rsv != 0 && !compressed) {
			return fail(ProtocolViolation.RESERVED_BITS, "RSV bits 0x" + Integer.toHexString(rsv >> 4)
					+ (this.deflate ? " set on a frame that cannot carry them" : " set without a negotiated extension"));
		}
		if (!Opcode.isKnown(opcode)) {
			return fail(ProtocolViolation.UNKNOWN_OPCODE, "opcode 0x" + Integer.toHexString(opcode));
		}
		if (Opcode.isControl(opcode)) {
			if (!this.fin) {
				return fail(ProtocolViolation.FRAGMENTED_CONTROL_FRAME, Opcode.name(opcode) + " frame without FIN");
			}
		}
		else if (opcode == Opcode.CONTINUATION) {
			if (this.messageOpcode == 0) {
				return fail(ProtocolViolation.CONTINUATION_WITHOUT_MESSAGE, "continuation frame with no message open");
			}
		}
		else {
			if (this.messageOpcode != 0) {
				return fail(ProtocolViolation.MESSAGE_NOT_FINISHED, Opcode.name(opcode)
						+ " frame while a fragmented " + Opcode.name(this.messageOpcode) + " message is open");
			}
			this.messageOpcode = opcode;
			this.messageCompressed = compressed;
			this.messageLength = 0;
			this.utf8.reset();
		}
		this.opcode = opcode;
		this.state = LENGTH;
		return false;
	}

	private boolean length(byte b) {
		if ((b & 0x80) == 0) {
			return fail(ProtocolViolation.UNMASKED_FRAME, "client frame without the MASK bit");
		}
		int length = b & 0x7F;
		if (Opcode.isControl(this.opcode) && length > 125) {
			return fail(ProtocolViolation.CONTROL_FRAME_TOO_LONG,
					Opcode.name(this.opcode) + " frame with more than 125 bytes of payload");
		}
		this.payloadLength = 0;
		if (length == 126) {
			this.lengthBytes = 2;
			this.state = EXTENDED_LENGTH;
			return false;
		}
		if (length == 127) {
			this.lengthBytes = 8;
			this.state = EXTENDED_LENGTH;
			return false;
		}
		this.payloadLength = length;
		return lengthKnown();
	}

	private boolean extendedLength(byte b) {
		if (this.lengthBytes == 8 && (b & 0x80) != 0) {
			return fail(ProtocolViolation.INVALID_LENGTH, "64-bit payload length with the most significant bit set");
		}
		this.payloadLength = (this.payloadLength << 8) | (b & 0xFF);
		if (--this.lengthBytes > 0) {
			return false;
		}
		return lengthKnown();
	}

	private boolean lengthKnown() {
		if (this.opcode == Opcode.CLOSE && this.payloadLength == 1) {
			return fail(ProtocolViolation.INVALID_CLOSE_PAYLOAD, "close frame with a 1-byte payload");
		}
		if (Opcode.isControl(this.opcode)) {
			this.controlLength = 0;
		}
		else {
			boolean text = this.messageOpcode == Opcode.TEXT;
			int max = bufferLimit();
			if (this.payloadLength > max - this.messageLength) {
				return fail(ProtocolViolation.MESSAGE_TOO_BIG, (text ? "text" : "binary") + " message of more than "
						+ max + " bytes (" + this.messageLength + " received, frame of " + this.payloadLength + ")");
			}
		}
		this.payloadRemaining = this.payloadLength;
		this.maskBytes = 0;
		this.maskIndex = 0;
		this.state = MASK_KEY;
		return false;
	}

	private boolean maskKey(byte b) {
		this.mask[this.maskBytes++] = b;
		if (this.maskBytes < 4) {
			return false;
		}
		this.state = PAYLOAD;
		return this.payloadRemaining == 0 && endFrame();
	}

	private boolean payload(ByteBuffer in) {
		int n = (int) Math.min(this.payloadRemaining, in.remaining());
		if (Opcode.isControl(this.opcode)) {
			in.get(this.control, this.controlLength, n);
			unmask(this.control, this.controlLength, n);
			this.controlLength += n;
		}
		else {
			ensureCapacity(this.messageLength + n);
			in.get(this.message, this.messageLength, n);
			unmask(this.message, this.messageLength, n);
			if (this.messageOpcode == Opcode.TEXT && !this.messageCompressed
					&& !this.utf8.accept(this.message, this.messageLength, n)) {
				return fail(ProtocolViolation.INVALID_UTF8, "text message is not valid UTF-8");
			}
			this.messageLength += n;
		}
		this.payloadRemaining -= n;
		return this.payloadRemaining == 0 && endFrame();
	}

	private void unmask(byte[] buf, int off, int len) {
		byte[] mask = this.mask;
		int index = this.maskIndex;
		int i = off;
		int end = off + len;
		if (len >= 16) {
			// Eight bytes at a time: the key repeats every four bytes, so a word of the key rotated
			// to the current position stays aligned for every following word.
			long word = 0;
			for (int k = 0; k < 8; k++) {
				word |= (mask[(index + k) & 3] & 0xFFL) << (8 * k);
			}
			for (; i + 8 <= end; i += 8) {
				LONGS.set(buf, i, (long) LONGS.get(buf, i) ^ word);
			}
		}
		for (; i < end; i++) {
			buf[i] ^= mask[index];
			index = (index + 1) & 3;
		}
		this.maskIndex = index;
	}

	private void ensureCapacity(int needed) {
		if (needed > this.message.length) {
			// Grow as bytes arrive, never beyond the limit the header check has already enforced.
			int max = bufferLimit();
			int size = (int) Math.max(needed, Math.min(Math.max(256L, this.message.length * 2L), max));
			this.message = Arrays.copyOf(this.message, size);
		}
	}

	/** The frame's payload is complete: report it if it ends something. */
	private boolean endFrame() {
		this.state = HEAD;
		if (Opcode.isControl(this.opcode)) {
			return control();
		}
		if (!this.fin) {
			return false;
		}
		int opcode = this.messageOpcode;
		int length = this.messageLength;
		byte[] message = this.message;
		this.messageOpcode = 0;
		this.messageLength = 0;
		if (message.length > RETAINED_BUFFER) {
			this.message = EMPTY;
		}
		if (this.messageCompressed) {
			return inflated(opcode, message, length);
		}
		if (opcode == Opcode.TEXT) {
			if (!this.utf8.isComplete()) {
				return fail(ProtocolViolation.INVALID_UTF8, "text message ends inside a UTF-8 sequence");
			}
			this.listener.onText(new String(message, 0, length, StandardCharsets.UTF_8));
		}
		else {
			this.listener.onBinary(Arrays.copyOf(message, length));
		}
		return true;
	}

	/**
	 * The most bytes the open message may take in the buffer: its maximum size, or for a
	 * compressed message what DEFLATE may need to carry that many bytes it cannot shrink (5 bytes
	 * per stored block of up to 64 KiB, and a few more), the inflated size being checked later.
	 */
	private int bufferLimit() {
		int max = this.messageOpcode == Opcode.TEXT ? this.maxTextSize : this.maxBinarySize;
		if (!this.messageCompressed) {
			return max;
		}
		return (int) Math.min(Integer.MAX_VALUE - 8, max + (max >>> 12) + 64L);
	}

	private boolean inflated(int opcode, byte[] message, int length) {
		boolean text = opcode == Opcode.TEXT;
		int max = text ? this.maxTextSize : this.maxBinarySize;
		ByteBuffer data; // the inflating thread's array: copied out before the listener runs
		try {
			data = PerMessageDeflate.decompress(message, length, max);
		}
		catch (DataFormatException ex) {
			return fail(ProtocolViolation.INVALID_COMPRESSED_DATA, "compressed message is not DEFLATE data: "
					+ ex.getMessage());
		}
		if (data == null) {
			return fail(ProtocolViolation.MESSAGE_TOO_BIG, (text ? "text" : "binary")
					+ " message inflates to more than " + max + " bytes");
		}
		byte[] bytes = data.array();
		int size = data.limit();
		if (text) {
			if (!Utf8Validator.isValid(bytes, 0, size)) {
				return fail(ProtocolViolation.INVALID_UTF8, "text message is not valid UTF-8");
			}
			this.listener.onText(new String(bytes, 0, size, StandardCharsets.UTF_8));
		}
		else {
			this.listener.onBinary(Arrays.copyOf(bytes, size));
		}
		return true;
	}

	private boolean control() {
		byte[] payload = Arrays.copyOf(this.control, this.controlLength);
		switch (this.opcode) {
			case Opcode.PING -> this.listener.onPing(payload);
			case Opcode.PONG -> this.listener.onPong(payload);
			default -> {
				return close(payload);
			}
		}
		return true;
	}

	private boolean close(byte[] payload) {
		if (payload.length == 0) {
			this.state = CLOSED;
			release();
			this.listener.onClose(CloseCode.NO_STATUS_RECEIVED.code(), "");
			return true;
		}
		int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
		if (!CloseCode.isValidOnWire(code)) {
			return fail(ProtocolViolation.INVALID_CLOSE_CODE, "close code " + code + " may not be sent");
		}
		if (!Utf8Validator.isValid(payload, 2, payload.length - 2)) {
			return fail(ProtocolViolation.INVALID_CLOSE_REASON, "close reason is not valid UTF-8");
		}
		this.state = CLOSED;
		release();
		this.listener.onClose(code, new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
		return true;
	}

	private boolean fail(ProtocolViolation violation, String detail) {
		this.state = FAILED;
		release();
		this.listener.onViolation(violation, detail);
		return true;
	}

	private void release() {
		this.message = EMPTY;
		this.messageLength = 0;
		this.messageOpcode = 0;
		this.messageCompressed = false;
	}

}
