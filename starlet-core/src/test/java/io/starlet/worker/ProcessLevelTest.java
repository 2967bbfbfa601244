package io.starlet.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.testing.Await;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What needs a real process: signals, the socket inherited on fd 0, and Server::Starter restarting
 * generations under load. Each test starts child JVMs (see {@link ChildServer}) and kills them.
 */
@Timeout(120)
class ProcessLevelTest {

	private final List<Process> processes = new ArrayList<>();

	@AfterEach
	void killChildren() throws Exception {
		for (Process p : this.processes) {
			if (p.isAlive()) {
				// frozen first, so that a supervisor (start_server) cannot start one more
				// generation between the look at its children and its own end: that one would be
				// left running, holding the listening socket
				new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).start().waitFor(20, TimeUnit.SECONDS);
			}
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
		}
	}

	private static List<String> javaCommand(String... properties) {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.add("-Xshare:auto");
		command.add("-XX:TieredStopAtLevel=1");
		command.addAll(List.of(properties));
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(ChildServer.class.getName());
		return command;
	}

	private Process launch(ProcessBuilder builder) throws IOException {
		builder.redirectErrorStream(true);
		Process process = builder.start();
		this.processes.add(process);
		return process;
	}

	/** Whether this JVM runs with SIGHUP ignored (SigIgn in /proc/self/status; HUP is bit 0). */
	private static boolean hangupIgnoredHere() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("SigIgn:")) {
				return (Long.parseLong(line.substring(7).trim(), 16) & 1) != 0;
			}
		}
		return false;
	}

	/** The child's output up to STARTED (its startup log). */
	private static String startupOutput(Process process) throws Exception {
		BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		return CompletableFuture.supplyAsync(() -> {
			StringBuilder seen = new StringBuilder();
			try {
				String line;
				while ((line = reader.readLine()) != null && !line.startsWith("STARTED ")) {
					seen.append(line).append('\n');
				}
			}
			catch (IOException ex) {
				seen.append(ex);
			}
			return seen.toString();
		}).get(30, TimeUnit.SECONDS);
	}

	/** Reads the child's output until it says STARTED; returns the port. */
	private static int awaitStarted(Process process) throws Exception {
		BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
			try {
				String line;
				StringBuilder seen = new StringBuilder();
				while ((line = reader.readLine()) != null) {
					if (line.startsWith("STARTED ")) {
						return Integer.parseInt(line.substring(8).trim());
					}
					seen.append(line).append('\n');
				}
				throw new IllegalStateException("child exited before starting:\n" + seen);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		return port.get(30, TimeUnit.SECONDS);
	}

	private static String get(int port) throws IOException {
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
			if (response == null || response.status() != 200) {
				throw new IOException("unexpected response " + response);
			}
			return response.body();
		}
	}

	/** The name of the worker that answers, or "" when the request fails (during a restart). */
	private static String workerOf(int port) {
		try {
			return get(port).split(" ")[1];
		}
		catch (IOException ex) {
			return "";
		}
	}

	private static void signal(long pid, String signal) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
		assertThat(kill.waitFor(20, TimeUnit.SECONDS)).isTrue();
		assertThat(kill.exitValue()).isZero();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Test
	void sighupRecyclesEveryWorker() throws Exception {
		Process child = launch(new ProcessBuilder(javaCommand("-Dworkers=2")));
		if (hangupIgnoredHere()) {
			// Run under nohup: the child inherits SIGHUP ignored and the JVM keeps it so. Starlet
			// cannot recycle on it then, and must say so at startup.
			assertThat(startupOutput(child)).contains("SIGHUP is ignored by this process");
			return;
		}
		int port = awaitStarted(child);
		Set<String> before = new HashSet<>();
		for (int i = 0; i < 10; i++) {
			before.add(get(port).split(" ")[1]);
		}
		assertThat(before).isSubsetOf("starlet-worker-1", "starlet-worker-2");
		signal(child.pid(), "HUP");
		// An idle worker sees the recycle within its 200 ms wait for work. The signal itself
		// reaches Java on a thread the JVM starts for it, which a loaded machine may start late:
		// wait for the first replacement to answer rather than for a fixed time.
		Await.until("a replacement worker answers", () -> {
			String worker = workerOf(port);
			return !worker.isEmpty() && !worker.equals("starlet-worker-1") && !worker.equals("starlet-worker-2");
		});
		// The other old worker may be serving still; once both are replaced, none answers again.
		Set<String> after = new HashSet<>();
		Await.until("only replacements answer", () -> {
			after.clear();
			for (int i = 0; i < 10; i++) {
				after.add(workerOf(port));
			}
			return !after.contains("starlet-worker-1") && !after.contains("starlet-worker-2");
		});
		assertThat(after).isNotEmpty();
		assertThat(child.isAlive()).isTrue();
	}

	@Test
	void sigusr1WithSpawnIntervalRetiresWorkersOneByOneThenExits() throws Exception {
		Process child = launch(new ProcessBuilder(javaCommand("-Dworkers=3", "-DspawnInterval=300")));
		int port = awaitStarted(child);
		Await.until("all three workers spawned", () -> {
			try {
				return get(port).endsWith(" 3");
			}
			catch (IOException ex) {
				return false;
			}
		});
		long t0 = System.nanoTime();
		signal(child.pid(), "USR1");
		// Still serving during the hand-over.
		assertThat(get(port)).startsWith(Long.toString(child.pid()));
		assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).isZero();
		// Three workers, one retired per 300 ms before the final drain.
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(500);
	}

	@Test
	void adoptsTheListeningSocketInheritedOnFd0() throws Exception {
		int port = freePort();
		String perl = """
				use IO::Socket::INET;
				my $s = IO::Socket::INET->new(Listen => 128, LocalAddr => '127.0.0.1', LocalPort => $ARGV[0], ReuseAddr => 1) or die "listen: $!";
				open(STDIN, '<&', $s) or die "dup: $!";
				$ENV{SERVER_STARTER_PORT} = "127.0.0.1:$ARGV[0]=0";
				shift @ARGV;
				exec @ARGV or die "exec: $!";
				""";
		List<String> command = new ArrayList<>(List.of("perl", "-e", perl, Integer.toString(port)));
		command.addAll(javaCommand("-Dlisten=none"));
		Process child = launch(new ProcessBuilder(command));
		assertThat(awaitStarted(child)).isEqualTo(port);
		assertThat(get(port)).startsWith(Long.toString(child.pid()));
	}

	@Test
	void failsAtStartupWhenServerStarterPortIsSetButFd0IsNotASocket() throws Exception {
		ProcessBuilder builder = new ProcessBuilder(javaCommand("-Dlisten=none"));
		builder.environment().put("SERVER_STARTER_PORT", "127.0.0.1:8080=3");
		Process child = launch(builder);
		String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).isEqualTo(3);
		assertThat(output).contains("No listening socket on file descriptor 0").contains("<&3")
			.contains("SERVER_STARTER_PORT=127.0.0.1:8080=3");
	}

	@Test
	void serverStarterRestartsGenerationsUnderLoadWithoutAFailedRequest() throws Exception {
		Path startServer = Path.of("/usr/bin/start_server");
		assertThat(startServer).as("start_server (Debian package libserver-starter-perl) is installed").exists();
		int port = freePort();
		List<String> command = new ArrayList<>(List.of(startServer.toString(), "--port=127.0.0.1:" + port + "=0",
				"--interval=2", "--signal-on-hup=USR1", "--signal-on-term=TERM", "--"));
		command.addAll(javaCommand("-Dlisten=none", "-DspawnInterval=100"));
		Process supervisor = launch(new ProcessBuilder(command));
		awaitStarted(supervisor);
		AtomicBoolean stop = new AtomicBoolean();
		AtomicInteger ok = new AtomicInteger();
		List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
		Set<String> generations = java.util.concurrent.ConcurrentHashMap.newKeySet();
		CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!stop.get() && System.nanoTime() < deadline && ok.get() < 200_000) {
				try {
					generations.add(get(port).split(" ")[0]);
					ok.incrementAndGet();
				}
				catch (IOException ex) {
					failures.add(ex.toString());
				}
			}
		});
		try {
			for (int restart = 0; restart < 3; restart++) {
				int served = ok.get();
				Await.until("requests flow", () -> ok.get() >= served + 50 || !failures.isEmpty());
				Set<String> old = Set.copyOf(generations);
				signal(supervisor.pid(), "HUP");
				Await.until("a new generation serves", () -> generations.size() > old.size() || !failures.isEmpty());
				// start_server retires the old generation after --interval: wait until it is gone.
				Await.until("the old generation exited", () -> old.stream()
					.allMatch((pid) -> ProcessHandle.of(Long.parseLong(pid)).map((h) -> !h.isAlive()).orElse(true)));
			}
		}
		finally {
			stop.set(true);
			load.get(30, TimeUnit.SECONDS);
		}
		assertThat(failures).as("failed requests out of %d", ok.get()).isEmpty();
		assertThat(ok.get()).isGreaterThan(100);
		assertThat(generations).as("every generation served").hasSizeGreaterThanOrEqualTo(4);
		assertThat(Files.exists(startServer)).isTrue();
	}

}
