package io.starlet.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.ServletOutputStream;

/**
 * The frames waiting to go out on one connection, in order. Any thread may send; whoever sends,
 * and the engine's {@code onWritePossible}, drain the queue into the non-blocking
 * {@link ServletOutputStream} one chunk at a time while it {@code isReady()}, so the engine's
 * buffer stays near its 64 KiB threshold however big a message is, and a slow client costs the
 * queue (bounded by {@link #MAX_QUEUED}) instead of a blocked thread. A frame's bytes are never
 * interleaved with another's: the queue holds whole frames and one lock drains it.
 *
 * <p>A send completes when its last byte has been handed to the engine. Completions run after
 * the lock is released, on the thread that drained (the sender's, or the worker running
 * {@code onWritePossible}).
 */
final class Outbound {

	/** A send's end: {@code failure} is null when every byte was handed to the engine. */
	interface Completion {

		void done(Throwable failure);

	}

	/** Most bytes handed to the engine per write; the engine's readiness threshold is 64 KiB. */
	private static final int CHUNK = 32 * 1024;

	/** Most bytes queued here; a send beyond it fails (one message larger than this may still go alone). */
	static final long MAX_QUEUED = 64L * 1024 * 1024;

	private static final class Pending {

		final ByteBuffer[] buffers;

		final Completion completion;

		int index;

		Pending(ByteBuffer[] buffers, Completion completion) {
			this.buffers = buffers;
			this.completion = completion;
		}

		long remaining() {
			long n = 0;
			for (int i = this.index; i < this.buffers.length; i++) {
				n += this.buffers[i].remaining();
			}
			return n;
		}

	}

	private final ServletOutputStream out;

	private final Runnable closeConnection;

	private final ArrayDeque<Pending> queue = new ArrayDeque<>();

	private final byte[] scratch = new byte[CHUNK];

	private long queued;

	private boolean closeWhenDrained;

	private boolean connectionClosed;

	private IOException failure;

	/**
	 * @param out the upgraded connection's output
	 * @param closeConnection closes the connection (after the engine flushed what it holds)
	 */
	Outbound(ServletOutputStream out, Runnable closeConnection) {
		this.out = out;
		this.closeConnection = closeConnection;
	}

	/**
	 * Queues one frame (its buffers in order; they are read, not copied, until the completion)
	 * and starts draining.
	 * @throws IOException when the connection failed or closed, or the queue is full
	 */
	void send(ByteBuffer[] frame, Completion completion) throws IOException {
		enqueue(frame, completion);
		drain();
	}

	/**
	 * Queues one frame without draining: for a caller that must order frames under its own lock
	 * and drain after releasing it (completions run application code).
	 */
	void enqueue(ByteBuffer[] frame, Completion completion) throws IOException {
		synchronized (this) {
			if (this.failure != null) {
				throw new IOException("WebSocket connection closed", this.failure);
			}
			if (this.closeWhenDrained || this.connectionClosed) {
				throw new IOException("WebSocket connection is closing");
			}
			Pending pending = new Pending(frame, completion);
			long size = pending.remaining();
			if (!this.queue.isEmpty() && this.queued + size > MAX_QUEUED) {
				throw new IOException("More than " + MAX_QUEUED + " bytes waiting for a client that does not read");
			}
			this.queue.add(pending);
			this.queued += size;
		}
	}

	/** Bytes queued here and not yet handed to the engine. */
	synchronized long queuedBytes() {
		return this.queued;
	}

	/**
	 * Copies what is left of every queued frame, so the callers' buffers may be reused: for a
	 * blocking send that returns before its bytes were written (see {@code WsSession}).
	 */
	synchronized void detachBuffers() {
		for (Pending pending : this.queue) {
			for (int i = pending.index; i < pending.buffers.length; i++) {
				ByteBuffer buffer = pending.buffers[i];
				ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
				copy.put(buffer.duplicate()).flip();
				pending.buffers[i] = copy;
			}
		}
	}

	/** Writes while the engine is ready; then flushes so that it starts sending. */
	void drain() {
		List<Pending> done = new ArrayList<>();
		boolean close = false;
		IOException failed = null;
		synchronized (this) {
			try {
				while (!this.queue.isEmpty() && this.failure == null && this.out.isReady()) {
					Pending pending = this.queue.peek();
					writeChunk(pending);
					if (pending.index == pending.buffers.length) {
						this.queue.poll();
						done.add(pending);
					}
				}
				if (this.failure == null && !this.connectionClosed) {
					this.out.flush();
				}
			}
			catch (IOException | RuntimeException ex) {
				failed = ex instanceof IOException io ? io : new IOException(ex);
			}
			if (failed == null && this.queue.isEmpty() && this.closeWhenDrained && !this.connectionClosed) {
				this.connectionClosed = true;
				close = true;
			}
		}
		for (Pending pending : done) {
			pending.completion.done(null);
		}
		if (failed != null) {
			fail(failed);
		}
		if (close) {
			this.closeConnection.run();
		}
	}

	private void writeChunk(Pending pending) throws IOException {
		ByteBuffer buffer = pending.buffers[pending.index];
		int n = Math.min(buffer.remaining(), CHUNK);
		if (buffer.hasArray()) {
			this.out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
			buffer.position(buffer.position() + n);
		}
		else {
			buffer.get(this.scratch, 0, n);
			this.out.write(this.scratch, 0, n);
		}
		this.queued -= n;
		while (pending.index < pending.buffers.length && !pending.buffers[pending.index].hasRemaining()) {
			pending.index++;
		}
	}

	/** Closes the connection once every queued frame went out (the Close handshake is over). */
	void closeWhenDrained() {
		synchronized (this) {
			this.closeWhenDrained = true;
		}
		drain();
	}

	/** Closes the connection now; whatever is still queued fails. */
	void abort(IOException cause) {
		boolean close;
		synchronized (this) {
			close = !this.connectionClosed;
			this.connectionClosed = true;
		}
		// Close first: whoever waits on a failed send then finds the connection closed.
		if (close) {
			this.closeConnection.run();
		}
		fail(cause);
	}

	/** The connection broke: every queued send fails with {@code cause}, and so does every later one. */
	void fail(IOException cause) {
		List<Pending> failed;
		synchronized (this) {
			if (this.failure == null) {
				this.failure = cause;
			}
			failed = new ArrayList<>(this.queue);
			this.queue.clear();
			this.queued = 0;
		}
		for (Pending pending : failed) {
			pending.completion.done(cause);
		}
	}

}
