package io.starlet.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads and runs the repackaged sample jar (runs after {@code package}, under failsafe). */
@Timeout(300)
class SampleJarIT {

	private static final List<String> FORBIDDEN = List.of("org/apache/catalina/", "org/apache/tomcat/",
			"org/apache/coyote/", "org/eclipse/jetty/", "org/springframework/boot/tomcat/",
			"org/springframework/boot/jetty/");

	private static final Pattern STARTED = Pattern
		.compile("Starlet started on port (\\d+) \\(http/1\\.1\\) with context path '/' and 10 workers");

	@Test
	void containsStarletAndNoTomcatOrJetty() throws IOException {
		Path jar = sampleJar();
		assertThat(jar).isRegularFile();
		List<String> libraries = new ArrayList<>();
		List<String> forbidden = new ArrayList<>();
		try (JarFile file = new JarFile(jar.toFile())) {
			Enumeration<JarEntry> entries = file.entries();
			while (entries.hasMoreElements()) {
				JarEntry entry = entries.nextElement();
				check(entry.getName(), forbidden);
				if (entry.getName().startsWith("BOOT-INF/lib/") && entry.getName().endsWith(".jar")) {
					libraries.add(entry.getName().substring("BOOT-INF/lib/".length()));
					try (InputStream in = file.getInputStream(entry); JarInputStream nested = new JarInputStream(in)) {
						for (JarEntry inner = nested.getNextJarEntry(); inner != null; inner = nested.getNextJarEntry()) {
							check(entry.getName() + "!/" + inner.getName(), forbidden);
						}
					}
				}
			}
		}
		assertThat(forbidden).isEmpty();
		assertThat(libraries).anyMatch((name) -> name.startsWith("starlet-core-"))
			.anyMatch((name) -> name.startsWith("starlet-spring-boot-starter-"))
			.noneMatch((name) -> isServerLibrary(name) || name.startsWith("jetty-")
					|| name.startsWith("spring-boot-tomcat") || name.startsWith("spring-boot-jetty")
					|| name.startsWith("spring-boot-devtools"));
		assertThat(Files.size(jar)).isPositive();
	}

	/**
	 * Runs the jar as the README says ({@code java -jar}), on a free port: the log says early on that
	 * Starlet started, on which port and with how many workers, and that port serves.
	 */
	@Test
	void runsWithJavaJarAndLogsThatStarletStarted() throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-jar", sampleJar().toString(), "--server.port=0",
				"--spring.main.banner-mode=off")
			.redirectErrorStream(true)
			.start();
		try {
			List<String> log = new ArrayList<>();
			int port = readPortFromLog(process, log);
			assertThat(log).as("log lines up to Starlet's").hasSizeLessThanOrEqualTo(15);
			HttpClient client = HttpClient.newHttpClient();
			HttpResponse<String> hello = client.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
						.timeout(Duration.ofSeconds(10))
						.build(),
					BodyHandlers.ofString());
			assertThat(hello.body()).isEqualTo("Hello, World!");
			HttpResponse<String> worker = client.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/worker"))
						.timeout(Duration.ofSeconds(10))
						.build(),
					BodyHandlers.ofString());
			assertThat(worker.body()).contains("\"pid\":" + process.pid() + ",")
				.contains("\"worker\":\"starlet-worker-");
		}
		finally {
			process.destroy();
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
		}
	}

	/** Reads the log until Starlet's started line (at most 120 s, on a busy machine, and 200 lines). */
	private static int readPortFromLog(Process process, List<String> log) throws Exception {
		BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
			try {
				for (String line = reader.readLine(); line != null && log.size() < 200; line = reader.readLine()) {
					synchronized (log) {
						log.add(line);
					}
					Matcher matcher = STARTED.matcher(line);
					if (matcher.find()) {
						return Integer.parseInt(matcher.group(1));
					}
				}
				return -1;
			}
			catch (IOException ex) {
				return -1;
			}
		});
		int found = port.get(120, TimeUnit.SECONDS);
		synchronized (log) {
			assertThat(found).as("Starlet's started line in:%n%s", String.join("\n", log)).isPositive();
		}
		// Keeps draining the output so that the application never blocks on a full pipe.
		CompletableFuture.runAsync(() -> reader.lines().forEach((line) -> {
		}));
		return found;
	}

	private static Path sampleJar() {
		return Path.of(System.getProperty("sample.jar", "target/starlet-spring-boot-sample-0.1.0-SNAPSHOT.jar"));
	}

	/**
	 * Tomcat's jars, except tomcat-embed-el: spring-boot-starter-validation brings that one on any
	 * server, as Hibernate Validator's expression language (it holds no server classes, which the
	 * package check above confirms).
	 */
	private static boolean isServerLibrary(String name) {
		return name.startsWith("tomcat-") && !name.startsWith("tomcat-embed-el-");
	}

	private static void check(String name, List<String> forbidden) {
		String path = name.contains("!/") ? name.substring(name.indexOf("!/") + 2) : name;
		if (path.startsWith("BOOT-INF/classes/")) {
			path = path.substring("BOOT-INF/classes/".length());
		}
		for (String prefix : FORBIDDEN) {
			if (path.startsWith(prefix)) {
				forbidden.add(name);
			}
		}
	}

}
