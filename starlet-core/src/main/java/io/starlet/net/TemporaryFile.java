package io.starlet.net;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * A temporary file the engine writes what does not fit in memory to: a request body
 * ({@link CollectedBody}) or the part of a response a slow client has not taken
 * ({@link UnsentFile}). Opened with {@code DELETE_ON_CLOSE}, which on Unix removes its name at
 * once, so nothing is left behind even if the process dies.
 *
 * <p>A directory that is missing is created first (owner-only), as nginx creates its temporary
 * paths: cleaners such as {@code systemd-tmpfiles} remove directories under {@code /tmp} that
 * nothing has touched for days, and a server that has been idle that long must still take the
 * next upload.
 */
record TemporaryFile(Path path, FileChannel channel) {

	static TemporaryFile create(Path directory, String prefix) throws IOException {
		Path path;
		try {
			path = Files.createTempFile(directory, prefix, ".tmp");
		}
		catch (NoSuchFileException ex) {
			createDirectories(directory);
			path = Files.createTempFile(directory, prefix, ".tmp");
		}
		try {
			return new TemporaryFile(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
					StandardOpenOption.DELETE_ON_CLOSE));
		}
		catch (IOException | RuntimeException ex) {
			Files.deleteIfExists(path);
			throw ex;
		}
	}

	/** Owner-only where the file system has POSIX permissions, as the files in it are. */
	private static void createDirectories(Path directory) throws IOException {
		if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
			Files.createDirectories(directory,
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		else {
			Files.createDirectories(directory);
		}
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

	/**
	 * A warning about files that cannot be written, logged at most once a minute (and at debug
	 * level in between): a full disk fails every large upload or slow download at once, and one
	 * line a minute says so as well as a thousand.
	 */
	static final class FailureWarning {

		private static final long EVERY_NANOS = 60_000_000_000L;

		private final Logger logger;

		/** When the warning was last logged ({@code Clock.nanoTime}); 0 = never. */
		private final AtomicLong last = new AtomicLong();

		FailureWarning(Logger logger) {
			this.logger = logger;
		}

		/** Logs {@code message} (with {@code " (logged at most once a minute)"}) or a debug line. */
		void log(long now, String message, Object... args) {
			long before = this.last.get();
			if ((before == 0 || now - before >= EVERY_NANOS) && this.last.compareAndSet(before, now)) {
				this.logger.warn(message + " (logged at most once a minute)", args);
			}
			else if (this.logger.isDebugEnabled()) {
				this.logger.debug(message, args);
			}
		}

	}

}
