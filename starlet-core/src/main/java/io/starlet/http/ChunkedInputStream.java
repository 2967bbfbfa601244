package io.starlet.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A body in chunked transfer coding (RFC 9112 §7.1), decoded. Strict where smuggling lives:
 * chunk sizes are hex with an overflow guard (no sign, no {@code 0x}, no whitespace, not empty);
 * extensions must follow the grammar, quoted strings included; every chunk line and chunk data
 * end in CRLF (a bare LF or CR is an error); trailers are parsed like header fields and may not
 * carry framing, routing or connection fields.
 *
 * <p>Bounded: a chunk line (size and extensions) may not exceed {@code maxLineSize} bytes, the
 * trailer section {@code maxTrailerSize} bytes, and the decoded body {@code maxBodySize} bytes
 * (413). Each bound holds byte by byte, so no input, however long, is read without limit.
 *
 * <p>The source must be buffered: size lines are read a byte at a time.
 */
public final class ChunkedInputStream extends InputStream {

	/** Default bound of one chunk line, extensions included. */
	public static final int DEFAULT_MAX_LINE_SIZE = 4096;

	private final InputStream source;

	private final int maxLineSize;

	private final int maxTrailerSize;

	private final long maxBodySize;

	private final HttpFields trailers = new HttpFields();

	/** Bytes left in the current chunk; -1 before the first size line is read. */
	private long chunkRemaining = -1;

	private long bodySize;

	private int lineBytes;

	private boolean finished;

	private IOException failure;

	public ChunkedInputStream(InputStream source, int maxTrailerSize) {
		this(source, DEFAULT_MAX_LINE_SIZE, maxTrailerSize, -1);
	}

	/**
	 * @param maxLineSize most bytes of one chunk line (size, extensions, CRLF)
	 * @param maxTrailerSize most bytes of the trailer section
	 * @param maxBodySize most decoded body bytes (413 beyond); -1 for no limit
	 */
	public ChunkedInputStream(InputStream source, int maxLineSize, int maxTrailerSize, long maxBodySize) {
		this.source = source;
		this.maxLineSize = maxLineSize;
		this.maxTrailerSize = maxTrailerSize;
		this.maxBodySize = maxBodySize;
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

	/** chunk-size [ chunk-ext ] CRLF, where chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ). */
	private long readChunkSizeLine() throws IOException {
		this.lineBytes = 0;
		long size = 0;
		int digits = 0;
		int c = nextInLine();
		int v;
		while ((v = Tokens.hexValue(c)) >= 0) {
			if (size > (Long.MAX_VALUE >> 4)) {
				throw fail(Violation.INVALID_CHUNK_SIZE, "chunk size overflows");
			}
			size = (size << 4) | v;
			digits++;
			c = nextInLine();
		}
		if (digits == 0) {
			throw fail(Violation.INVALID_CHUNK_SIZE, "chunk size is not a hex number");
		}
		boolean extensions = false;
		while (true) {
			if (c == '\r') {
				if (nextInLine() != '\n') {
					throw fail(Violation.INVALID_CHUNK_TERMINATOR, "CR not followed by LF in a chunk line");
				}
				if (this.maxBodySize >= 0 && size > this.maxBodySize - this.bodySize) {
					throw fail(Violation.CONTENT_TOO_LARGE, "request body larger than " + this.maxBodySize + " bytes");
				}
				this.bodySize += size;
				return size;
			}
			if (c == '\n') {
				throw fail(Violation.INVALID_CHUNK_TERMINATOR, "chunk line ends in a bare LF");
			}
			boolean whitespace = c == ' ' || c == '\t';
			c = skipWhitespace(c);
			if (c != ';') {
				// Whitespace is only allowed before a ';' (BWS), never alone at the end of the line.
				throw (extensions || whitespace)
						? fail(Violation.INVALID_CHUNK_EXTENSION, "invalid chunk extension")
						: fail(Violation.INVALID_CHUNK_SIZE, "chunk size is not a hex number");
			}
			extensions = true;
			c = skipWhitespace(nextInLine());
			int nameLength = 0;
			while (Tokens.isTchar(c)) {
				nameLength++;
				c = nextInLine();
			}
			if (nameLength == 0) {
				throw fail(Violation.INVALID_CHUNK_EXTENSION, "chunk extension without a name");
			}
			c = skipWhitespace(c);
			if (c == '=') {
				c = skipWhitespace(nextInLine());
				if (c == '"') {
					skipQuotedString();
					c = nextInLine();
				}
				else {
					int valueLength = 0;
					while (Tokens.isTchar(c)) {
						valueLength++;
						c = nextInLine();
					}
					if (valueLength == 0) {
						throw fail(Violation.INVALID_CHUNK_EXTENSION, "chunk extension without a value after '='");
					}
				}
			}
		}
	}

	/** Reads a quoted string after its opening quote, up to and including the closing one. */
	private void skipQuotedString() throws IOException {
		while (true) {
			int c = nextInLine();
			if (c == '"') {
				return;
			}
			if (c == '\\') {
				if (!Tokens.isQuotedPairChar(nextInLine())) {
					throw fail(Violation.INVALID_CHUNK_EXTENSION, "invalid escape in a chunk extension");
				}
			}
			else if (!Tokens.isQdtext(c)) {
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
		while (colon < line.length() && Tokens.isTchar(line.charAt(colon))) {
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

	/**
	 * Fields that frame, route or control the message (RFC 9110 §6.5.1): a trailer cannot take
	 * them back after the body has been framed and the request routed, so they are refused.
	 */
	private static final String[] FORBIDDEN_IN_TRAILERS = { "Content-Length", "Transfer-Encoding", "Trailer",
			"Host", "Connection", "Keep-Alive", "Proxy-Connection", "Upgrade", "TE", "Expect", "Content-Encoding",
			"Content-Type", "Content-Range" };

	private static boolean isFramingField(String name) {
		for (String forbidden : FORBIDDEN_IN_TRAILERS) {
			if (forbidden.equalsIgnoreCase(name)) {
				return true;
			}
		}
		return false;
	}

	private void expectCrlf(String what) throws IOException {
		int c = next();
		if (c != '\r' || next() != '\n') {
			throw fail(Violation.INVALID_CHUNK_TERMINATOR, what + " not followed by CRLF");
		}
	}

	private int skipWhitespace(int c) throws IOException {
		while (c == ' ' || c == '\t') {
			c = nextInLine();
		}
		return c;
	}

	/** The next byte of a chunk line, counted against {@code maxLineSize}. */
	private int nextInLine() throws IOException {
		if (++this.lineBytes > this.maxLineSize) {
			throw fail(Violation.INVALID_CHUNK_EXTENSION, "chunk line longer than " + this.maxLineSize + " bytes");
		}
		return next();
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

}
