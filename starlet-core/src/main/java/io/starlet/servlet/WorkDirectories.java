package io.starlet.servlet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The temporary directories a context creates for itself, deleted with what was left in them
 * when it is destroyed: the work directory ({@code jakarta.servlet.context.tempdir}) and, when
 * no document root is configured and someone asks for the resource "/", an empty stand-in.
 * Both are also marked for deletion at JVM exit, so that a context that is never destroyed (a
 * failed start, a test that leaves its server running) does not leave one behind per run; the
 * JVM removes them only if they are empty by then.
 */
final class WorkDirectories {

	private Path workDirectory;

	private Path documentRoot;

	/** A new work directory. */
	synchronized Path createWorkDirectory() throws IOException {
		if (this.workDirectory == null) {
			this.workDirectory = Files.createTempDirectory("starlet-work");
			this.workDirectory.toFile().deleteOnExit();
		}
		return this.workDirectory;
	}

	/** An empty document root, created on first use. */
	synchronized Path documentRoot() throws IOException {
		if (this.documentRoot == null) {
			this.documentRoot = Files.createTempDirectory("starlet-docbase");
			this.documentRoot.toFile().deleteOnExit();
		}
		return this.documentRoot;
	}

	synchronized void deleteAll() {
		deleteQuietly(this.documentRoot);
		deleteQuietly(this.workDirectory);
	}

	private static void deleteQuietly(Path directory) {
		if (directory == null) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | RuntimeException ex) {
			// best effort: it lives under the temp directory
		}
	}

}
