package io.starlet.worker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.starlet.testing.Await;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A server that runs out of file descriptors backs off instead of spinning on {@code accept}:
 * a child JVM limited to 256 descriptors is flooded with 400 connections, stays nearly idle and
 * nearly silent while saturated, and serves again once the flood is gone.
 */
class DescriptorExhaustionTest {

	private static final int FLOOD = 400;

	private final List<SocketChannel> flood = new ArrayList<>();

	private Process child;

	@TempDir
	Path dir;

	@AfterEach
	void cleanUp() throws IOException {
		for (SocketChannel channel : this.flood) {
			channel.close();
		}
		if (this.child != null) {
			this.child.destroyForcibly();
		}
	}

	@Test
	@Timeout(120)
	void floodedPastItsDescriptorLimitTheServerBacksOffQuietlyAndRecovers() throws Exception {
		assumeThat(Path.of("/proc/self/stat")).as("Linux /proc").exists();
		Path log = this.dir.resolve("child.log");
		String java = ProcessHandle.current().info().command().orElse("java");
		ProcessBuilder builder = new ProcessBuilder("bash", "-c", "ulimit -n 256 && exec \"$0\" \"$@\"", java,
				"-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx128m", "-Dworkers=2", "-cp",
				System.getProperty("java.class.path"), ChildServer.class.getName());
		builder.redirectErrorStream(true).redirectOutput(log.toFile());
		this.child = builder.start();
		int port = awaitPort(log);

		for (int i = 0; i < FLOOD; i++) {
			SocketChannel channel = SocketChannel.open();
			channel.configureBlocking(false);
			channel.connect(new InetSocketAddress("127.0.0.1", port));
			this.flood.add(channel);
		}
		// saturated: the server has accepted all it can and accept fails from then on
		awaitShowingLog("accept fails", log, () -> output(log).contains("accept failed"));
		int linesBefore = lines(log);
		long ticksBefore = cpuTicks(this.child.pid());
		long start = System.nanoTime();
		Thread.sleep(3000); // the span the CPU share is measured over, not a wait for something
		long ticks = cpuTicks(this.child.pid()) - ticksBefore;
		double seconds = (System.nanoTime() - start) / 1e9;
		double coreShare = ticks / 100.0 / seconds; // USER_HZ is 100 on Linux
		assertThat(coreShare).as("share of a core while saturated").isLessThan(0.10);
		assertThat(lines(log)).as("log lines while saturated").isLessThan(100);
		assertThat(linesBefore).isLessThan(100);

		for (SocketChannel channel : this.flood) {
			channel.close();
		}
		this.flood.clear();
		// the closed flood frees descriptors; the server's back-off ends and it accepts again
		awaitShowingLog("served again after the flood", log, () -> servedOnce(port));
		assertThat(lines(log)).as("log lines in the whole episode").isLessThan(100);
	}

	private static boolean servedOnce(int port) {
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
			return response != null && response.status() == 200;
		}
		catch (IOException ex) {
			return false; // refused or reset while the server still backs off
		}
	}

	private int awaitPort(Path log) throws Exception {
		awaitShowingLog("the child starts", log, () -> {
			assertThat(this.child.isAlive()).as("child alive").isTrue();
			return startedPort(log) > 0;
		});
		return startedPort(log);
	}

	private static int startedPort(Path log) throws IOException {
		for (String line : output(log).split("\n")) {
			if (line.startsWith("STARTED ")) {
				return Integer.parseInt(line.substring(8).trim());
			}
		}
		return -1;
	}

	/** A condition that reads the child's log. */
	private interface LogCheck {

		boolean holds() throws IOException;

	}

	/** {@link Await#until}, with the child's output in the failure: it tells what the child did. */
	private static void awaitShowingLog(String what, Path log, LogCheck check) throws Exception {
		try {
			Await.until(what, () -> {
				try {
					return check.holds();
				}
				catch (IOException ex) {
					throw new java.io.UncheckedIOException(ex);
				}
			});
		}
		catch (AssertionError ex) {
			throw new AssertionError(ex.getMessage() + "\n" + output(log), ex);
		}
	}

	private static String output(Path log) throws IOException {
		return Files.readString(log, StandardCharsets.UTF_8);
	}

	private static int lines(Path log) throws IOException {
		return (int) output(log).lines().count();
	}

	/** utime + stime of a process, in clock ticks. */
	private static long cpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

}
