package io.starlet.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample with Spring Boot DevTools, as {@code spring-boot:run} starts it: its own JVM, launched
 * from the class path with DevTools on it and nothing else set up for it. DevTools restarts the
 * application in that JVM whenever a file changes in a class path directory (here one of the
 * test's own, added in front of the class path, so that no real class file is touched). Each
 * restart closes the application context (Starlet stops, releases its port and stores the
 * sessions: DevTools turns {@code server.servlet.session.persistent} on) and runs the main method
 * again in a new restart class loader (Starlet binds the same port and restores the sessions,
 * whose classes now come from that new loader).
 */
@Timeout(300)
class DevToolsRestartTests {

	/** Any file DevTools watches will do; a class file changed by a build is the everyday case. */
	private static final String CHANGED_FILE = "changed.txt";

	private static final String STARTED = "Started SampleApplication in";

	private static final int RESTARTS = 20;

	private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

	@TempDir
	Path tempDir;

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.cookieHandler(new CookieManager())
		.build();

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private final List<String> log = new ArrayList<>();

	private Process process;

	private int port;

	private Path changed;

	@AfterEach
	void stopApplication() throws InterruptedException {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroy();
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
	}

	@Test
	void aSessionSurvivesRestartsAndTwentyRestartsLeakNothing() throws Exception {
		Path sessions = this.tempDir.resolve("sessions");
		startApplication(sessions);
		awaitStarted();
		assertThat(get("/session")).isEqualTo("1");
		assertThat(get("/session")).isEqualTo("2");

		restart(1);
		assertThat(get("/session")).isEqualTo("3");
		Resources baseline = resources();

		for (int i = 2; i <= RESTARTS + 1; i++) {
			restart(i);
		}
		assertThat(get("/session")).isEqualTo("4");
		Resources after = resources();
		System.out.println("After the first restart: " + baseline + "; after " + RESTARTS + " more: " + after);
		assertThat(after.starletThreads).as("starlet-* threads after %d restarts", RESTARTS)
			.isEqualTo(baseline.starletThreads);
		for (String kind : List.of("socket", "anon_inode", "pipe", "file")) {
			long limit = baseline.fds.getOrDefault(kind, 0L);
			// Waited for: the application closes a connection just after the client has read its
			// response, so the last request's socket may still be open for a moment.
			await().alias(String.format("open %s descriptors after %d restarts at most the baseline (baseline %s, "
					+ "then %s)", kind, RESTARTS, baseline.fds, after.fds))
				.atMost(Duration.ofSeconds(20))
				.until(() -> descriptors().getOrDefault(kind, 0L) <= limit);
		}

		this.process.destroy();
		assertThat(this.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(sessions.resolve("starlet-sessions.bin")).as("sessions stored when the JVM shut down")
			.isRegularFile();
	}

	private void startApplication(Path sessions) throws IOException {
		this.port = freePort();
		Path watched = Files.createDirectory(this.tempDir.resolve("classes"));
		this.changed = Files.writeString(watched.resolve(CHANGED_FILE), "0\n");
		String classPath = watched + System.getProperty("path.separator")
				+ System.getProperty("java.class.path");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		this.process = new ProcessBuilder(java, "-Xmx256m", "-cp", classPath, SampleApplication.class.getName(),
				"--server.address=127.0.0.1", "--server.port=" + this.port, "--spring.main.banner-mode=off",
				"--server.servlet.session.store-dir=" + sessions,
				"--management.endpoints.web.exposure.include=health,threaddump",
				"--spring.devtools.restart.poll-interval=200ms", "--spring.devtools.restart.quiet-period=100ms",
				"--spring.devtools.livereload.enabled=false")
			.redirectErrorStream(true)
			.start();
		Thread reader = new Thread(() -> {
			try (BufferedReader in = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
				for (String line = in.readLine(); line != null; line = in.readLine()) {
					synchronized (this.log) {
						this.log.add(line);
					}
					this.lines.add(line);
				}
			}
			catch (IOException ex) {
				// The process ended.
			}
		}, "devtools-app-output");
		reader.setDaemon(true);
		reader.start();
	}

	/** A change on the class path, as a build makes; waits for the new context. */
	private void restart(int restart) throws Exception {
		// Appending changes the size too, so the change shows even within the file system's timestamp granularity.
		Files.writeString(this.changed, restart + "\n", StandardOpenOption.APPEND);
		awaitStarted();
	}

	/** Waits for the application's started line; Starlet's own line before it must name the same port. */
	private void awaitStarted() throws InterruptedException {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		List<String> seen = new ArrayList<>();
		while (true) {
			long remaining = deadline - System.nanoTime();
			String line = (remaining > 0) ? this.lines.poll(remaining, TimeUnit.NANOSECONDS) : null;
			if (line == null) {
				throw new AssertionError("The application did not start within " + START_TIMEOUT + ":\n" + output());
			}
			seen.add(line);
			if (line.contains("APPLICATION FAILED TO START") || line.contains("Application run failed")) {
				throw new AssertionError("The application failed to start:\n" + output());
			}
			if (line.contains(STARTED)) {
				assertThat(seen).as(output())
					.anyMatch((text) -> text.contains("Starlet started on port " + this.port + " (http/1.1)"));
				return;
			}
		}
	}

	private String output() {
		synchronized (this.log) {
			return String.join("\n", this.log);
		}
	}

	private String get(String path) throws IOException, InterruptedException {
		HttpResponse<String> response = this.client.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
					.timeout(Duration.ofSeconds(10))
					.build(),
				BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response.body();
	}

	/** Starlet's threads (from the application's own thread dump) and its open descriptors by kind. */
	private Resources resources() throws Exception {
		JsonNode dump = JsonMapper.builder().build().readTree(get("/actuator/threaddump"));
		List<String> starletThreads = new ArrayList<>();
		for (JsonNode thread : dump.get("threads")) {
			String name = thread.get("threadName").asString();
			if (name.startsWith("starlet-")) {
				// Workers are numbered on: the count of each kind is what must not grow.
				starletThreads.add(name.replaceAll("-\\d+$", "-N"));
			}
		}
		starletThreads.sort(null);
		return new Resources(starletThreads, descriptors());
	}

	/** The child's open descriptors, counted by what they are: socket, pipe, anon_inode (epoll, eventfd), file. */
	private Map<String, Long> descriptors() throws IOException {
		Map<String, Long> kinds = new TreeMap<>();
		Path directory = Path.of("/proc", String.valueOf(this.process.pid()), "fd");
		if (!Files.isDirectory(directory)) {
			// Not Linux: the thread count is checked alone.
			return kinds;
		}
		try (Stream<Path> fds = Files.list(directory)) {
			for (Path fd : fds.toList()) {
				String target;
				try {
					target = Files.readSymbolicLink(fd).toString();
				}
				catch (IOException ex) {
					// Closed while listed.
					continue;
				}
				String kind = target.startsWith("socket:") ? "socket" : target.startsWith("pipe:") ? "pipe"
						: target.startsWith("anon_inode:") ? "anon_inode" : "file";
				kinds.merge(kind, 1L, Long::sum);
			}
		}
		return kinds;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private record Resources(List<String> starletThreads, Map<String, Long> fds) {
	}

}
