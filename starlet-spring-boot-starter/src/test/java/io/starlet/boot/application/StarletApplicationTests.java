package io.starlet.boot.application;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.starlet.ChildExitHook;
import io.starlet.boot.StarletWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Spring MVC application on Starlet, with {@code starlet.*} settings observed on the wire.
 * Virtual threads are requested too: the workers stay platform threads and the cap holds.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { SecurityTests.WITHOUT_SECURITY, "starlet.max-workers=2",
		"starlet.max-keepalive-reqs=3", "starlet.keepalive-timeout=5s", "starlet.max-reqs-per-child=1000",
		"spring.threads.virtual.enabled=true", "server.address=127.0.0.1", "starlet.signals=false" })
@Timeout(120)
class StarletApplicationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private WebServerApplicationContext context;

	@Autowired
	private TestApplication application;

	@Test
	void thirdResponseOnAConnectionClosesItWithMaxKeepaliveReqs3() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			List<String> connectionHeaders = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				out.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				connectionHeaders.add(readResponse(in));
			}
			assertThat(connectionHeaders).containsExactly("keep-alive-or-none", "keep-alive-or-none", "close");
			assertThat(in.read()).as("server closed the connection").isEqualTo(-1);
		}
	}

	/** Reads one response with a Content-Length body; returns its Connection header. */
	private static String readResponse(BufferedReader in) throws IOException {
		String statusLine = in.readLine();
		assertThat(statusLine).startsWith("HTTP/1.1 200");
		String connection = "keep-alive-or-none";
		int length = -1;
		for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
			String lower = line.toLowerCase();
			if (lower.startsWith("connection:") && lower.contains("close")) {
				connection = "close";
			}
			if (lower.startsWith("content-length:")) {
				length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
			}
		}
		assertThat(length).isPositive();
		char[] body = new char[length];
		int read = 0;
		while (read < length) {
			int n = in.read(body, read, length - read);
			assertThat(n).isPositive();
			read += n;
		}
		return connection;
	}

	@Test
	void maxWorkersCapsConcurrencyOnPlatformWorkerThreadsEvenWithVirtualThreadsEnabled() throws Exception {
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		this.application.maxConcurrent.set(0);
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/slow"))
				.timeout(Duration.ofSeconds(20))
				.build(), BodyHandlers.ofString()));
		}
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			assertThat(response.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		}
		assertThat(this.application.maxConcurrent).hasValue(2);
		assertThat(this.application.threads).allSatisfy((name) -> assertThat(name).matches("starlet-worker-\\d+ virtual=false"));
	}

	@Test
	void childExitHookBeansRunAsWorkersRetire() throws Exception {
		int before = this.application.childExits.get();
		// What SIGHUP does: every worker retires gracefully and is replaced.
		((StarletWebServer) this.context.getWebServer()).getStarletServer().recycleWorkers();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.application.childExits.get() > before);
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/hello")).build(),
				BodyHandlers.ofString()).body()).isEqualTo("Hello");
		assertThat(this.application.childExitThreads).allSatisfy((name) -> assertThat(name).startsWith("starlet-worker-"));
	}

	@Test
	void theWebServerIsStarlet() {
		assertThat(this.context.getWebServer()).isInstanceOf(StarletWebServer.class);
		assertThat(((StarletWebServer) this.context.getWebServer()).getStarletServer().config().maxWorkers()).isEqualTo(2);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestController.class)
	static class TestApplication {

		final AtomicInteger concurrent = new AtomicInteger();

		final AtomicInteger maxConcurrent = new AtomicInteger();

		/** The first two /slow requests wait for each other: two at once is reached, not hoped for. */
		final CountDownLatch twoInside = new CountDownLatch(2);

		final Set<String> threads = ConcurrentHashMap.newKeySet();

		final AtomicInteger childExits = new AtomicInteger();

		final Set<String> childExitThreads = ConcurrentHashMap.newKeySet();

		@Bean
		ChildExitHook countingChildExitHook() {
			return (worker) -> {
				this.childExits.incrementAndGet();
				this.childExitThreads.add(Thread.currentThread().getName());
			};
		}

	}

	@RestController
	static class TestController {

		private final TestApplication application;

		TestController(TestApplication application) {
			this.application = application;
		}

		@GetMapping("/hello")
		String hello() {
			return "Hello";
		}

		@GetMapping("/slow")
		String slow() throws Exception {
			int now = this.application.concurrent.incrementAndGet();
			this.application.maxConcurrent.accumulateAndGet(now, Math::max);
			this.application.threads.add(Thread.currentThread().getName() + " virtual=" + isVirtual(Thread.currentThread()));
			try {
				this.application.twoInside.countDown();
				this.application.twoInside.await(20, TimeUnit.SECONDS);
				// Time is the point: a request that takes a while, so that the other four pile
				// up behind the two workers and the cap is tested; nothing waits on it.
				Thread.sleep(300);
			}
			finally {
				this.application.concurrent.decrementAndGet();
			}
			return "slow";
		}

		private static boolean isVirtual(Thread thread) throws Exception {
			try {
				return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
			}
			catch (NoSuchMethodException ex) {
				return false;
			}
		}

	}

}
