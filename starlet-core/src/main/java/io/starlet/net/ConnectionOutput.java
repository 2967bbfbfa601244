package io.starlet.net;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;

/**
 * A worker's buffered output to its current connection. The response head and a small body
 * collect here and leave in one write; {@link #flush()} writes with the write timeout.
 */
public final class ConnectionOutput extends OutputStream {

	private final byte[] buf;

	private final ByteBuffer view;

	private int count;

	private Connection connection;

	private Selector selector;

	private long timeoutNanos;

	private long written;

	public ConnectionOutput(int size) {
		this.buf = new byte[size];
		this.view = ByteBuffer.wrap(this.buf);
	}

	/** Points this output at a connection; discards anything left from the previous one. */
	public void attach(Connection connection, Selector selector, long timeoutNanos) {
		this.connection = connection;
		this.selector = selector;
		this.timeoutNanos = timeoutNanos;
		this.count = 0;
		this.written = 0;
	}

	/** Bytes handed to the socket since {@link #attach}, not counting what is still buffered. */
	public long written() {
		return this.written;
	}

	@Override
	public void write(int b) throws IOException {
		if (this.count == this.buf.length) {
			flushBuffer();
		}
		this.buf[this.count++] = (byte) b;
	}

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		if (len <= this.buf.length - this.count) {
			System.arraycopy(b, off, this.buf, this.count, len);
			this.count += len;
			return;
		}
		flushBuffer();
		if (len >= this.buf.length) {
			writeFully(ByteBuffer.wrap(b, off, len));
		}
		else {
			System.arraycopy(b, off, this.buf, 0, len);
			this.count = len;
		}
	}

	@Override
	public void flush() throws IOException {
		flushBuffer();
	}

	private void flushBuffer() throws IOException {
		if (this.count > 0) {
			this.view.clear().limit(this.count);
			this.count = 0;
			writeFully(this.view);
		}
	}

	private void writeFully(ByteBuffer src) throws IOException {
		int n = src.remaining();
		this.connection.write(src, this.selector, this.timeoutNanos);
		this.written += n;
	}

}
