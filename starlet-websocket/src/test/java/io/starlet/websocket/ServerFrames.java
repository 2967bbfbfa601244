package io.starlet.websocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the frames a server sends (unmasked) back into messages, for tests. */
final class ServerFrames {

	/** One frame as received. */
	record Frame(boolean fin, int opcode, byte[] payload, boolean compressed) {

		String text() {
			return new String(this.payload, StandardCharsets.UTF_8);
		}

		int closeCode() {
			return this.payload.length < 2 ? 1005 : ((this.payload[0] & 0xFF) << 8) | (this.payload[1] & 0xFF);
		}

		String closeReason() {
			return this.payload.length < 2 ? "" : new String(this.payload, 2, this.payload.length - 2, StandardCharsets.UTF_8);
		}

	}

	private byte[] all = new byte[1024];

	private int length;

	/** Adds bytes; returns the frames they complete. */
	List<Frame> add(byte[] bytes) {
		if (this.length + bytes.length > this.all.length) {
			this.all = java.util.Arrays.copyOf(this.all, Math.max(this.all.length * 2, this.length + bytes.length));
		}
		System.arraycopy(bytes, 0, this.all, this.length, bytes.length);
		this.length += bytes.length;
		byte[] all = this.all;
		List<Frame> frames = new ArrayList<>();
		int at = 0;
		while (true) {
			if (this.length - at < 2) {
				break;
			}
			if ((all[at + 1] & 0x80) != 0) {
				throw new IllegalStateException("server frames must not be masked");
			}
			int len7 = all[at + 1] & 0x7F;
			int header = len7 == 127 ? 10 : len7 == 126 ? 4 : 2;
			if (this.length - at < header) {
				break;
			}
			long length = len7;
			if (len7 == 126) {
				length = ((all[at + 2] & 0xFF) << 8) | (all[at + 3] & 0xFF);
			}
			else if (len7 == 127) {
				length = 0;
				for (int i = 0; i < 8; i++) {
					length = (length << 8) | (all[at + 2 + i] & 0xFF);
				}
			}
			if (this.length - at - header < length) {
				break;
			}
			byte[] payload = new byte[(int) length];
			System.arraycopy(all, at + header, payload, 0, payload.length);
			if ((all[at] & 0x30) != 0) {
				throw new IllegalStateException("RSV2 and RSV3 must be clear");
			}
			frames.add(new Frame((all[at] & 0x80) != 0, all[at] & 0x0F, payload, (all[at] & 0x40) != 0));
			at += header + (int) length;
		}
		System.arraycopy(all, at, all, 0, this.length - at);
		this.length -= at;
		return frames;
	}

}
