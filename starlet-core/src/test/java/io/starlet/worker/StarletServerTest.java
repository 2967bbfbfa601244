package io.starlet.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.starlet.testing.RawClient;
import io.starlet.Handler;
import io.starlet.StarletConfig;

import static org.assertj.core.api.Assertions.assertThat;

/** The first slice's wire behaviour of the engine, over raw sockets. */
class StarletServerTest {

	@RegisterExtension
	final TestServer server = new TestServer();

	private static final Handler HELLO = TestServer.HELLO;


	@Test
	void byDefaultEveryResponseClosesTheConnection() throws Exception {
		int port = this.server.start(StarletConfig.builder(), HELLO);
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("Hello, World!");
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(response.header("Content-Length")).isEqualTo("13");
			assertThat(response.header("Date")).endsWith("GMT");
			assertThat(response.header("Server")).isNull();
			assertThat(client.closedByServer(2000)).isTrue();
		}
	}

	@Test
	void maxKeepaliveReqsClosesOnTheLastAllowedRequest() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxKeepaliveReqs(3), HELLO);
		try (RawClient client = new RawClient(port)) {
			for (int i = 1; i <= 2; i++) {
				RawClient.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.header("Connection")).as("response %d", i).isNull();
			}
			RawClient.Response third = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(third.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(2000)).isTrue();
		}
	}

	@Test
	void maxWorkersCapsRequestsHandledAtOnce() throws Exception {
		Handler slow = exchange -> {
			Thread.sleep(1000);
			HELLO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(2), slow);
		long startNanos = System.nanoTime();
		List<CompletableFuture<Integer>> results = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			results.add(CompletableFuture.supplyAsync(() -> {
				try (RawClient client = new RawClient(port)) {
					return client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status();
				}
				catch (IOException ex) {
					throw new RuntimeException(ex);
				}
			}));
		}
		for (CompletableFuture<Integer> result : results) {
			assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(200);
		}
		long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
		// Two waves of two: about 2 s; one wave would be about 1 s, four waves 4 s.
		assertThat(elapsedMillis).isBetween(1900L, 3500L);
	}

	@Test
	void malformedRequestLineGets400AndTheNextConnectionIsServed() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1), HELLO);
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET /\r\nHost: x\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(400);
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(response.body()).startsWith("400 Bad Request").doesNotContain("Exception");
			assertThat(client.closedByServer(2000)).isTrue();
		}
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
		}
	}

	@Test
	void gracefulShutdownLetsTheRequestInFlightFinish() throws Exception {
		CompletableFuture<Void> entered = new CompletableFuture<>();
		Handler slow = exchange -> {
			entered.complete(null);
			Thread.sleep(500);
			HELLO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().keepaliveTimeout(Duration.ofSeconds(5)), slow);
		try (RawClient client = new RawClient(port)) {
			client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
			entered.get(5, TimeUnit.SECONDS);
			CompletableFuture<Void> idle = this.server.get().shutdownGracefully();
			RawClient.Response response = client.read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("Connection")).isEqualTo("close");
			idle.get(5, TimeUnit.SECONDS);
		}
		this.server.get().stop();
		assertThat(this.server.get().port()).isEqualTo(-1);
	}

}
