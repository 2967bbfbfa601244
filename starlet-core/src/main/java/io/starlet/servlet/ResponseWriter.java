package io.starlet.servlet;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes characters into the response output.
 *
 * <p>Until the response is committed, every write is encoded straight into the response buffer,
 * so that the buffer always holds everything written (isCommitted, resetBuffer and
 * Content-Length stay exact). Once it is committed and streams without a declared length
 * (chunked), the writer gathers the encoded bytes and hands them over {@link #HELD} bytes at a
 * time, at {@link #flush()}, or when the container finishes the response
 * ({@link #drainHeld()}). Why: a template engine writes a page in hundreds of pieces of a few
 * bytes; past the 8 KiB buffer each piece used to become one chunk on the wire, with its own size
 * line and CRLF (a third more bytes for a Thymeleaf table, and three writes per piece), where
 * Tomcat sends 8 KiB chunks (issue 21).
 *
 * <p>Its array starts at {@link #INITIAL} bytes and grows to {@link #HELD} only when it has to
 * gather, once the response streams chunked: before that every write leaves it at once, so most
 * responses (those that fit the response buffer) never need more. An 8 KiB array per response
 * was most of what Starlet allocated beyond Tomcat per page (about 7 KB of 142 KB on the detail
 * page of docs/benchmarks.md).
 *
 * <p>Text in an ASCII-compatible charset (UTF-8, ISO-8859-1, US-ASCII; nearly all HTML is ASCII)
 * is copied byte by byte without the encoder, which for a String costs a wrapper object and the
 * encoder's slow per-character path. Only a dangling high surrogate waits for its pair.
 */
final class ResponseWriter extends Writer {

	static final int HELD = 8192;

	static final int INITIAL = 512;

	private final ResponseOutput output;

	private final ContainerResponse response;

	private final CharsetEncoder encoder;

	private final boolean asciiCompatible;

	private byte[] array = new byte[INITIAL];

	private ByteBuffer bytes = ByteBuffer.wrap(this.array);

	private char pendingHighSurrogate;

	ResponseWriter(ResponseOutput output, Charset charset, ContainerResponse response) {
		this.output = output;
		this.response = response;
		this.encoder = charset.newEncoder()
			.onMalformedInput(CodingErrorAction.REPLACE)
			.onUnmappableCharacter(CodingErrorAction.REPLACE);
		this.asciiCompatible = charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.ISO_8859_1)
				|| charset.equals(StandardCharsets.US_ASCII);
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
			int end = off + len;
			int i = this.asciiCompatible ? copyAscii(cbuf, off, end) : off;
			if (i == end) {
				release();
				return;
			}
			in = CharBuffer.wrap(cbuf, i, end - i);
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
		int end = off + len;
		int i = this.asciiCompatible ? copyAscii(str, off, end) : off;
		if (i == end) {
			release();
			return;
		}
		encode(CharBuffer.wrap(str, i, end));
	}

	@Override
	public void write(int c) throws IOException {
		write(new char[] { (char) c }, 0, 1);
	}

	/** Copies the leading ASCII characters; returns the index of the first one it did not copy. */
	private int copyAscii(String str, int from, int end) throws IOException {
		int i = from;
		while (i < end) {
			int pos = this.bytes.position();
			if (pos == this.array.length) {
				makeRoom();
				pos = this.bytes.position();
			}
			byte[] to = this.array;
			int stop = Math.min(end, i + to.length - pos);
			while (i < stop) {
				char c = str.charAt(i);
				if (c >= 0x80) {
					this.bytes.position(pos);
					return i;
				}
				to[pos++] = (byte) c;
				i++;
			}
			this.bytes.position(pos);
		}
		return i;
	}

	/**
	 * The same loop over a {@code char[]}, on purpose: one method over a {@code CharSequence} would
	 * read each character through an interface call, or wrap the array in a {@code CharBuffer},
	 * on the path every character of a text response takes.
	 */
	private int copyAscii(char[] chars, int from, int end) throws IOException {
		int i = from;
		while (i < end) {
			int pos = this.bytes.position();
			if (pos == this.array.length) {
				makeRoom();
				pos = this.bytes.position();
			}
			byte[] to = this.array;
			int stop = Math.min(end, i + to.length - pos);
			while (i < stop) {
				char c = chars[i];
				if (c >= 0x80) {
					this.bytes.position(pos);
					return i;
				}
				to[pos++] = (byte) c;
				i++;
			}
			this.bytes.position(pos);
		}
		return i;
	}

	private void encode(CharBuffer in) throws IOException {
		while (true) {
			CoderResult result = this.encoder.encode(in, this.bytes, false);
			if (result.isOverflow()) {
				makeRoom();
				continue;
			}
			break;
		}
		if (in.hasRemaining()) {
			this.pendingHighSurrogate = in.get();
		}
		release();
	}

	/** After a write: bytes go on at once unless the response streams chunked (see the class comment). */
	private void release() throws IOException {
		if (!gathering()) {
			drain();
		}
	}

	private boolean gathering() {
		return this.output.isCommitted() && this.response.declaredContentLength() < 0;
	}

	/** The array is full: grow it to {@link #HELD} if it gathers a chunk, else hand its bytes over. */
	private void makeRoom() throws IOException {
		if (this.array.length < HELD && gathering()) {
			int n = this.bytes.position();
			this.array = Arrays.copyOf(this.array, HELD);
			this.bytes = ByteBuffer.wrap(this.array);
			this.bytes.position(n);
		}
		else {
			drain();
		}
	}

	private void drain() throws IOException {
		if (this.bytes.position() > 0) {
			int n = this.bytes.position();
			this.bytes.clear();
			this.output.write(this.array, 0, n);
		}
	}

	/** Hands over what the writer gathered since the last chunk; the container calls it at the end. */
	void drainHeld() throws IOException {
		drain();
	}

	/** Forgets a dangling surrogate (the buffer it belonged to was reset). */
	void reset() {
		this.pendingHighSurrogate = 0;
		this.encoder.reset();
		this.bytes.clear();
	}

	@Override
	public void flush() throws IOException {
		drain();
		this.output.flush();
	}

	@Override
	public void close() throws IOException {
		drain();
		this.output.close();
	}

}
