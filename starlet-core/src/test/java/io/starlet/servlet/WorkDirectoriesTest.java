package io.starlet.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WorkDirectoriesTest {

	@Test
	void deleteAllRemovesTheWorkDirectoryWithItsContent() throws Exception {
		WorkDirectories directories = new WorkDirectories();
		Path work = directories.createWorkDirectory();
		Files.writeString(work.resolve("upload.tmp"), "part");
		assertThat(directories.createWorkDirectory()).isEqualTo(work);

		directories.deleteAll();

		assertThat(work).doesNotExist();
	}

	@Test
	@Timeout(60)
	void aContextNeverDestroyedLeavesNoEmptyWorkDirectoryWhenItsJvmExits() throws Exception {
		String java = ProcessHandle.current().info().command().orElse("java");
		Process child = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), Child.class.getName())
			.redirectErrorStream(true)
			.start();
		String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).as(output).isZero();

		Path work = Path.of(output);
		assertThat(work.getFileName().toString()).startsWith("starlet-work");
		assertThat(work).doesNotExist();
	}

	/** Creates a work directory, prints it, and exits without destroying anything. */
	static final class Child {

		public static void main(String[] args) throws Exception {
			File work = new WorkDirectories().createWorkDirectory().toFile();
			if (!work.isDirectory()) {
				throw new IllegalStateException("no work directory at " + work);
			}
			System.out.println(work);
		}

	}

}
