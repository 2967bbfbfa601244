package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

/**
 * The request body as a {@link ServletInputStream}, over the engine's framed body stream.
 * Reads block (the worker owns the connection); a read listener is therefore told at once that
 * data is available and then that all data was read.
 */
final class RequestInput extends ServletInputStream {

	/** The largest rest of a body {@link #readNBytes(int)} allocates up front, before it arrives. */
	static final int EXACT_READ_LIMIT = 1024 * 1024;

	private final InputStream body;

	/** {@link io.starlet.Exchange#requestBodyRemaining()}: -1 when the rest is unknown. */
	private final LongSupplier remaining;

	private volatile boolean finished;

	private volatile boolean abandoned;

	private long bytesRead;

	/** Bytes read since {@link #mark}, for {@link #reset}; null when there is no valid mark. */
	private byte[] marked;

	private int markedCount;

	private int markLimit;

	/** Bytes {@link #reset} gave back, read again before the body continues. */
	private byte[] replay;

	private int replayPos;

	private int replayEnd;

	private final byte[] single = new byte[1];

	RequestInput(InputStream body, LongSupplier remaining) {
		this.body = body;
		this.remaining = remaining;
	}

	@Override
	public int read() throws IOException {
		if (this.replayPos < this.replayEnd) {
			return remember(this.replay[this.replayPos++] & 0xff);
		}
		if (this.finished) {
			return -1;
		}
		checkNotAbandoned();
		int b = this.body.read();
		if (b < 0) {
			this.finished = true;
			return b;
		}
		this.bytesRead++;
		return remember(b);
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		if (len == 0) {
			return 0;
		}
		int n;
		if (this.replayPos < this.replayEnd) {
			n = Math.min(len, this.replayEnd - this.replayPos);
			System.arraycopy(this.replay, this.replayPos, b, off, n);
			this.replayPos += n;
		}
		else {
			if (this.finished) {
				return -1;
			}
			checkNotAbandoned();
			n = this.body.read(b, off, len);
			if (n < 0) {
				this.finished = true;
				return n;
			}
			this.bytesRead += n;
		}
		if (this.marked != null) {
			remember(b, off, n);
		}
		return n;
	}

	/**
	 * With a {@code Content-Length}, the whole rest of the body goes into one array of its exact
	 * size, read straight from the socket, instead of the chunks and the final copy of
	 * {@link InputStream#readNBytes(int)} (Spring MVC reads {@code @RequestBody byte[]} and
	 * {@code String} bodies this way).
	 */
	@Override
	public byte[] readNBytes(int len) throws IOException {
		if (len < 0) {
			throw new IllegalArgumentException("len < 0");
		}
		// A mark may be active (Spring MVC peeks at the body first): the reads below record for
		// it, or drop it once they pass its limit, like any other read.
		long left = this.finished ? -1 : this.remaining.getAsLong();
		if (left < 0) {
			return super.readNBytes(len);
		}
		left += this.replayEnd - this.replayPos;
		if (left > EXACT_READ_LIMIT) {
			return super.readNBytes(len);
		}
		byte[] result = new byte[(int) Math.min(len, left)];
		int n = readNBytes(result, 0, result.length);
		return (n == result.length) ? result : Arrays.copyOf(result, n);
	}

	@Override
	public boolean markSupported() {
		return true;
	}

	/**
	 * Supported so that a peek at the body (Spring MVC's check for an empty body reads one byte
	 * and resets) needs no pushback wrapper around this stream.
	 */
	@Override
	public synchronized void mark(int readlimit) {
		this.markLimit = Math.max(readlimit, 0);
		this.marked = new byte[Math.min(Math.max(this.markLimit, 1), 64)];
		this.markedCount = 0;
	}

	@Override
	public synchronized void reset() throws IOException {
		if (this.marked == null) {
			throw new IOException("reset without a valid mark");
		}
		int pending = this.replayEnd - this.replayPos;
		byte[] again = new byte[this.markedCount + pending];
		System.arraycopy(this.marked, 0, again, 0, this.markedCount);
		if (pending > 0) {
			System.arraycopy(this.replay, this.replayPos, again, this.markedCount, pending);
		}
		this.replay = again;
		this.replayPos = 0;
		this.replayEnd = again.length;
		// the mark stays where it was; the bytes are recorded again as they are read again
		this.markedCount = 0;
	}

	private int remember(int b) {
		if (this.marked != null) {
			this.single[0] = (byte) b;
			remember(this.single, 0, 1);
		}
		return b;
	}

	private void remember(byte[] b, int off, int n) {
		if (this.markedCount + n > this.markLimit) {
			this.marked = null; // read past the limit: the mark is invalid
			return;
		}
		if (this.markedCount + n > this.marked.length) {
			this.marked = Arrays.copyOf(this.marked, Math.min(this.markLimit, Math.max(2 * this.marked.length, this.markedCount + n)));
		}
		System.arraycopy(b, off, this.marked, this.markedCount, n);
		this.markedCount += n;
	}

	@Override
	public int available() throws IOException {
		int replayed = this.replayEnd - this.replayPos;
		return replayed + (this.finished ? 0 : this.body.available());
	}

	private void checkNotAbandoned() throws IOException {
		if (this.abandoned) {
			throw new IOException("The request is over: its body can no longer be read");
		}
	}

	/** The exchange is over: a late read must not take bytes of the connection's next request. */
	void abandon() {
		this.abandoned = true;
	}

	long bytesRead() {
		return this.bytesRead;
	}

	@Override
	public boolean isFinished() {
		boolean bodyDone = this.finished || this.remaining.getAsLong() == 0;
		return bodyDone && this.replayPos >= this.replayEnd;
	}

	@Override
	public boolean isReady() {
		return true;
	}

	@Override
	public void setReadListener(ReadListener readListener) {
		Objects.requireNonNull(readListener, "readListener");
		EmulatedNonBlocking.callBack(() -> {
			if (!isFinished()) {
				readListener.onDataAvailable();
			}
			readListener.onAllDataRead();
		}, readListener::onError);
	}

	@Override
	public void close() {
		// the engine owns the connection; the body is drained or the connection closed after the response
	}

}
