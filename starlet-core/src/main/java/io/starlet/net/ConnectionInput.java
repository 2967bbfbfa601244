package io.starlet.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;

/**
 * The raw bytes after the request head: first what is already buffered, then the socket, each
 * read bounded by the read timeout. Framing streams ({@code FixedLengthInputStream},
 * {@code ChunkedInputStream}) sit on top and stop at the body's end, so pipelined bytes stay in
 * the buffer for the next request.
 *
 * <p>Reads refill the buffer from {@code bodyBase} (just after the head), never over the head.
 */
public final class ConnectionInput extends InputStream {

	/** Reads at least this large, with nothing buffered, bypass the receive buffer. */
	static final int DIRECT_READ = 8192;

	private final Connection connection;

	private Selector selector;

	private long timeoutNanos;

	private final int bodyBase;

	private Runnable beforeFirstWait;

	/** The rate the client must keep; null for no minimum. */
	private MinimumRate minRate;

	/** When the body started, for the minimum rate: when the rate was set (the connection's clock). */
	private long rateStart;

	/** Bytes read from the socket by this stream, for the minimum rate. */
	private long received;

	public ConnectionInput(Connection connection, Selector selector, long timeoutNanos, int bodyBase) {
		this.connection = connection;
		this.selector = selector;
		this.timeoutNanos = timeoutNanos;
		this.bodyBase = bodyBase;
	}

	/** Changes the selector reads wait on (a suspended exchange's body read off its worker). */
	public void selector(Selector selector) {
		this.selector = selector;
	}

	/** Changes the per-read deadline (shorter while draining an unread body). */
	public void timeoutNanos(long timeoutNanos) {
		this.timeoutNanos = timeoutNanos;
	}

	/**
	 * Requires the client to keep the minimum rate from now on: a streamed body is read by a
	 * worker, and a client that trickles it must not hold that worker for the whole
	 * {@code timeout}. Below the rate a read fails with {@link java.net.SocketTimeoutException}.
	 */
	public void minRate(MinimumRate rate) {
		this.minRate = rate.applies() ? rate : null;
		this.rateStart = this.connection.clock().nanoTime();
	}

	/**
	 * Runs once, before the first time this stream has to wait for the client
	 * ({@code 100 Continue} goes out there).
	 */
	public void beforeFirstWait(Runnable action) {
		this.beforeFirstWait = action;
	}

	@Override
	public int read() throws IOException {
		Connection c = this.connection;
		if (c.pos == c.end && !fill()) {
			return -1;
		}
		return c.buffer()[c.pos++] & 0xff;
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		if (len == 0) {
			return 0;
		}
		Connection c = this.connection;
		if (c.pos == c.end) {
			if (len >= DIRECT_READ) {
				return readDirect(ByteBuffer.wrap(b, off, len));
			}
			if (!fill()) {
				return -1;
			}
		}
		int n = Math.min(len, c.end - c.pos);
		System.arraycopy(c.buffer(), c.pos, b, off, n);
		c.pos += n;
		return n;
	}

	@Override
	public int available() {
		return this.connection.end - this.connection.pos;
	}

	/**
	 * A large read with nothing buffered goes from the socket straight into the caller's array:
	 * one copy less, and fewer system calls than refilling the receive buffer. The framing streams
	 * above never ask for more than the body has left, so no byte of a next request is taken.
	 */
	private int readDirect(ByteBuffer dst) throws IOException {
		Connection c = this.connection;
		if (this.beforeFirstWait != null) {
			Runnable action = this.beforeFirstWait;
			this.beforeFirstWait = null;
			int n = c.readNow(dst);
			if (n != 0) {
				return n;
			}
			action.run();
		}
		return counted(c.read(dst, this.selector, waitNanos()));
	}

	private boolean fill() throws IOException {
		Connection c = this.connection;
		c.pos = this.bodyBase;
		c.end = this.bodyBase;
		if (this.beforeFirstWait != null) {
			Runnable action = this.beforeFirstWait;
			this.beforeFirstWait = null;
			if (c.readNow() != 0) {
				return c.end > c.pos;
			}
			action.run();
		}
		return counted(c.read(this.selector, waitNanos())) > 0;
	}

	private int counted(int n) {
		if (n > 0) {
			this.received += n;
		}
		return n;
	}

	/** How long the next wait may take: the read timeout, or less to keep the minimum rate. */
	private long waitNanos() throws java.net.SocketTimeoutException {
		if (this.minRate == null) {
			return this.timeoutNanos;
		}
		long left = this.minRate.deadline(this.rateStart, this.received) - this.connection.clock().nanoTime();
		if (left <= 0) {
			throw new java.net.SocketTimeoutException(
					"request body arrived below " + this.minRate.bytesPerSecond() + " bytes per second");
		}
		return Math.min(this.timeoutNanos, left);
	}

}
