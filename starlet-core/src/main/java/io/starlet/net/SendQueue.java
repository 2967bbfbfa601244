package io.starlet.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;

/**
 * Bytes waiting to be sent on an upgraded connection, or of a response a slow client has not
 * taken ({@link UnsentOutput}), in chunks so that a large backlog is neither copied when it grows
 * nor when part of it goes out. Not thread-safe: its owner locks.
 */
public final class SendQueue {

	private static final int CHUNK = 16 * 1024;

	/** Most chunks handed to one gathering write. */
	private static final int GATHER = 16;

	/**
	 * Bytes beyond which no further chunk joins a gathering write. The JDK copies every heap
	 * buffer of a gathering write into native memory first, whatever the socket then takes: with
	 * 16 chunks of 64 KiB, a socket that takes 30 KB cost a 1 MB copy. A slow client's socket
	 * takes little at a time, so this keeps the copy near what is sent (bench/downloads).
	 */
	private static final int GATHER_BYTES = 64 * 1024;

	/** Chunks in order; each is in read mode (position = next byte to send), except the tail while filled. */
	private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();

	/** The last chunk, still being filled (write mode), or null. */
	private ByteBuffer tail;

	private long size;

	private final ByteBuffer[] gather = new ByteBuffer[GATHER];

	/** Unsent bytes. */
	public long size() {
		return this.size;
	}

	public boolean isEmpty() {
		return this.size == 0;
	}

	public void add(byte[] b, int off, int len) {
		while (len > 0) {
			if (this.tail == null || !this.tail.hasRemaining()) {
				sealTail();
				this.tail = ByteBuffer.allocate(Math.max(CHUNK, Math.min(len, 4 * CHUNK)));
			}
			int n = Math.min(len, this.tail.remaining());
			this.tail.put(b, off, n);
			off += n;
			len -= n;
			this.size += n;
		}
	}

	/** Adds {@code src}'s remaining bytes, consuming them. */
	public void add(ByteBuffer src) {
		while (src.hasRemaining()) {
			if (this.tail == null || !this.tail.hasRemaining()) {
				sealTail();
				this.tail = ByteBuffer.allocate(Math.max(CHUNK, Math.min(src.remaining(), 4 * CHUNK)));
			}
			int n = Math.min(src.remaining(), this.tail.remaining());
			int limit = src.limit();
			src.limit(src.position() + n);
			this.tail.put(src);
			src.limit(limit);
			this.size += n;
		}
	}

	private void sealTail() {
		if (this.tail != null) {
			this.tail.flip();
			this.chunks.add(this.tail);
			this.tail = null;
		}
	}

	/**
	 * Writes what the channel takes without waiting.
	 * @return bytes written
	 */
	public long writeTo(GatheringByteChannel channel) throws IOException {
		sealTail();
		long total = 0;
		while (!this.chunks.isEmpty()) {
			int n = 0;
			long offered = 0;
			for (ByteBuffer chunk : this.chunks) {
				if (n == GATHER || n > 0 && offered >= GATHER_BYTES) {
					break;
				}
				this.gather[n++] = chunk;
				offered += chunk.remaining();
			}
			long written = channel.write(this.gather, 0, n);
			java.util.Arrays.fill(this.gather, 0, n, null);
			total += written;
			this.size -= written;
			while (!this.chunks.isEmpty() && !this.chunks.peek().hasRemaining()) {
				this.chunks.poll();
			}
			if (written < offered) {
				break; // the socket is full
			}
		}
		return total;
	}

	/** Forgets every unsent byte (the connection failed). */
	public void clear() {
		this.chunks.clear();
		this.tail = null;
		this.size = 0;
	}

}
