package io.starlet.boot.application;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.boot.StarletWebServer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring MVC's async return values on two workers: suspended requests hold no worker, so long
 * polls and event streams far outnumber the workers while a plain request is still served at once.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { SecurityTests.WITHOUT_SECURITY,
		"server.address=127.0.0.1", "starlet.signals=false", "starlet.max-workers=2",
		"starlet.max-keepalive-reqs=100" })
class AsyncMvcTests {

	/** How long an effect on another thread may take: far more than a loaded machine needs. */
	private static final Duration PATIENCE = Duration.ofSeconds(20);

	private static final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

	static final List<SseEmitter> subscribers = new CopyOnWriteArrayList<>();

	static final AtomicInteger polls = new AtomicInteger();

	/** The long polls' result: the test decides when it arrives, so every poll is pending till then. */
	static volatile CompletableFuture<String> pollResult = new CompletableFuture<>();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private WebServerApplicationContext context;

	private final AtomicBoolean sampling = new AtomicBoolean(true);

	private final AtomicInteger mostBusy = new AtomicInteger();

	@BeforeEach
	void sampleBusyWorkers() {
		var server = ((StarletWebServer) this.context.getWebServer()).getStarletServer();
		Thread sampler = new Thread(() -> {
			while (this.sampling.get()) {
				this.mostBusy.accumulateAndGet(server.stats().busyWorkers(), Math::max);
				// the sampling interval, not a wait: the sampler only reads the gauge
				LockSupport.parkNanos(200_000);
			}
		}, "busy-sampler");
		sampler.setDaemon(true);
		sampler.start();
	}

	@AfterEach
	void busyWorkersNeverExceededMaxWorkers() {
		this.sampling.set(false);
		assertThat(this.mostBusy.get()).isLessThanOrEqualTo(2);
	}

	@AfterAll
	static void stopScheduler() {
		scheduler.shutdownNow();
	}

	@Test
	@Timeout(60)
	void fortyDeferredResultLongPollsLeaveAFreshRequestServedAtOnce() throws Exception {
		polls.set(0);
		pollResult = new CompletableFuture<>();
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			responses.add(this.client.sendAsync(request("/poll").GET().build(), BodyHandlers.ofString()));
		}
		// 40 polls started on 2 workers: the pending ones hold none
		await().atMost(PATIENCE).until(() -> polls.get() == 40);
		HttpResponse<String> hello = this.client.send(request("/hello").GET().build(), BodyHandlers.ofString());
		assertThat(hello.body()).isEqualTo("hello");
		// served while every poll was still pending: their result has not arrived yet
		assertThat(responses).noneMatch(CompletableFuture::isDone);
		pollResult.complete("polled");
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			HttpResponse<String> poll = response.get(30, TimeUnit.SECONDS);
			assertThat(poll.statusCode()).isEqualTo(200);
			assertThat(poll.body()).isEqualTo("polled");
		}
	}

	@Test
	@Timeout(60)
	void hundredSseSubscribersOnTwoWorkersReceiveEveryEvent() throws Exception {
		subscribers.clear();
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			responses.add(this.client.sendAsync(request("/subscribe").header("Accept", "text/event-stream").GET().build(),
					BodyHandlers.ofString()));
		}
		await().atMost(PATIENCE).until(() -> subscribers.size() == 100);
		HttpResponse<String> hello = this.client.send(request("/hello").GET().build(), BodyHandlers.ofString());
		assertThat(hello.body()).isEqualTo("hello");
		for (int n = 1; n <= 3; n++) {
			for (SseEmitter subscriber : subscribers) {
				subscriber.send("event " + n);
			}
		}
		subscribers.forEach(SseEmitter::complete);
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			HttpResponse<String> events = response.get(30, TimeUnit.SECONDS);
			assertThat(events.statusCode()).isEqualTo(200);
			assertThat(events.body()).isEqualTo("data:event 1\n\ndata:event 2\n\ndata:event 3\n\n");
		}
	}

	@Test
	@Timeout(30)
	void callableStreamingResponseBodyAndResponseBodyEmitterWork() throws Exception {
		assertThat(get("/callable").body()).isEqualTo("callable on task-executor");
		assertThat(get("/streaming").body()).isEqualTo("line 1\nline 2\nline 3\n");
		assertThat(get("/emitter").body()).isEqualTo("one two three");
		assertThat(get("/deferred-timeout").statusCode()).isEqualTo(503);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.client.send(request(path).GET().build(), BodyHandlers.ofString());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).timeout(Duration.ofSeconds(20));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(AsyncController.class)
	static class AsyncApplication {

	}

	@RestController
	static class AsyncController {

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

		@GetMapping("/poll")
		DeferredResult<String> poll() {
			DeferredResult<String> result = new DeferredResult<>(20_000L);
			pollResult.thenAccept(result::setResult);
			polls.incrementAndGet();
			return result;
		}

		@GetMapping("/deferred-timeout")
		DeferredResult<String> deferredTimeout() {
			return new DeferredResult<>(200L);
		}

		@GetMapping(path = "/subscribe", produces = "text/event-stream")
		SseEmitter subscribe() {
			SseEmitter emitter = new SseEmitter(30_000L);
			subscribers.add(emitter);
			return emitter;
		}

		@GetMapping("/callable")
		Callable<String> callable() {
			return () -> "callable on " + (Thread.currentThread().getName().startsWith("starlet-worker") ? "a worker"
					: "task-executor");
		}

		@GetMapping("/streaming")
		StreamingResponseBody streaming() {
			return (out) -> {
				for (int i = 1; i <= 3; i++) {
					out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
					out.flush();
				}
			};
		}

		@GetMapping("/emitter")
		ResponseBodyEmitter emitter() {
			ResponseBodyEmitter emitter = new ResponseBodyEmitter(10_000L);
			scheduler.schedule(() -> {
				try {
					emitter.send("one ");
					emitter.send("two ");
					emitter.send("three");
					emitter.complete();
				}
				catch (Exception ex) {
					emitter.completeWithError(ex);
				}
			}, 50, TimeUnit.MILLISECONDS);
			return emitter;
		}

	}

}
