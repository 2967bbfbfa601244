package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

/**
 * The request body as a {@link ServletInputStream}, over the engine's framed body stream.
 * Reads block (the worker owns the connection); a read listener is therefore told at once that
 * data is available and then that all data was read.
 */
final class RequestInput extends ServletInputStream {

	private final InputStream body;

	private volatile boolean finished;

	private volatile boolean abandoned;

	private long bytesRead;

	RequestInput(InputStream body) {
		this.body = body;
	}

	@Override
	public int read() throws IOException {
		if (this.finished) {
			return -1;
		}
		checkNotAbandoned();
		int b = this.body.read();
		if (b < 0) {
			this.finished = true;
		}
		else {
			this.bytesRead++;
		}
		return b;
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		if (this.finished) {
			return -1;
		}
		if (len == 0) {
			return 0;
		}
		checkNotAbandoned();
		int n = this.body.read(b, off, len);
		if (n < 0) {
			this.finished = true;
		}
		else {
			this.bytesRead += n;
		}
		return n;
	}

	@Override
	public int available() throws IOException {
		return this.finished ? 0 : this.body.available();
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
		return this.finished;
	}

	@Override
	public boolean isReady() {
		return true;
	}

	@Override
	public void setReadListener(ReadListener readListener) {
		if (readListener == null) {
			throw new NullPointerException("readListener");
		}
		try {
			if (!this.finished) {
				readListener.onDataAvailable();
			}
			readListener.onAllDataRead();
		}
		catch (IOException | RuntimeException ex) {
			readListener.onError(ex);
		}
	}

	@Override
	public void close() {
		// the engine owns the connection; the body is drained or the connection closed after the response
	}

}
