package io.starlet.net;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import io.starlet.http.ChunkedBodyScanner;

/**
 * A request body collected before a worker sees the request: where its end is, how much of it
 * has come, and, when it is too large for memory, the temporary file it is written to.
 *
 * <p>In memory the body stays in the connection's receive buffer right after the head, exactly
 * where a worker would have read it from the socket. In a file it is the whole body, and the
 * receive buffer keeps only the head and whatever the client sent after the body. The file is
 * deleted when the request ends or the connection closes, whichever comes first; on Unix the JDK
 * unlinks a {@code DELETE_ON_CLOSE} file as soon as it is open, so it never outlives the process
 * either, even one that is killed.
 *
 * <p>Its progress is written by {@link BodyCollector} alone, beside it in this package; the
 * engine above only reads it.
 */
public final class CollectedBody {

	/** Bytes of a {@code Content-Length} body still to come; unused for a chunked one. */
	long left;

	/** Finds the end of a chunked body; null for a {@code Content-Length} one. */
	final ChunkedBodyScanner chunks;

	/** Index in the receive buffer up to which bytes have been counted as body. */
	int scanned;

	/** Body bytes received so far. */
	long received;

	/** When collection started ({@link io.starlet.Clock#nanoTime}), for the minimum data rate. */
	final long started;

	/** Whether the whole body is here. */
	boolean complete;

	private TemporaryFile temporary;

	/** The temporary file's channel; null while the body is in memory. */
	private FileChannel file;

	private long fileSize;

	CollectedBody(long contentLength, ChunkedBodyScanner chunks, int scanned, long started) {
		this.left = contentLength;
		this.chunks = chunks;
		this.scanned = scanned;
		this.started = started;
	}

	/** Whether the body goes to a temporary file. */
	public boolean spilled() {
		return this.file != null;
	}

	/** Starts writing the body to a new temporary file in {@code directory}. */
	void spill(Path directory) throws IOException {
		this.temporary = TemporaryFile.create(directory, "starlet-body-");
		this.file = this.temporary.channel();
	}

	/** Appends {@code buf[off, off + len)} to the file. */
	void write(byte[] buf, int off, int len) throws IOException {
		ByteBuffer src = ByteBuffer.wrap(buf, off, len);
		while (src.hasRemaining()) {
			this.fileSize += this.file.write(src, this.fileSize);
		}
	}

	/** The spilled body from its first byte. */
	public InputStream openSpilled() {
		try {
			return new BufferedInputStream(Channels.newInputStream(this.file.position(0)), 16 * 1024);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Whether the whole body is here. */
	public boolean isComplete() {
		return this.complete;
	}

	/**
	 * Index in the receive buffer where the body ends, when it is complete and not spilled: the
	 * next request's bytes start there.
	 */
	public int end() {
		return this.scanned;
	}

	/** Deletes the file, if there is one. Idempotent. */
	void discard() {
		if (this.file != null) {
			this.file = null;
			this.temporary.delete();
		}
	}

}
