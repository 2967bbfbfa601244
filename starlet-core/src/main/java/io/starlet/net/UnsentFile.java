package io.starlet.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The part of a held response that did not fit in memory ({@link UnsentOutput}), in a temporary
 * file that grows at its end while the client is sent its beginning. Bytes go from the file to
 * the socket without a copy through the heap ({@link FileChannel#transferTo}: {@code sendfile} on
 * Linux). The file lives until its last byte is sent or the connection fails. It is opened with
 * {@code DELETE_ON_CLOSE}, which on Unix removes its name at once: nothing is left behind even if
 * the process dies, and the disk space is free once the descriptor is closed.
 *
 * <p>Not thread-safe: {@link UnsentOutput} locks.
 */
final class UnsentFile {

	private final Path path;

	private final FileChannel channel;

	/** Bytes appended: the file's size. */
	private long written;

	/** Bytes the client has taken, from the start of the file. */
	private long sent;

	private UnsentFile(Path path, FileChannel channel) {
		this.path = path;
		this.channel = channel;
	}

	static UnsentFile create(Path directory) throws IOException {
		Path path = Files.createTempFile(directory, "starlet-response-", ".tmp");
		try {
			return new UnsentFile(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
					StandardOpenOption.DELETE_ON_CLOSE));
		}
		catch (IOException | RuntimeException ex) {
			Files.deleteIfExists(path);
			throw ex;
		}
	}

	/**
	 * Appends {@code src}'s remaining bytes. On failure (a full disk) the bytes appended so far
	 * stay, and {@code src}'s position says where they end.
	 */
	void append(ByteBuffer src) throws IOException {
		while (src.hasRemaining()) {
			this.written += this.channel.write(src, this.written);
		}
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
			total += n;
		}
		return total;
	}

	/** Closes and removes the file. Idempotent. */
	void delete() {
		try {
			this.channel.close();
			Files.deleteIfExists(this.path);
		}
		catch (IOException ex) {
			// DELETE_ON_CLOSE has removed it, or the directory is gone
		}
	}

}
