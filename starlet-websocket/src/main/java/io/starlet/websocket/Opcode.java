package io.starlet.websocket;

/** Frame opcodes (RFC 6455 §5.2, §11.8). Control frames are those with the high bit set. */
final class Opcode {

	static final int CONTINUATION = 0x0;

	static final int TEXT = 0x1;

	static final int BINARY = 0x2;

	static final int CLOSE = 0x8;

	static final int PING = 0x9;

	static final int PONG = 0xA;

	private Opcode() {
	}

	static boolean isControl(int opcode) {
		return (opcode & 0x8) != 0;
	}

	static boolean isKnown(int opcode) {
		return opcode <= BINARY || (opcode >= CLOSE && opcode <= PONG);
	}

	static String name(int opcode) {
		return switch (opcode) {
			case CONTINUATION -> "continuation";
			case TEXT -> "text";
			case BINARY -> "binary";
			case CLOSE -> "close";
			case PING -> "ping";
			case PONG -> "pong";
			default -> "reserved 0x" + Integer.toHexString(opcode);
		};
	}

}
