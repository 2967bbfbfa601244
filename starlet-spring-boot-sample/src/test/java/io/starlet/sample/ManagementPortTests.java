package io.starlet.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Actuator on a second port ({@code management.server.port}), served by a second Starlet server. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@Timeout(120)
class ManagementPortTests {

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	@Test
	void healthIsOnTheManagementPortOnly() throws Exception {
		assertThat(this.managementPort).isPositive().isNotEqualTo(this.port);
		HttpResponse<String> health = get(this.managementPort, "/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"starlet\"");
		assertThat(get(this.port, "/actuator/health").statusCode()).isEqualTo(404);
		assertThat(get(this.port, "/hello").body()).isEqualTo("Hello, World!");
		assertThat(get(this.managementPort, "/hello").statusCode()).isEqualTo(404);
	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		return this.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build(), BodyHandlers.ofString());
	}

}
