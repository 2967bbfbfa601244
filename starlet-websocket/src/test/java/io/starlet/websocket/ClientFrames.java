package io.starlet.websocket;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Byte-level frames as a client sends them (masked unless told otherwise), and a parse recorder. */
final class ClientFrames {

	static final int FIN = 0x80;

	static final byte[] MASK = { 0x37, (byte) 0xfa, 0x21, 0x3d };

	/** How to encode the payload length: the shortest form, or forced to 16 or 64 bits. */
	enum Length {
		MINIMAL, BITS_16, BITS_64
	}

	private ClientFrames() {
	}

	static byte[] frame(int b0, byte[] payload) {
		return frame(b0, payload, Length.MINIMAL, true);
	}

	static byte[] frame(int b0, String payload) {
		return frame(b0, utf8(payload));
	}

	static byte[] frame(int b0, byte[] payload, Length encoding, boolean masked) {
		return frame(b0, payload, encoding, masked ? MASK : null);
	}

	/** A frame masked with {@code mask}, or unmasked when it is null. */
	static byte[] frame(int b0, byte[] payload, Length encoding, byte[] mask) {
		boolean masked = mask != null;
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(b0);
		int maskBit = masked ? 0x80 : 0;
		long len = payload.length;
		if (encoding == Length.BITS_64 || (encoding == Length.MINIMAL && len > 0xFFFF)) {
			out.write(maskBit | 127);
			for (int i = 7; i >= 0; i--) {
				out.write((int) (len >>> (8 * i)));
			}
		}
		else if (encoding == Length.BITS_16 || len > 125) {
			out.write(maskBit | 126);
			out.write((int) (len >>> 8));
			out.write((int) len);
		}
		else {
			out.write(maskBit | (int) len);
		}
		if (masked) {
			out.writeBytes(mask);
			for (int i = 0; i < payload.length; i++) {
				out.write(payload[i] ^ mask[i & 3]);
			}
		}
		else {
			out.writeBytes(payload);
		}
		return out.toByteArray();
	}

	/** A header only, announcing {@code length} bytes that are never sent. */
	static byte[] header(int b0, long length) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(b0);
		out.write(0x80 | 127);
		for (int i = 7; i >= 0; i--) {
			out.write((int) (length >>> (8 * i)));
		}
		out.writeBytes(MASK);
		return out.toByteArray();
	}

	static byte[] close(int code, byte[] reason) {
		byte[] payload = new byte[2 + reason.length];
		payload[0] = (byte) (code >>> 8);
		payload[1] = (byte) code;
		System.arraycopy(reason, 0, payload, 2, reason.length);
		return frame(FIN | Opcode.CLOSE, payload);
	}

	/** Masks a server frame (as {@link FrameWriter} builds it) so the parser accepts it. */
	static byte[] masked(byte[] serverFrame) {
		int len7 = serverFrame[1] & 0x7F;
		int headerLength = len7 == 127 ? 10 : len7 == 126 ? 4 : 2;
		byte[] out = new byte[serverFrame.length + 4];
		System.arraycopy(serverFrame, 0, out, 0, headerLength);
		out[1] |= (byte) 0x80;
		System.arraycopy(MASK, 0, out, headerLength, 4);
		for (int i = headerLength; i < serverFrame.length; i++) {
			out[i + 4] = (byte) (serverFrame[i] ^ MASK[(i - headerLength) & 3]);
		}
		return out;
	}

	static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	static byte[] utf8(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] bytes(int... values) {
		byte[] b = new byte[values.length];
		for (int i = 0; i < values.length; i++) {
			b[i] = (byte) values[i];
		}
		return b;
	}

	static String hex(byte[] b) {
		return HexFormat.of().formatHex(b);
	}

	/** Parses {@code input} in pieces of {@code piece} bytes; 0 means all at once. */
	static Recorder parse(byte[] input, int piece, int maxText, int maxBinary) {
		Recorder recorder = new Recorder();
		FrameParser parser = new FrameParser(recorder, maxText, maxBinary);
		recorder.parser = parser;
		int step = piece == 0 ? Math.max(1, input.length) : piece;
		for (int off = 0; off < input.length; off += step) {
			parser.parse(input, off, Math.min(step, input.length - off));
		}
		return recorder;
	}

	/** Parses {@code input} in pieces of {@code piece} bytes, with permessage-deflate negotiated. */
	static Recorder parseDeflated(byte[] input, int piece, int maxText, int maxBinary) {
		Recorder recorder = new Recorder();
		FrameParser parser = new FrameParser(recorder, maxText, maxBinary, true);
		recorder.parser = parser;
		int step = piece == 0 ? Math.max(1, input.length) : piece;
		for (int off = 0; off < input.length; off += step) {
			parser.parse(input, off, Math.min(step, input.length - off));
		}
		return recorder;
	}

	/**
	 * A message as a client compresses it for permessage-deflate (RFC 7692 §7.2.1): raw DEFLATE,
	 * sync-flushed, without the final {@code 00 00 FF FF}; with the default window and context.
	 */
	static byte[] deflate(byte[] message) {
		Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
		try {
			deflater.setInput(message);
			byte[] out = new byte[message.length + 1024];
			int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
			return Arrays.copyOf(out, n - 4);
		}
		finally {
			deflater.end();
		}
	}

	/** Inflates a compressed message the server sent (appending the removed {@code 00 00 FF FF}). */
	static byte[] inflate(byte[] payload) throws DataFormatException {
		Inflater inflater = new Inflater(true);
		try {
			inflater.setInput(concat(payload, bytes(0, 0, 0xFF, 0xFF)));
			ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
			byte[] buffer = new byte[8192];
			while (!inflater.needsInput() && !inflater.finished()) {
				out.write(buffer, 0, inflater.inflate(buffer));
			}
			return out.toByteArray();
		}
		finally {
			inflater.end();
		}
	}

	/** Parses {@code input} split at random points. */
	static Recorder parseRandomly(byte[] input, Random random, int maxText, int maxBinary) {
		Recorder recorder = new Recorder();
		FrameParser parser = new FrameParser(recorder, maxText, maxBinary);
		recorder.parser = parser;
		int off = 0;
		while (off < input.length) {
			int n = 1 + random.nextInt(Math.min(input.length - off, 1 + random.nextInt(64)));
			parser.parse(input, off, n);
			off += n;
		}
		return recorder;
	}

	/** Every event as a string: {@code text:…}, {@code binary:hex}, {@code close:1000:reason}, {@code violation:NAME:1002}. */
	static final class Recorder implements FrameListener {

		final List<String> events = new ArrayList<>();

		FrameParser parser;

		@Override
		public void onText(String text) {
			this.events.add("text:" + text);
		}

		@Override
		public void onBinary(byte[] data) {
			this.events.add("binary:" + hex(data));
		}

		@Override
		public void onPing(byte[] payload) {
			this.events.add("ping:" + hex(payload));
		}

		@Override
		public void onPong(byte[] payload) {
			this.events.add("pong:" + hex(payload));
		}

		@Override
		public void onClose(int code, String reason) {
			this.events.add("close:" + code + ":" + reason);
		}

		@Override
		public void onViolation(ProtocolViolation violation, String detail) {
			this.events.add("violation:" + violation.name() + ":" + violation.closeCode().code());
		}

	}

}
