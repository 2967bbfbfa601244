package io.starlet.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the frames a server sends (RFC 6455 §5.2): never masked (§5.1), RSV bits clear but RSV1
 * on a compressed message (permessage-deflate, RFC 7692 §6), the
 * payload length in the shortest of the three encodings (7-bit up to 125, 16-bit up to 65535,
 * 64-bit beyond). No I/O: each method returns buffers ready to write, or writes a header into an
 * array so that a large payload can go out with a gathering write and no copy.
 */
final class FrameWriter {

	/** Most bytes of a Close reason: 125 of control payload minus the 2-byte code (§5.5). */
	static final int MAX_CLOSE_REASON = 123;

	private FrameWriter() {
	}

	/** The size of the header of an unmasked frame with this payload length: 2, 4 or 10. */
	static int headerLength(long payloadLength) {
		if (payloadLength < 0) {
			throw new IllegalArgumentException("negative payload length");
		}
		return payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
	}

	/**
	 * Writes a frame header at {@code dst[off]}.
	 * @return the number of bytes written ({@link #headerLength(long)})
	 */
	static int writeHeader(byte[] dst, int off, boolean fin, int opcode, long payloadLength) {
		return writeHeader(dst, off, fin, false, opcode, payloadLength);
	}

	/**
	 * Writes a frame header at {@code dst[off]}, with RSV1 set when {@code compressed}.
	 * @return the number of bytes written ({@link #headerLength(long)})
	 */
	static int writeHeader(byte[] dst, int off, boolean fin, boolean compressed, int opcode, long payloadLength) {
		if (!Opcode.isKnown(opcode)) {
			throw new IllegalArgumentException("opcode " + opcode);
		}
		if (Opcode.isControl(opcode) && (!fin || payloadLength > 125)) {
			throw new IllegalArgumentException(Opcode.name(opcode) + " frame must be final with at most 125 bytes");
		}
		int length = headerLength(payloadLength);
		if (compressed && (Opcode.isControl(opcode) || opcode == Opcode.CONTINUATION)) {
			throw new IllegalArgumentException("only the first frame of a data message can be compressed");
		}
		dst[off] = (byte) ((fin ? 0x80 : 0) | (compressed ? 0x40 : 0) | opcode);
		if (length == 2) {
			dst[off + 1] = (byte) payloadLength;
		}
		else if (length == 4) {
			dst[off + 1] = 126;
			dst[off + 2] = (byte) (payloadLength >>> 8);
			dst[off + 3] = (byte) payloadLength;
		}
		else {
			dst[off + 1] = 127;
			for (int i = 0; i < 8; i++) {
				dst[off + 2 + i] = (byte) (payloadLength >>> (56 - 8 * i));
			}
		}
		return length;
	}

	/** A frame header alone, for a gathering write with the payload. */
	static ByteBuffer header(boolean fin, int opcode, long payloadLength) {
		return header(fin, false, opcode, payloadLength);
	}

	/** A frame header alone, RSV1 set when {@code compressed}. */
	static ByteBuffer header(boolean fin, boolean compressed, int opcode, long payloadLength) {
		byte[] header = new byte[headerLength(payloadLength)];
		writeHeader(header, 0, fin, compressed, opcode, payloadLength);
		return ByteBuffer.wrap(header);
	}

	/** One whole frame: header and a copy of {@code payload[off, off + len)}. */
	static ByteBuffer frame(boolean fin, int opcode, byte[] payload, int off, int len) {
		int headerLength = headerLength(len);
		byte[] frame = new byte[headerLength + len];
		writeHeader(frame, 0, fin, opcode, len);
		System.arraycopy(payload, off, frame, headerLength, len);
		return ByteBuffer.wrap(frame);
	}

	/** A text message in one frame. */
	static ByteBuffer text(String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		return frame(true, Opcode.TEXT, bytes, 0, bytes.length);
	}

	/** A binary message in one frame. */
	static ByteBuffer binary(byte[] data) {
		return frame(true, Opcode.BINARY, data, 0, data.length);
	}

	/**
	 * A message split into frames of at most {@code fragmentSize} payload bytes: the first carries
	 * {@code opcode}, the others are continuations, the last has FIN (§5.4). A text message may be
	 * split inside a code point; the peer validates UTF-8 across fragments. An empty message is one
	 * empty final frame.
	 */
	static List<ByteBuffer> fragments(int opcode, byte[] payload, int fragmentSize) {
		if (opcode != Opcode.TEXT && opcode != Opcode.BINARY) {
			throw new IllegalArgumentException("only text and binary messages are fragmented");
		}
		if (fragmentSize < 1) {
			throw new IllegalArgumentException("fragment size must be positive");
		}
		List<ByteBuffer> frames = new ArrayList<>();
		int off = 0;
		do {
			int len = Math.min(fragmentSize, payload.length - off);
			boolean fin = off + len == payload.length;
			frames.add(frame(fin, off == 0 ? opcode : Opcode.CONTINUATION, payload, off, len));
			off += len;
		}
		while (off < payload.length);
		return frames;
	}

	static ByteBuffer ping(byte[] payload) {
		return frame(true, Opcode.PING, payload, 0, payload.length);
	}

	/** The answer to a Ping: its payload echoed (§5.5.3). */
	static ByteBuffer pong(byte[] payload) {
		return frame(true, Opcode.PONG, payload, 0, payload.length);
	}

	/** A Close frame without a status code (the peer reports 1005). */
	static ByteBuffer close() {
		return frame(true, Opcode.CLOSE, new byte[0], 0, 0);
	}

	/**
	 * A Close frame with a status code and reason.
	 * @throws IllegalArgumentException when the code may not be sent ({@link CloseCode#isValidOnWire(int)})
	 * or the reason is longer than {@value #MAX_CLOSE_REASON} bytes of UTF-8
	 */
	static ByteBuffer close(int code, String reason) {
		if (!CloseCode.isValidOnWire(code)) {
			throw new IllegalArgumentException("close code " + code + " may not be sent");
		}
		byte[] reasonBytes = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
		if (reasonBytes.length > MAX_CLOSE_REASON) {
			throw new IllegalArgumentException("close reason of " + reasonBytes.length + " bytes; at most "
					+ MAX_CLOSE_REASON + " fit in a control frame");
		}
		byte[] payload = new byte[2 + reasonBytes.length];
		payload[0] = (byte) (code >>> 8);
		payload[1] = (byte) code;
		System.arraycopy(reasonBytes, 0, payload, 2, reasonBytes.length);
		return frame(true, Opcode.CLOSE, payload, 0, payload.length);
	}

	static ByteBuffer close(CloseCode code, String reason) {
		return close(code.code(), reason);
	}

	/**
	 * The Close frame that fails a connection after {@code violation} (RFC 6455 §7.1.7); its reason
	 * names the rule ("RFC 6455 §5.1, §5.3").
	 */
	static ByteBuffer close(ProtocolViolation violation) {
		return close(violation.closeCode().code(), violation.rule());
	}

}
