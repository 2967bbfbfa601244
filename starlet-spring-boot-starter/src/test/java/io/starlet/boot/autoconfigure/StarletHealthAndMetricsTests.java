package io.starlet.boot.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The health contributor and the meters, read from a real engine serving real requests. */
@Timeout(120)
class StarletHealthAndMetricsTests {

	private StarletServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private StarletServer start(int workers) throws IOException {
		StarletConfig config = StarletConfig.builder()
			.listen("127.0.0.1", 0)
			.maxWorkers(workers)
			.errRespawnInterval(Duration.ofSeconds(60))
			.build();
		this.server = new StarletServer(config, (exchange) -> {
			if (exchange.path().equals("/die")) {
				throw new Error("worker dies on purpose");
			}
			exchange.responseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
		});
		this.server.start();
		return this.server;
	}

	@Test
	void upWithPoolDetailsWhileWorkersAreAlive() throws Exception {
		StarletServer server = start(2);
		assertThat(exchange(server, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
		await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().liveWorkers() == 2);
		Health health = new StarletHealthIndicator(() -> server).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("maxWorkers", 2)
			.containsEntry("liveWorkers", 2)
			.containsEntry("running", true)
			.containsEntry("upgradedConnections", 0)
			.containsEntry("sendingConnections", 0)
			.containsEntry("unsentResponseFileBytes", 0L)
			.containsKeys("busyWorkers", "idleWorkers", "idleConnections", "queuedConnections", "requests",
					"retiredWorkers", "rejectedRequests");
		assertThat((Long) health.getDetails().get("requests")).isGreaterThanOrEqualTo(1L);
	}

	@Test
	void downWhenNoWorkerIsAlive() throws Exception {
		StarletServer server = start(1);
		exchange(server, "GET /die HTTP/1.1\r\nHost: x\r\n\r\n");
		await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().liveWorkers() == 0);
		Health health = new StarletHealthIndicator(() -> server).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("liveWorkers", 0)
			.containsEntry("retiredWorkers", Map.of("error", 1L));
	}

	@Test
	void downWhenNotRunning() throws Exception {
		StarletServer server = start(1);
		server.stop();
		assertThat(new StarletHealthIndicator(() -> server).health().getStatus()).isEqualTo(Status.DOWN);
		assertThat(new StarletHealthIndicator(() -> null).health().getStatus()).isEqualTo(Status.DOWN);
	}

	@Test
	void metersFollowThePool() throws Exception {
		StarletServer server = start(3);
		MeterRegistry registry = new SimpleMeterRegistry();
		StarletMetricsBinder.binder(server).bindTo(registry);
		assertThat(exchange(server, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
		assertThat(exchange(server, "GET /hello HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
		exchange(server, "GET /die HTTP/1.1\r\nHost: x\r\n\r\n");
		await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().retirements().getOrDefault("error", 0L) == 1L);
		assertThat(registry.get("starlet.workers.max").gauge().value()).isEqualTo(3);
		assertThat(registry.get("starlet.workers.busy").gauge().value()).isZero();
		assertThat(registry.get("starlet.workers.idle").gauge().value()).isEqualTo(2);
		assertThat(registry.get("starlet.workers.live").gauge().value()).isEqualTo(2);
		assertThat(registry.get("starlet.requests").functionCounter().count()).isGreaterThanOrEqualTo(2);
		assertThat(registry.get("starlet.workers.retired").tag("reason", "error").functionCounter().count())
			.isEqualTo(1);
		assertThat(registry.get("starlet.workers.retired").tag("reason", "budget").functionCounter().count()).isZero();
		assertThat(registry.get("starlet.requests.rejected").tag("violation", "INVALID_HOST").functionCounter().count())
			.isEqualTo(1);
		assertThat(registry.get("starlet.requests.rejected").tag("status", "400").functionCounters().stream()
			.mapToDouble(FunctionCounter::count).sum()).isEqualTo(1.0);
		assertThat(registry.get("starlet.requests.rejected").tag("violation", "HEADERS_TOO_LARGE").functionCounter().count())
			.isZero();
		assertThat(registry.get("starlet.connections.max").gauge().value()).isEqualTo(8192);
		assertThat(registry.get("starlet.requests.suspended").gauge().value()).isZero();
		assertThat(registry.get("starlet.connections.upgraded").gauge().value()).isZero();
		assertThat(registry.get("starlet.requests.body.buffered").gauge().value()).isZero();
		assertThat(registry.get("starlet.responses.unsent").gauge().value()).isZero();
		assertThat(registry.get("starlet.responses.unsent.file").gauge().value()).isZero();
		assertThat(registry.get("starlet.connections.sending").gauge().value()).isZero();
	}

	/** Sends one raw request and reads the response until the server closes. */
	private static String exchange(StarletServer server, String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", server.port())) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
		}
		catch (java.net.SocketException ex) {
			return "";
		}
	}

}
