package io.starlet.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** A body framed by {@code Content-Length}: exactly {@code length} bytes of the source. */
public final class FixedLengthInputStream extends InputStream {

	private final InputStream source;

	private long remaining;

	public FixedLengthInputStream(InputStream source, long length) {
		this.source = source;
		this.remaining = length;
	}

	@Override
	public int read() throws IOException {
		if (this.remaining <= 0) {
			return -1;
		}
		int b = this.source.read();
		if (b < 0) {
			throw truncated();
		}
		this.remaining--;
		return b;
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		if (len == 0) {
			return 0;
		}
		if (this.remaining <= 0) {
			return -1;
		}
		int n = this.source.read(b, off, (int) Math.min(len, this.remaining));
		if (n < 0) {
			throw truncated();
		}
		this.remaining -= n;
		return n;
	}

	@Override
	public int available() throws IOException {
		return (int) Math.min(this.source.available(), this.remaining);
	}

	/** Whether the whole body has been read. */
	public boolean isFinished() {
		return this.remaining <= 0;
	}

	public long remaining() {
		return this.remaining;
	}

	private EOFException truncated() {
		return new EOFException("connection closed with " + this.remaining + " bytes of the request body missing");
	}

}
