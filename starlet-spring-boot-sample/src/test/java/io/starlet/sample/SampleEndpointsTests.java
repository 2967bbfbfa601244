package io.starlet.sample;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The sample's everyday endpoints and its Actuator probes, through a real client. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(120)
class SampleEndpointsTests {

	/** How long an effect on another thread may take: far more than a loaded machine needs. */
	private static final Duration PATIENCE = Duration.ofSeconds(20);

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@Test
	void greetingsTakeAndGiveJson() throws Exception {
		HttpResponse<String> response = send(postJson("/greetings", "{\"name\":\"Alice\",\"times\":2}"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(this.json.readTree(response.body()).get("message").asString())
			.isEqualTo("Hello, Alice! Hello, Alice!");
		JsonNode once = this.json.readTree(send(postJson("/greetings", "{\"name\":\"Bob\"}")).body());
		assertThat(once.get("message").asString()).isEqualTo("Hello, Bob!");
	}

	@Test
	void invalidGreetingIsA400NamingTheFields() throws Exception {
		HttpResponse<String> response = send(postJson("/greetings", "{\"name\":\" \",\"times\":9}"));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		JsonNode body = this.json.readTree(response.body());
		assertThat(body.get("status").asInt()).isEqualTo(400);
		assertThat(body.get("path").asString()).isEqualTo("/greetings");
		assertThat(body.get("fields").get("name").asString()).isEqualTo("must not be blank");
		assertThat(body.get("fields").get("times").asString()).isEqualTo("must be less than or equal to 5");
	}

	@Test
	void malformedJsonIsA400InJson() throws Exception {
		HttpResponse<String> response = send(postJson("/greetings", "{\"name\":"));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(response.body()).contains("\"status\":400").contains("\"path\":\"/greetings\"");
	}

	@Test
	void uploadReportsNameSizeAndSha256() throws Exception {
		byte[] content = new byte[300 * 1024];
		new Random(7).nextBytes(content);
		String boundary = "sample-boundary-7MA4YWxkTrZu0gW";
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.write(("--" + boundary + "\r\n"
				+ "Content-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
				+ "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		body.write(content);
		body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
		HttpResponse<String> response = send(request("/upload")
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(BodyPublishers.ofByteArray(body.toByteArray()))
			.build());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode receipt = this.json.readTree(response.body());
		assertThat(receipt.get("name").asString()).isEqualTo("photo.jpg");
		assertThat(receipt.get("contentType").asString()).isEqualTo("image/jpeg");
		assertThat(receipt.get("size").asLong()).isEqualTo(content.length);
		assertThat(receipt.get("sha256").asString())
			.isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
	}

	@Test
	void uploadWithoutAFilePartIsA400() throws Exception {
		String boundary = "sample-boundary-empty";
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nvalue\r\n--"
				+ boundary + "--\r\n";
		HttpResponse<String> response = send(request("/upload").header("Accept", "application/json")
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(BodyPublishers.ofString(body))
			.build());
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"status\":400").contains("\"path\":\"/upload\"");
	}

	@Test
	void streamSendsEachEventAsItHappens() throws Exception {
		long start = System.nanoTime();
		HttpResponse<Stream<String>> response = this.client.send(
				request("/stream?count=3&delay=1000").header("Accept", "text/event-stream").GET().build(),
				BodyHandlers.ofLines());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/event-stream"));
		List<String> lines = new ArrayList<>();
		List<Long> dataArrivals = new ArrayList<>();
		try (Stream<String> body = response.body()) {
			body.forEach((line) -> {
				lines.add(line);
				if (line.startsWith("data:")) {
					dataArrivals.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
				}
			});
		}
		assertThat(lines).contains("id:1", "id:2", "id:3", "event:tick");
		assertThat(lines.stream().filter((line) -> line.startsWith("data:")))
			.hasSize(3)
			.allSatisfy((line) -> assertThat(line).contains("\"of\":3"));
		// Time is the point: two 1 s pauses separate the first event from the last; had the
		// response been buffered, they would have arrived together. Half the 2 s is the margin for
		// a test thread that a loaded machine keeps from reading the first one at once.
		assertThat(dataArrivals.get(2) - dataArrivals.get(0)).isGreaterThanOrEqualTo(1000);
	}

	@Test
	void streamRejectsAnOutOfRangeCount() throws Exception {
		HttpResponse<String> response = send(get("/stream?count=0"));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"status\":400").contains("\"path\":\"/stream\"");
	}

	@Test
	void workerSaysWhoServedAndHowManyRequestsAreLeft() throws Exception {
		HttpResponse<String> response = send(get("/worker"));
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode worker = this.json.readTree(response.body());
		assertThat(worker.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
		assertThat(worker.get("worker").asString()).isEqualTo("starlet-worker-" + worker.get("id").asInt());
		assertThat(worker.get("requestBudget").asLong()).isEqualTo(100);
		assertThat(worker.get("requestsServed").asLong()).isBetween(1L, 100L);
		assertThat(worker.get("requestsLeft").asLong())
			.isEqualTo(worker.get("requestBudget").asLong() - worker.get("requestsServed").asLong());
		assertThat(worker.get("retiring").asBoolean()).isFalse();
	}

	@Test
	void retireMakesTheWorkerRetireAfterTheResponse() throws Exception {
		double retiredBefore = harakiriRetirements();
		HttpResponse<String> response = send(get("/worker?retire=true"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Connection")).hasValue("close");
		JsonNode retired = this.json.readTree(response.body());
		assertThat(retired.get("retiring").asBoolean()).isTrue();
		assertThat(retired.get("requestsLeft").asLong()).isZero();
		int retiredId = retired.get("id").asInt();
		// the worker retires just after its response has left
		await().atMost(PATIENCE).until(() -> harakiriRetirements() > retiredBefore);
		for (int i = 0; i < 20; i++) {
			assertThat(this.json.readTree(send(get("/worker")).body()).get("id").asInt()).isNotEqualTo(retiredId);
		}
	}

	private double harakiriRetirements() throws Exception {
		HttpResponse<String> response = send(get("/actuator/metrics/starlet.workers.retired?tag=reason:harakiri"));
		assertThat(response.statusCode()).isEqualTo(200);
		return this.json.readTree(response.body()).get("measurements").get(0).get("value").asDouble();
	}

	@Test
	void livenessAndReadinessProbesAreUp() throws Exception {
		for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
			HttpResponse<String> response = send(get(probe));
			assertThat(response.statusCode()).as(probe).isEqualTo(200);
			assertThat(this.json.readTree(response.body()).get("status").asString()).as(probe).isEqualTo("UP");
		}
		assertThat(send(get("/actuator/health")).body()).contains("\"groups\":[\"liveness\",\"readiness\"]");
	}

	@Test
	void requestsShowInTheHttpServerRequestsMetric() throws Exception {
		assertThat(send(get("/hello")).statusCode()).isEqualTo(200);
		String metric = "/actuator/metrics/http.server.requests?tag=uri:/hello&tag=status:200";
		// recorded once the exchange has ended, which may be just after the client has its response
		await().atMost(PATIENCE).until(() -> {
			HttpResponse<String> response = send(get(metric));
			return response.statusCode() == 200
					&& this.json.readTree(response.body()).get("measurements").get(0).get("value").asDouble() >= 1;
		});
	}

	private HttpResponse<String> send(HttpRequest request) throws Exception {
		return this.client.send(request, BodyHandlers.ofString());
	}

	private HttpRequest get(String path) {
		return request(path).GET().build();
	}

	private HttpRequest postJson(String path, String body) {
		return request(path).header("Content-Type", "application/json").POST(BodyPublishers.ofString(body)).build();
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).timeout(Duration.ofSeconds(20));
	}

}
