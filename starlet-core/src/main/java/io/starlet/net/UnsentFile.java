package io.starlet.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The part of a held response that did not fit in memory ({@link UnsentOutput}), in a temporary
 * file that grows at its end while the client is sent its beginning. Bytes go from the file to
 * the socket without a copy through the heap ({@link FileChannel#transferTo}: {@code sendfile} on
 * Linux). The file lives until its last byte is sent or the connection fails: a
 * {@link TemporaryFile}, whose disk space is free once its descriptor is closed.
 *
 * <p>{@link UnsentOutput} locks every method but {@link #append}, which its worker calls outside
 * the lock while the acceptor may send what was published before.
 */
final class UnsentFile {

	private final TemporaryFile file;

	private final FileChannel channel;

	/**
	 * Bytes held in files server-wide ({@code unsent-response-file-size}'s statistic): this
	 * file's share is kept there as it changes, so that a send that fails part-way counts
	 * exactly what it sent.
	 */
	private final AtomicLong held;

	private boolean deleted;

	/** Bytes appended: the file's size. */
	private long written;

	/** Bytes the client has taken, from the start of the file. */
	private long sent;

	private UnsentFile(TemporaryFile file, AtomicLong held) {
		this.file = file;
		this.channel = file.channel();
		this.held = held;
	}

	static UnsentFile create(Path directory, AtomicLong held) throws IOException {
		return new UnsentFile(TemporaryFile.create(directory, "starlet-response-"), held);
	}

	/**
	 * Writes {@code src}'s remaining bytes at the end of the file, without making them part of
	 * it yet: {@link #published} does, under the owner's lock, so that the sender never reads
	 * bytes still being written. Only one thread appends. On failure (a full disk) {@code src}'s
	 * position says how many were written.
	 */
	void append(ByteBuffer src) throws IOException {
		long at = this.written;
		while (src.hasRemaining()) {
			at += this.channel.write(src, at);
		}
	}

	/** The next {@code n} bytes {@link #append} wrote are part of the file now. */
	void published(long n) {
		this.written += n;
		this.held.addAndGet(n);
	}

	/** Bytes appended and not yet sent. */
	long pending() {
		return this.written - this.sent;
	}

	/** Bytes the file takes on disk. */
	long size() {
		return this.written;
	}

	/**
	 * Sends what {@code target} takes without waiting.
	 * @return bytes sent
	 */
	long sendTo(WritableByteChannel target) throws IOException {
		long total = 0;
		while (this.sent < this.written) {
			long n = this.channel.transferTo(this.sent, this.written - this.sent, target);
			if (n <= 0) {
				break; // the socket is full
			}
			this.sent += n;
			this.held.addAndGet(-n);
			total += n;
		}
		return total;
	}

	/** Closes and removes the file; what it held is no longer held. Idempotent. */
	void delete() {
		if (!this.deleted) {
			this.deleted = true;
			this.held.addAndGet(-pending());
		}
		this.file.delete();
	}

}
