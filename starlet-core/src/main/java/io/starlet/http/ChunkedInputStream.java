package io.starlet.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A body in chunked transfer coding (RFC 9112 §7.1), decoded. Strict where smuggling lives:
 * chunk sizes are hex with an overflow guard (no sign, no {@code 0x}, not empty); extensions
 * must follow the grammar, quoted strings included, and are bounded; every chunk line and chunk
 * data end in CRLF (a bare LF or CR is an error); trailers are parsed like header fields,
 * bounded, and may not carry framing fields.
 *
 * <p>The source must be buffered: size lines are read a byte at a time.
 */
public final class ChunkedInputStream extends InputStream {

	private static final int MAX_CHUNK_LINE = 4096;

	private final InputStream source;

	private final int maxTrailerSize;

	private final HttpFields trailers = new HttpFields();

	/** Bytes left in the current chunk; -1 before the first size line is read. */
	private long chunkRemaining = -1;

	private boolean finished;

	private IOException failure;

	public ChunkedInputStream(InputStream source, int maxTrailerSize) {
		this.source = source;
		this.maxTrailerSize = maxTrailerSize;
	}

	@Override
	public int read() throws IOException {
		if (!ensureData()) {
			return -1;
		}
		int b = this.source.read();
		if (b < 0) {
			throw fail(new EOFException("connection closed inside a chunk"));
		}
		this.chunkRemaining--;
		return b;
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		if (len == 0) {
			return 0;
		}
		if (!ensureData()) {
			return -1;
		}
		int n = this.source.read(b, off, (int) Math.min(len, this.chunkRemaining));
		if (n < 0) {
			throw fail(new EOFException("connection closed inside a chunk"));
		}
		this.chunkRemaining -= n;
		return n;
	}

	@Override
	public int available() throws IOException {
		return (this.chunkRemaining > 0) ? (int) Math.min(this.chunkRemaining, this.source.available()) : 0;
	}

	/** True when the last chunk and the trailer section have been read. */
	public boolean isFinished() {
		return this.finished;
	}

	/** Whether the body was malformed or cut off (the connection cannot be reused). */
	public boolean hasFailed() {
		return this.failure != null;
	}

	/** Trailer fields; complete once {@link #isFinished()}. */
	public HttpFields trailers() {
		return this.trailers;
	}

	private boolean ensureData() throws IOException {
		if (this.failure != null) {
			throw this.failure;
		}
		if (this.finished) {
			return false;
		}
		if (this.chunkRemaining > 0) {
			return true;
		}
		if (this.chunkRemaining == 0) {
			expectCrlf("chunk data");
		}
		long size = readChunkSizeLine();
		if (size == 0) {
			readTrailers();
			this.finished = true;
			return false;
		}
		this.chunkRemaining = size;
		return true;
	}

	private long readChunkSizeLine() throws IOException {
		long size = 0;
		int digits = 0;
		int c = next();
		while (hexValue(c) >= 0) {
			if (size > (Long.MAX_VALUE >> 4)) {
				throw fail(Violation.INVALID_CHUNK_SIZE, "chunk size overflows");
			}
			size = (size << 4) | hexValue(c);
			digits++;
			c = next();
		}
		if (digits == 0) {
			throw fail(Violation.INVALID_CHUNK_SIZE, "chunk size is not a hex number");
		}
		int lineLength = digits;
		// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
		while (true) {
			c = skipWhitespace(c);
			lineLength++;
			if (c == '\r') {
				if (next() != '\n') {
					throw fail(Violation.INVALID_CHUNK_TERMINATOR, "CR not followed by LF in a chunk line");
				}
				return size;
			}
			if (c == '\n') {
				throw fail(Violation.INVALID_CHUNK_TERMINATOR, "chunk line ends in a bare LF");
			}
			if (c != ';') {
				throw fail((lineLength == digits + 1 && c != ' ' && c != '\t') ? Violation.INVALID_CHUNK_SIZE
						: Violation.INVALID_CHUNK_EXTENSION, "invalid chunk size or extension");
			}
			c = skipWhitespace(next());
			int nameLength = 0;
			while (isToken(c)) {
				nameLength++;
				c = next();
				if (++lineLength > MAX_CHUNK_LINE) {
					throw fail(Violation.INVALID_CHUNK_EXTENSION, "chunk extensions too long");
				}
			}
			if (nameLength == 0) {
				throw fail(Violation.INVALID_CHUNK_EXTENSION, "chunk extension without a name");
			}
			c = skipWhitespace(c);
			if (c == '=') {
				c = skipWhitespace(next());
				if (c == '"') {
					lineLength += skipQuotedString();
					c = next();
				}
				else {
					int valueLength = 0;
					while (isToken(c)) {
						valueLength++;
						c = next();
					}
					if (valueLength == 0) {
						throw fail(Violation.INVALID_CHUNK_EXTENSION, "chunk extension without a value after '='");
					}
					lineLength += valueLength;
				}
			}
			if (lineLength > MAX_CHUNK_LINE) {
				throw fail(Violation.INVALID_CHUNK_EXTENSION, "chunk extensions too long");
			}
		}
	}

	/** Reads a quoted string after its opening quote; returns its length. */
	private int skipQuotedString() throws IOException {
		int length = 1;
		while (true) {
			int c = next();
			if (++length > MAX_CHUNK_LINE) {
				throw fail(Violation.INVALID_CHUNK_EXTENSION, "chunk extensions too long");
			}
			if (c == '"') {
				return length;
			}
			if (c == '\\') {
				c = next();
				length++;
				if (!isQuotedPairChar(c)) {
					throw fail(Violation.INVALID_CHUNK_EXTENSION, "invalid escape in a chunk extension");
				}
			}
			else if (!isQdtext(c)) {
				throw fail(Violation.INVALID_CHUNK_EXTENSION, "invalid character in a quoted chunk extension");
			}
		}
	}

	private void readTrailers() throws IOException {
		int total = 0;
		StringBuilder line = new StringBuilder();
		while (true) {
			line.setLength(0);
			while (true) {
				int c = next();
				if (c == '\r') {
					if (next() != '\n') {
						throw fail(Violation.INVALID_TRAILER, "CR not followed by LF in the trailer section");
					}
					break;
				}
				if (c == '\n') {
					throw fail(Violation.INVALID_TRAILER, "trailer line ends in a bare LF");
				}
				if (++total > this.maxTrailerSize) {
					throw fail(Violation.INVALID_TRAILER, "trailer section larger than " + this.maxTrailerSize + " bytes");
				}
				line.append((char) c);
			}
			if (line.length() == 0) {
				return;
			}
			addTrailer(line);
		}
	}

	private void addTrailer(CharSequence line) throws IOException {
		int colon = 0;
		while (colon < line.length() && isToken(line.charAt(colon))) {
			colon++;
		}
		if (colon == 0 || colon == line.length() || line.charAt(colon) != ':') {
			throw fail(Violation.INVALID_TRAILER, "malformed trailer field");
		}
		String name = line.subSequence(0, colon).toString();
		int vs = colon + 1;
		int ve = line.length();
		while (vs < ve && (line.charAt(vs) == ' ' || line.charAt(vs) == '\t')) {
			vs++;
		}
		while (ve > vs && (line.charAt(ve - 1) == ' ' || line.charAt(ve - 1) == '\t')) {
			ve--;
		}
		for (int i = vs; i < ve; i++) {
			char c = line.charAt(i);
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				throw fail(Violation.INVALID_TRAILER, "control character in a trailer field");
			}
		}
		if (isFramingField(name)) {
			throw fail(Violation.INVALID_TRAILER, "'" + name + "' is not allowed in a trailer");
		}
		this.trailers.add(name, line.subSequence(vs, ve).toString());
	}

	private static boolean isFramingField(String name) {
		return name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
				|| name.equalsIgnoreCase("Host") || name.equalsIgnoreCase("Connection")
				|| name.equalsIgnoreCase("Trailer") || name.equalsIgnoreCase("Expect");
	}

	private void expectCrlf(String what) throws IOException {
		int c = next();
		if (c != '\r' || next() != '\n') {
			throw fail(Violation.INVALID_CHUNK_TERMINATOR, what + " not followed by CRLF");
		}
	}

	private int skipWhitespace(int c) throws IOException {
		while (c == ' ' || c == '\t') {
			c = next();
		}
		return c;
	}

	private int next() throws IOException {
		int c = this.source.read();
		if (c < 0) {
			throw fail(new EOFException("connection closed inside a chunked body"));
		}
		return c;
	}

	private BadRequestException fail(Violation violation, String detail) {
		BadRequestException ex = new BadRequestException(violation, detail);
		this.failure = ex;
		return ex;
	}

	private IOException fail(IOException ex) {
		this.failure = ex;
		return ex;
	}

	private static int hexValue(int c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		if (c >= 'a' && c <= 'f') {
			return c - 'a' + 10;
		}
		if (c >= 'A' && c <= 'F') {
			return c - 'A' + 10;
		}
		return -1;
	}

	private static boolean isToken(int c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
				|| (c < 128 && c >= 0 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
	}

	private static boolean isQdtext(int c) {
		return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
	}

	private static boolean isQuotedPairChar(int c) {
		return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7e) || c >= 0x80;
	}

}
