package io.starlet.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

import io.starlet.Exchange;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The response body with its buffer. Nothing reaches the engine until the buffer overflows, the
 * application flushes, or the response completes: a body that fits entirely goes out with
 * {@code Content-Length} in one write, a larger one is committed with unknown length (chunked).
 *
 * <p>The methods are synchronized: during an async cycle an application thread may write while
 * the worker completes the response (after a timeout, say), and the engine's streams must never
 * see both at once.
 */
final class ResponseOutput extends ServletOutputStream {

	private final ContainerResponse response;

	private final Exchange exchange;

	/** The response buffer's size as the application sees it ({@code getBufferSize}). */
	private int capacity;

	/**
	 * The bytes buffered so far. It starts small and grows up to {@link #capacity}: most
	 * responses are far smaller than the 8 KiB buffer, and allocating it whole for every request
	 * was a large part of what a Spring MVC request allocated. It is the array of the
	 * worker's previous response when there is one ({@link #SPARE}).
	 */
	private byte[] buffer;

	private int count;

	private static final int INITIAL_ARRAY = 512;

	/**
	 * Per worker thread, the array its last response completed with, lent to its next response.
	 * A response gives its array back only once it is complete and no longer refers to it, and
	 * only on the thread that took it: a late write from an application thread then finds the
	 * output closed and an empty array, never the bytes of a later response.
	 */
	private static final ThreadLocal<byte[]> SPARE = new ThreadLocal<>();

	/** Larger arrays (a {@code setBufferSize} far above the default) are not kept. */
	private static final int SPARE_LIMIT = 64 * 1024;

	private static final byte[] NO_ARRAY = new byte[0];

	private final Thread owner = Thread.currentThread();

	private OutputStream sink;

	private GZIPOutputStream gzip;

	private boolean committed;

	private boolean closed;

	private boolean completed;

	private long written;

	ResponseOutput(ContainerResponse response, Exchange exchange, int bufferSize) {
		this.response = response;
		this.exchange = exchange;
		this.capacity = bufferSize;
		byte[] spare = SPARE.get();
		if (spare != null) {
			SPARE.set(null);
			this.buffer = spare;
		}
		else {
			this.buffer = new byte[Math.min(bufferSize, INITIAL_ARRAY)];
		}
	}

	/** Called once the buffer's bytes have gone to the engine and will never be read again. */
	private void releaseArray() {
		byte[] array = this.buffer;
		this.buffer = NO_ARRAY;
		this.count = 0;
		if (array.length > 0 && array.length <= SPARE_LIMIT && Thread.currentThread() == this.owner) {
			SPARE.set(array);
		}
	}

	int bufferSize() {
		return this.capacity;
	}

	private void ensureArray(int needed) {
		if (needed > this.buffer.length) {
			this.buffer = java.util.Arrays.copyOf(this.buffer,
					Math.min(this.capacity, Math.max(needed, this.buffer.length * 2)));
		}
	}

	void setBufferSize(int size) {
		if (this.committed || this.count > 0) {
			throw new IllegalStateException("setBufferSize after content has been written");
		}
		// the array (empty so far) grows on demand up to the new capacity
		this.capacity = Math.max(size, 512);
	}

	boolean isCommitted() {
		return this.committed;
	}

	boolean isClosed() {
		return this.closed;
	}

	/** Bytes the application wrote (uncompressed), including buffered ones. */
	long bytesWritten() {
		return this.written + this.count;
	}

	synchronized void clearBuffer() {
		this.count = 0;
	}

	/** Lets a reset response be written again (used before an error dispatch). */
	void reopen() {
		if (!this.committed) {
			this.closed = false;
			this.completed = false;
		}
	}

	@Override
	public synchronized void write(int b) throws IOException {
		if (this.closed || this.response.isSuspended() || withinDeclaredLength(1) == 0) {
			return;
		}
		if (!this.committed && this.count < this.capacity) {
			ensureArray(this.count + 1);
			this.buffer[this.count++] = (byte) b;
			checkContentLength();
			return;
		}
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public synchronized void write(byte[] b, int off, int len) throws IOException {
		if (this.closed || this.response.isSuspended()) {
			return;
		}
		Objects.checkFromIndexSize(off, len, b.length);
		len = withinDeclaredLength(len);
		if (len == 0) {
			return;
		}
		if (!this.committed) {
			if (this.count + len <= this.capacity) {
				ensureArray(this.count + len);
				System.arraycopy(b, off, this.buffer, this.count, len);
				this.count += len;
				checkContentLength();
				return;
			}
			commitStreaming();
		}
		try {
			this.sink.write(b, off, len);
		}
		catch (IOException ex) {
			throw this.response.clientAborted(ex);
		}
		this.written += len;
		checkContentLength();
	}

	/**
	 * How many of {@code len} bytes fit in a declared {@code Content-Length}. The rest is dropped,
	 * as Tomcat drops it: the client was promised that length, and a growing file sent with the
	 * size it had a moment ago should arrive as a whole response of that size, not as a broken one.
	 */
	private int withinDeclaredLength(int len) {
		long declared = this.response.declaredContentLength();
		if (declared < 0) {
			return len;
		}
		return (int) Math.max(0, Math.min(len, declared - bytesWritten()));
	}

	private void checkContentLength() throws IOException {
		long declared = this.response.declaredContentLength();
		if (declared >= 0 && bytesWritten() >= declared && !this.exchange.isHead()) {
			close();
		}
	}

	@Override
	public synchronized void flush() throws IOException {
		if (this.closed || this.response.isSuspended()) {
			return;
		}
		if (!this.committed) {
			commitStreaming();
		}
		try {
			if (this.gzip != null) {
				this.gzip.flush();
			}
			this.sink.flush();
		}
		catch (IOException ex) {
			throw this.response.clientAborted(ex);
		}
	}

	/** Commits with the body's length unknown and moves the buffered bytes to the engine. */
	private void commitStreaming() throws IOException {
		this.response.writeHead();
		boolean compress = this.response.shouldCompress(-1);
		long declared = this.response.declaredContentLength();
		try {
			if (this.response.bodyless()) {
				// the engine sends no body for these statuses, whatever is written, and passes flushes on
				this.exchange.commit(bodylessLength());
				this.sink = this.exchange.responseBody();
			}
			else if (compress) {
				this.response.markCompressed();
				this.exchange.commit(-1);
				this.gzip = new GZIPOutputStream(this.exchange.responseBody(), 8192, true);
				this.sink = this.gzip;
			}
			else {
				this.exchange.commit((declared >= 0) ? declared : -1);
				this.sink = this.exchange.responseBody();
			}
			this.committed = true;
			if (this.count > 0) {
				this.sink.write(this.buffer, 0, this.count);
				this.written += this.count;
				this.count = 0;
			}
		}
		catch (IOException ex) {
			this.committed = true;
			throw this.response.clientAborted(ex);
		}
	}

	@Override
	public synchronized void close() throws IOException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		complete();
	}

	/**
	 * Ends the body. If nothing was committed yet the whole body is known: it is sent with its
	 * exact {@code Content-Length} (compressed first when compression applies).
	 */
	synchronized void complete() throws IOException {
		this.closed = true;
		if (this.completed) {
			return;
		}
		this.completed = true;
		try {
			if (!this.committed) {
				this.response.writeHead();
				boolean compress = this.count > 0 && this.response.shouldCompress(this.count);
				this.committed = true;
				if (compress) {
					this.response.markCompressed();
					ByteArrayOutputStream compressed = new ByteArrayOutputStream(Math.max(64, this.count / 3));
					try (GZIPOutputStream out = new GZIPOutputStream(compressed, 1024)) {
						out.write(this.buffer, 0, this.count);
					}
					this.exchange.commit(compressed.size());
					if (!this.exchange.isHead()) {
						compressed.writeTo(this.exchange.responseBody());
					}
				}
				else {
					long declared = this.response.declaredContentLength();
					long length = (this.exchange.isHead() && declared >= 0 && this.count == 0) ? declared : this.count;
					if (this.response.bodyless()) {
						length = bodylessLength();
					}
					this.exchange.commit(length);
					if (this.count > 0 && !this.exchange.isHead() && !this.response.bodyless()) {
						this.exchange.responseBody().write(this.buffer, 0, this.count);
					}
				}
				this.written += this.count;
				this.count = 0;
				this.exchange.responseBody().flush();
			}
			else {
				if (this.gzip != null) {
					this.gzip.finish();
				}
				this.sink.flush();
			}
		}
		catch (IOException ex) {
			throw this.response.clientAborted(ex);
		}
		finally {
			releaseArray();
		}
	}

	/**
	 * The exchange is over: whatever happens later (a late write from an application thread)
	 * must never reach the engine, whose streams already serve the worker's next request.
	 */
	synchronized void abandon() {
		this.closed = true;
		this.completed = true;
		releaseArray();
	}

	/**
	 * The length a status without content declares: none for 1xx, 204 and 304 (RFC 9110 §8.6; a
	 * HEAD would otherwise get {@code Content-Length: 0}), zero for 205, which must say it is empty.
	 */
	private long bodylessLength() {
		return (this.response.getStatus() == HttpServletResponse.SC_RESET_CONTENT) ? 0 : -1;
	}

	@Override
	public boolean isReady() {
		return true;
	}

	@Override
	public void setWriteListener(WriteListener writeListener) {
		Objects.requireNonNull(writeListener, "writeListener");
		EmulatedNonBlocking.callBack(writeListener::onWritePossible, writeListener::onError);
	}

}
