package io.starlet.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a response body in chunked transfer coding: each write becomes one chunk,
 * {@link #close()} writes the last chunk. The target is expected to buffer (the engine's
 * connection output), so a chunk's size line, data and CRLF leave in one write.
 */
public final class ChunkedOutputStream extends OutputStream {

	private static final byte[] HEX = "0123456789abcdef".getBytes();

	private static final byte[] LAST_CHUNK = { '0', '\r', '\n', '\r', '\n' };

	private final OutputStream target;

	private final byte[] sizeLine = new byte[18];

	private boolean closed;

	private java.util.function.Supplier<java.util.Map<String, String>> trailers;

	/** Trailer fields, asked for when the body ends (the servlet API's {@code setTrailerFields}). */
	public void trailers(java.util.function.Supplier<java.util.Map<String, String>> trailers) {
		this.trailers = trailers;
	}

	public ChunkedOutputStream(OutputStream target) {
		this.target = target;
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		if (this.closed) {
			throw new IOException("response body already complete");
		}
		if (len == 0) {
			return;
		}
		int pos = this.sizeLine.length - 2;
		this.sizeLine[pos] = '\r';
		this.sizeLine[pos + 1] = '\n';
		int n = len;
		do {
			this.sizeLine[--pos] = HEX[n & 0xf];
			n >>>= 4;
		}
		while (n != 0);
		this.target.write(this.sizeLine, pos, this.sizeLine.length - pos);
		this.target.write(b, off, len);
		this.target.write(LAST_CHUNK, 3, 2);
	}

	@Override
	public void flush() throws IOException {
		this.target.flush();
	}

	/** Writes the last chunk; does not close the connection. */
	@Override
	public void close() throws IOException {
		if (!this.closed) {
			this.closed = true;
			if (this.trailers == null) {
				this.target.write(LAST_CHUNK);
				return;
			}
			ResponseHead section = new ResponseHead();
			section.formatLastChunk(this.trailers.get());
			this.target.write(section.bytes(), 0, section.length());
		}
	}

}
