package io.starlet.boot.application;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import static org.assertj.core.api.Assertions.assertThat;

/** What a typical Spring MVC API needs from its server, over a real socket. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { SecurityTests.WITHOUT_SECURITY, "server.address=127.0.0.1", "starlet.signals=false", "starlet.max-workers=4" })
@Timeout(120)
class MvcApplicationTests {

	private static final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@LocalServerPort
	private int port;

	@AfterAll
	static void stopScheduler() {
		scheduler.shutdownNow();
	}

	@Test
	void jsonInAndOutWithPathVariables() throws Exception {
		HttpResponse<String> response = send(request("/orders/42").header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString("{\"item\":\"tea\",\"quantity\":3}"))
			.build());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(response.body()).isEqualTo("{\"id\":42,\"item\":\"tea\",\"quantity\":3}");
	}

	@Test
	void validationErrorsAre400Json() throws Exception {
		HttpResponse<String> response = send(request("/orders/42").header("Content-Type", "application/json")
			.header("Accept", "application/json")
			.POST(BodyPublishers.ofString("{\"item\":\"\",\"quantity\":0}"))
			.build());
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(response.body()).contains("\"status\":400").contains("\"path\":\"/orders/42\"");
	}

	@Test
	void malformedJsonIs400() throws Exception {
		HttpResponse<String> response = send(request("/orders/42").header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString("{not json"))
			.build());
		assertThat(response.statusCode()).isEqualTo(400);
	}

	@Test
	void multipartUpload() throws Exception {
		String boundary = "starlet-boundary-7MA4YWxkTrZu0gW";
		String body = "--" + boundary + "\r\n"
				+ "Content-Disposition: form-data; name=\"description\"\r\n\r\n"
				+ "a greeting\r\n"
				+ "--" + boundary + "\r\n"
				+ "Content-Disposition: form-data; name=\"file\"; filename=\"hello.txt\"\r\n"
				+ "Content-Type: text/plain\r\n\r\n"
				+ "Hello, upload!\r\n"
				+ "--" + boundary + "--\r\n";
		HttpResponse<String> response = send(request("/upload")
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8))
			.build());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("hello.txt 14 text/plain a greeting: Hello, upload!");
	}

	@Test
	void deferredResultCompletesFromAnotherThread() throws Exception {
		HttpResponse<String> response = send(request("/deferred").GET().build());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("deferred done");
	}

	@Test
	void serverSentEventsArriveAsTheyAreSent() throws Exception {
		HttpResponse<String> response = send(request("/events").header("Accept", "text/event-stream").GET().build());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/event-stream"));
		assertThat(response.body()).isEqualTo("data:one\n\ndata:two\n\ndata:three\n\n");
	}

	@Test
	void concurrentRequestsAllSucceed() throws Exception {
		CompletableFuture<?>[] responses = new CompletableFuture<?>[20];
		for (int i = 0; i < responses.length; i++) {
			int id = i;
			responses[i] = this.client
				.sendAsync(request("/orders/" + id).header("Content-Type", "application/json")
					.POST(BodyPublishers.ofString("{\"item\":\"x\",\"quantity\":1}"))
					.build(), BodyHandlers.ofString())
				.thenAccept((response) -> assertThat(response.body()).contains("\"id\":" + id + ","));
		}
		CompletableFuture.allOf(responses).get(30, TimeUnit.SECONDS);
	}

	private HttpResponse<String> send(HttpRequest request) throws Exception {
		return this.client.send(request, BodyHandlers.ofString());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).timeout(Duration.ofSeconds(20));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(ApiController.class)
	static class ApiApplication {

	}

	record Order(@NotBlank String item, @Min(1) int quantity) {
	}

	record StoredOrder(long id, String item, int quantity) {
	}

	@RestController
	static class ApiController {

		@PostMapping(path = "/orders/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
		StoredOrder order(@PathVariable long id, @Valid @RequestBody Order order) {
			return new StoredOrder(id, order.item(), order.quantity());
		}

		@PostMapping("/upload")
		String upload(@RequestParam("file") MultipartFile file, @RequestParam String description) throws Exception {
			return file.getOriginalFilename() + " " + file.getSize() + " " + file.getContentType() + " " + description
					+ ": " + new String(file.getBytes(), StandardCharsets.UTF_8);
		}

		@GetMapping("/deferred")
		DeferredResult<String> deferred() {
			DeferredResult<String> result = new DeferredResult<>(10_000L);
			scheduler.schedule(() -> result.setResult("deferred done"), 100, TimeUnit.MILLISECONDS);
			return result;
		}

		@GetMapping("/events")
		SseEmitter events() {
			SseEmitter emitter = new SseEmitter(10_000L);
			scheduler.schedule(() -> {
				try {
					for (String event : new String[] { "one", "two", "three" }) {
						emitter.send(event);
					}
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
