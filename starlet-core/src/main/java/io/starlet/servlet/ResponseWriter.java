package io.starlet.servlet;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Encodes characters straight into the response output, so the response buffer always holds
 * everything written (isCommitted, resetBuffer and Content-Length stay exact). Only a dangling
 * high surrogate waits for its pair.
 */
final class ResponseWriter extends Writer {

	private final ResponseOutput output;

	private final CharsetEncoder encoder;

	private final ByteBuffer bytes = ByteBuffer.allocate(2048);

	private char pendingHighSurrogate;

	ResponseWriter(ResponseOutput output, Charset charset) {
		this.output = output;
		this.encoder = charset.newEncoder()
			.onMalformedInput(CodingErrorAction.REPLACE)
			.onUnmappableCharacter(CodingErrorAction.REPLACE);
	}

	@Override
	public void write(char[] cbuf, int off, int len) throws IOException {
		if (len <= 0) {
			return;
		}
		CharBuffer in;
		if (this.pendingHighSurrogate != 0) {
			char[] joined = new char[len + 1];
			joined[0] = this.pendingHighSurrogate;
			System.arraycopy(cbuf, off, joined, 1, len);
			this.pendingHighSurrogate = 0;
			in = CharBuffer.wrap(joined);
		}
		else {
			in = CharBuffer.wrap(cbuf, off, len);
		}
		encode(in);
	}

	@Override
	public void write(String str, int off, int len) throws IOException {
		if (len <= 0) {
			return;
		}
		if (this.pendingHighSurrogate != 0) {
			write(str.substring(off, off + len).toCharArray(), 0, len);
			return;
		}
		encode(CharBuffer.wrap(str, off, off + len));
	}

	@Override
	public void write(int c) throws IOException {
		write(new char[] { (char) c }, 0, 1);
	}

	private void encode(CharBuffer in) throws IOException {
		while (true) {
			CoderResult result = this.encoder.encode(in, this.bytes, false);
			drain();
			if (result.isUnderflow()) {
				break;
			}
		}
		if (in.hasRemaining()) {
			this.pendingHighSurrogate = in.get();
		}
	}

	private void drain() throws IOException {
		if (this.bytes.position() > 0) {
			this.output.write(this.bytes.array(), 0, this.bytes.position());
			this.bytes.clear();
		}
	}

	/** Forgets a dangling surrogate (the buffer it belonged to was reset). */
	void reset() {
		this.pendingHighSurrogate = 0;
		this.encoder.reset();
	}

	@Override
	public void flush() throws IOException {
		this.output.flush();
	}

	@Override
	public void close() throws IOException {
		this.output.close();
	}

}
