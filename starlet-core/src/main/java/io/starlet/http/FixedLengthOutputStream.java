package io.starlet.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A body with a declared {@code Content-Length}: writing more is an error, and {@link #close()}
 * reports a body that came up short, since the connection then cannot be reused.
 */
public final class FixedLengthOutputStream extends OutputStream {

	private final OutputStream target;

	private long remaining;

	public FixedLengthOutputStream(OutputStream target, long length) {
		this.target = target;
		this.remaining = length;
	}

	@Override
	public void write(int b) throws IOException {
		if (this.remaining <= 0) {
			throw new IOException("response body longer than its Content-Length");
		}
		this.target.write(b);
		this.remaining--;
	}

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		if (len > this.remaining) {
			throw new IOException("response body longer than its Content-Length");
		}
		this.target.write(b, off, len);
		this.remaining -= len;
	}

	@Override
	public void flush() throws IOException {
		this.target.flush();
	}

	/** Bytes still owed to the client. */
	public long remaining() {
		return this.remaining;
	}

	@Override
	public void close() {
		// Nothing to write; the engine checks remaining() to decide whether the connection survives.
	}

}
