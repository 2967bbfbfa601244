package io.starlet.sample;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.starlet.boot.StarletWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring Boot tools users reach for, against an application on Starlet: the test clients of a
 * {@code RANDOM_PORT} test, Actuator's thread and heap dumps, and the error attributes
 * ({@code spring.web.error.include-*}, Boot 3's {@code server.error.include-*}).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1",
				"management.endpoints.web.exposure.include=health,threaddump,heapdump",
				"management.endpoint.heapdump.access=unrestricted",
				// Boot 4 moved server.error.include-* here; the old keys no longer bind, on any server
				"spring.web.error.include-message=always", "spring.web.error.include-exception=true",
				"spring.web.error.include-stacktrace=always" })
@AutoConfigureTestRestTemplate
@AutoConfigureRestTestClient
@Timeout(300)
class SpringBootToolsTests {

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private WebServerApplicationContext context;

	@Autowired
	private TestRestTemplate restTemplate;

	@Autowired
	private RestTestClient restTestClient;

	@Test
	void testRestTemplateTalksToStarletOnTheRandomPort() {
		assertThat(this.context.getWebServer()).isInstanceOf(StarletWebServer.class);
		assertThat(this.restTemplate.getRootUri()).isEqualTo("http://localhost:" + this.port);
		ResponseEntity<String> response = this.restTemplate.getForEntity("/hello", String.class);
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(response.getBody()).isEqualTo("Hello, World!");
		assertThat(this.restTemplate.getForEntity("/no/such/path", String.class).getStatusCode())
			.isEqualTo(HttpStatus.NOT_FOUND);
	}

	@Test
	void restTestClientTalksToStarletOnTheRandomPort() {
		this.restTestClient.get()
			.uri("/json")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBody(String.class)
			.value((body) -> assertThat(body).contains("\"server\":\"starlet\""));
	}

	@Test
	void threadDumpShowsStarletsThreads() throws Exception {
		HttpResponse<String> json = this.client.send(request("/actuator/threaddump").build(), BodyHandlers.ofString());
		assertThat(json.statusCode()).isEqualTo(200);
		assertThat(json.body()).contains("\"threadName\":\"starlet-acceptor\"").contains("\"threadName\":\"starlet-worker-");
		HttpResponse<String> text = this.client.send(request("/actuator/threaddump").header("Accept", "text/plain").build(),
				BodyHandlers.ofString());
		assertThat(text.statusCode()).isEqualTo(200);
		assertThat(text.body()).contains("Full thread dump").contains("\"starlet-acceptor\"");
	}

	@Test
	void heapDumpIsStreamedWhole() throws Exception {
		HttpResponse<InputStream> response = this.client.send(request("/actuator/heapdump").build(),
				BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
		byte[] head;
		long total;
		try (InputStream body = response.body()) {
			head = body.readNBytes(18);
			total = head.length + body.transferTo(java.io.OutputStream.nullOutputStream());
		}
		assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("JAVA PROFILE 1.0.2");
		assertThat(total).isEqualTo(length).isGreaterThan(1024 * 1024);
	}

	@Test
	void errorIncludeSettingsShapeTheErrorResponse() throws Exception {
		HttpResponse<String> response = this.client.send(request("/fail").header("Accept", "application/json").build(),
				BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.body()).contains("\"message\":\"the sample failed on purpose\"")
			.contains("\"exception\":\"java.lang.IllegalStateException\"")
			.contains("\"trace\":\"java.lang.IllegalStateException: the sample failed on purpose")
			.contains("\"path\":\"/fail\"");
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).timeout(Duration.ofSeconds(60));
	}

}
