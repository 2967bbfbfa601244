package io.starlet.http;

/**
 * Finds where a chunked body ends while its bytes arrive, without decoding it, so that the
 * acceptor can collect a whole chunked request before a worker sees it. Bytes are fed once each,
 * in any pieces.
 *
 * <p>It follows a more lenient grammar than {@link ChunkedInputStream} that draws the same
 * boundaries for every valid body: a chunk line is hex digits and anything up to its CRLF, chunk
 * data is followed by CRLF, the trailer section is lines up to an empty one. A malformed body
 * therefore makes the strict reader fail at or before the end found here, inside bytes already
 * collected: the worker answers it without ever waiting on the client. Where the boundaries
 * themselves are in doubt (no hex digit, an overflowing size, an over-long line or trailer
 * section, a bare LF, data not followed by CRLF) the scan ends at once, for the same reason.
 *
 * <p>The decoded size is checked against the body limit as each chunk line completes, so a body
 * crossing it is refused (413) at that point, however long it would have been.
 */
public final class ChunkedBodyScanner {

	private enum State { SIZE, LINE, DATA, DATA_END, TRAILER_LINE, DONE }

	private final int maxLineSize;

	private final int maxTrailerSize;

	private final long maxBodySize;

	private State state = State.SIZE;

	private long size;

	private int digits;

	private int lineBytes;

	private long chunkLeft;

	private int dataEndLeft;

	private int trailerBytes;

	private boolean trailerLineEmpty = true;

	/** Whether the byte before was a CR (line ends must be CRLF). */
	private boolean afterCr;

	private long decoded;

	/**
	 * @param maxLineSize most bytes of a chunk line
	 * @param maxTrailerSize most bytes of the trailer section
	 * @param maxBodySize most decoded bytes (413 beyond); -1 for no limit
	 */
	public ChunkedBodyScanner(int maxLineSize, int maxTrailerSize, long maxBodySize) {
		this.maxLineSize = maxLineSize;
		this.maxTrailerSize = maxTrailerSize;
		this.maxBodySize = maxBodySize;
	}

	/**
	 * Scans {@code buf[from, to)}.
	 * @return the index just past the body's last byte, or -1 if the body goes on beyond {@code to}
	 * @throws BadRequestException (413) when the declared chunk sizes cross the body limit
	 */
	public int scan(byte[] buf, int from, int to) throws BadRequestException {
		int i = from;
		while (i < to) {
			switch (this.state) {
				case DATA -> {
					int n = (int) Math.min(this.chunkLeft, to - i);
					i += n;
					this.chunkLeft -= n;
					if (this.chunkLeft == 0) {
						this.state = State.DATA_END;
						this.dataEndLeft = 2;
					}
				}
				case DATA_END -> {
					byte b = buf[i++];
					if (b != ((this.dataEndLeft == 2) ? '\r' : '\n')) {
						return endHere(i);
					}
					if (--this.dataEndLeft == 0) {
						startLine();
					}
				}
				case SIZE -> {
					int c = buf[i] & 0xff;
					int v = Tokens.hexValue(c);
					if (v >= 0 && this.size <= (Long.MAX_VALUE >> 4)) {
						this.size = (this.size << 4) | v;
						this.digits++;
						if (!countLineByte()) {
							return endHere(i + 1);
						}
						i++;
					}
					else if (this.digits == 0 || v >= 0) {
						return endHere(i + 1);
					}
					else {
						this.state = State.LINE;
					}
				}
				case LINE -> {
					byte b = buf[i++];
					if (b == '\n') {
						if (!this.afterCr) {
							return endHere(i);
						}
						chunkLineDone();
					}
					else if (!countLineByte()) {
						return endHere(i);
					}
					this.afterCr = b == '\r';
				}
				case TRAILER_LINE -> {
					byte b = buf[i++];
					if (b == '\n') {
						if (this.trailerLineEmpty || !this.afterCr) {
							return endHere(i);
						}
						this.trailerLineEmpty = true;
						this.afterCr = false;
					}
					else {
						if (b != '\r' || this.afterCr) {
							this.trailerLineEmpty = false;
						}
						this.afterCr = b == '\r';
						if (++this.trailerBytes > this.maxTrailerSize + 2) {
							return endHere(i);
						}
					}
				}
				case DONE -> {
					return i;
				}
			}
		}
		return -1;
	}

	/** True once the end has been found. */
	public boolean isDone() {
		return this.state == State.DONE;
	}

	/** Decoded body bytes declared by the chunk lines seen so far. */
	public long decodedSize() {
		return this.decoded;
	}

	private void startLine() {
		this.afterCr = false;
		this.state = State.SIZE;
		this.size = 0;
		this.digits = 0;
		this.lineBytes = 0;
	}

	private boolean countLineByte() {
		return ++this.lineBytes <= this.maxLineSize;
	}

	private void chunkLineDone() throws BadRequestException {
		if (this.maxBodySize >= 0 && this.size > this.maxBodySize - this.decoded) {
			throw new BadRequestException(Violation.CONTENT_TOO_LARGE,
					"request body larger than max-request-body-size (" + this.maxBodySize + " bytes)");
		}
		this.decoded += this.size;
		if (this.size == 0) {
			this.state = State.TRAILER_LINE;
		}
		else {
			this.state = State.DATA;
			this.chunkLeft = this.size;
		}
	}

	private int endHere(int index) {
		this.state = State.DONE;
		return index;
	}

}
