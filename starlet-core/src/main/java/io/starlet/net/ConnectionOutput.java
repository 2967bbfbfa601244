package io.starlet.net;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;

/**
 * A worker's buffered output to its current connection. The response head and a small body
 * collect here and leave in one write; {@link #flush()} writes with the write timeout.
 *
 * <p>The buffer is direct: a channel writes a heap buffer by first copying it into a temporary
 * direct buffer of the writing thread's own, which every new worker (one per
 * {@code max-reqs-per-child} requests) would allocate again. This one outlives its worker: a
 * retiring worker hands it to its successor. A body larger than the buffer is written straight
 * from the caller's array in one call.
 *
 * <p>A worker's output may hold what a slow client does not take at once ({@link UnsentOutput}),
 * so that the worker finishes the response without waiting for the client.
 */
public final class ConnectionOutput extends OutputStream {

	private final ByteBuffer buf;

	private Connection connection;

	private Selector selector;

	private SelectorSource selectors;

	private long timeoutNanos;

	/** How a worker's writes hold what the socket does not take; null: they wait for it. */
	private UnsentOutput.Policy holding;

	private long written;

	public ConnectionOutput(int size) {
		this.buf = ByteBuffer.allocateDirect(size);
	}

	/** Points this output at a connection; discards anything left from the previous one. */
	public void attach(Connection connection, Selector selector, long timeoutNanos) {
		attach(connection, selector, timeoutNanos, null);
	}

	/**
	 * Points this output at a connection for a worker whose writes hold, within {@code holding}'s
	 * limits, what a slow client does not take at once ({@code null}: they wait for it).
	 */
	public void attach(Connection connection, Selector selector, long timeoutNanos, UnsentOutput.Policy holding) {
		this.connection = connection;
		this.selector = selector;
		this.selectors = null;
		this.timeoutNanos = timeoutNanos;
		this.holding = holding;
		this.buf.clear();
		this.written = 0;
	}

	/**
	 * Points this output at a connection for a thread without a selector of its own (a suspended
	 * exchange written from application threads): a write that must wait borrows one.
	 */
	public void attachBorrowing(Connection connection, SelectorSource selectors, long timeoutNanos) {
		attach(connection, null, timeoutNanos);
		this.selectors = selectors;
	}

	/** Bytes handed to the socket since {@link #attach}, not counting what is still buffered. */
	public long written() {
		return this.written;
	}

	@Override
	public void write(int b) throws IOException {
		if (!this.buf.hasRemaining()) {
			flushBuffer();
		}
		this.buf.put((byte) b);
	}

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		if (len <= this.buf.remaining()) {
			this.buf.put(b, off, len);
			return;
		}
		flushBuffer();
		if (len >= this.buf.capacity()) {
			writeFully(ByteBuffer.wrap(b, off, len));
		}
		else {
			this.buf.put(b, off, len);
		}
	}

	@Override
	public void flush() throws IOException {
		flushBuffer();
	}

	/**
	 * Flushes, then waits until the client has taken every held byte: the connection is about to
	 * be written by someone who writes straight to the socket (a suspension, an upgrade).
	 */
	public void flushAndAwaitSent() throws IOException {
		flushBuffer();
		this.connection.awaitSent(this.timeoutNanos);
	}

	private void flushBuffer() throws IOException {
		if (this.buf.position() > 0) {
			this.buf.flip();
			try {
				writeFully(this.buf);
			}
			finally {
				this.buf.clear();
			}
		}
	}

	private void writeFully(ByteBuffer src) throws IOException {
		int n = src.remaining();
		if (this.selectors != null) {
			this.connection.write(src, this.selectors, this.timeoutNanos);
		}
		else if (this.holding != null) {
			this.connection.writeOrHold(src, this.selector, this.timeoutNanos, this.holding);
		}
		else {
			this.connection.write(src, this.selector, this.timeoutNanos);
		}
		this.written += n;
	}

}
