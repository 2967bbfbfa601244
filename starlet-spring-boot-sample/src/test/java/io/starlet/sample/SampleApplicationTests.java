package io.starlet.sample;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Random;

import io.starlet.boot.StarletWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(120)
class SampleApplicationTests {

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private WebServerApplicationContext context;

	@Test
	void runsOnStarlet() {
		assertThat(this.context.getWebServer()).isInstanceOf(StarletWebServer.class);
		assertThat(this.context.getWebServer().getPort()).isEqualTo(this.port);
	}

	@Test
	void hello() throws Exception {
		HttpResponse<String> response = send(get("/hello"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("Hello, World!");
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/plain"));
	}

	@Test
	void json() throws Exception {
		HttpResponse<String> response = send(get("/json"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(response.body()).contains("\"message\":\"Hello, World!\"").contains("\"server\":\"starlet\"");
	}

	@Test
	void echoesAOneMebibyteBodySentWithContentLength() throws Exception {
		byte[] body = randomBytes(1024 * 1024);
		assertEchoed(body, BodyPublishers.ofByteArray(body));
	}

	@Test
	void echoesAOneMebibyteChunkedBody() throws Exception {
		byte[] body = randomBytes(1024 * 1024);
		// An input stream has no known length, so the client sends it chunked.
		assertEchoed(body, BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
	}

	private void assertEchoed(byte[] body, BodyPublisher publisher) throws Exception {
		HttpRequest request = request("/echo").header("Content-Type", "application/octet-stream")
			.POST(publisher)
			.build();
		HttpResponse<byte[]> response = this.client.send(request, BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).hasSize(body.length).isEqualTo(body);
	}

	@Test
	void actuatorHealthIsUp() throws Exception {
		HttpResponse<String> response = send(get("/actuator/health"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).startsWith("{\"").contains("\"status\":\"UP\"");
		assertThat(response.body()).contains("\"starlet\":{").contains("\"maxWorkers\":10");
	}

	@Test
	void starletMetricsArePublished() throws Exception {
		HttpResponse<String> response = send(get("/actuator/metrics/starlet.workers.max"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("\"value\":10.0");
		assertThat(send(get("/actuator/metrics/starlet.workers.retired")).body()).contains("\"reason\"");
		assertThat(send(get("/actuator/metrics/starlet.requests.rejected")).body()).contains("\"status\"");
	}

	@Test
	void unknownPathIsA404InJson() throws Exception {
		HttpResponse<String> response = send(request("/no/such/path").header("Accept", "application/json").build());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(response.body()).contains("\"status\":404").contains("\"path\":\"/no/such/path\"");
	}

	@Test
	void failingControllerIsA500InJson() throws Exception {
		HttpResponse<String> response = send(request("/fail").header("Accept", "application/json").build());
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(response.body()).contains("\"status\":500").contains("\"path\":\"/fail\"");
		assertThat(response.body()).doesNotContain("IllegalStateException");
	}

	@Test
	void browsersGetTheWhitelabelPage() throws Exception {
		HttpResponse<String> response = send(request("/fail").header("Accept", "text/html").build());
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/html"));
		assertThat(response.body()).contains("Whitelabel Error Page");
	}

	@Test
	void browsersGetTheWhitelabelPageFor404() throws Exception {
		HttpResponse<String> response = send(request("/no/such/page").header("Accept", "text/html").build());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains("Whitelabel Error Page");
	}

	private HttpResponse<String> send(HttpRequest request) throws Exception {
		return this.client.send(request, BodyHandlers.ofString());
	}

	private HttpRequest get(String path) {
		return request(path).GET().build();
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).timeout(Duration.ofSeconds(20));
	}

	private static byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		new Random(42).nextBytes(bytes);
		return bytes;
	}

}
