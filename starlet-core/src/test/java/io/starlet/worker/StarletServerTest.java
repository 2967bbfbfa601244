package io.starlet.worker;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.http.BadRequestException;
import io.starlet.http.Violation;
import io.starlet.testing.Await;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The first slice's wire behaviour of the engine, over raw sockets. */
@Timeout(60)
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
			assertThat(client.closedByServer(10_000)).isTrue();
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
			assertThat(client.closedByServer(10_000)).isTrue();
		}
	}

	@Test
	void maxWorkersCapsRequestsHandledAtOnce() throws Exception {
		AtomicInteger entered = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		Handler slow = exchange -> {
			entered.incrementAndGet();
			release.await(30, TimeUnit.SECONDS);
			HELLO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(2), slow);
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
		// Two requests run; the other two wait in the queue, not in a handler.
		Await.until("two busy, two queued", () -> this.server.get().stats().busyWorkers() == 2
				&& this.server.get().stats().queuedConnections() == 2);
		assertThat(entered).hasValue(2);
		release.countDown();
		for (CompletableFuture<Integer> result : results) {
			assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(200);
		}
		assertThat(entered).hasValue(4);
	}

	@Test
	void malformedRequestLineGets400AndTheNextConnectionIsServed() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1), HELLO);
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET /\r\nHost: x\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(400);
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(response.body()).startsWith("400 Bad Request").doesNotContain("Exception");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
		}
	}

	@Test
	void gracefulShutdownLetsTheRequestInFlightFinish() throws Exception {
		CompletableFuture<Void> entered = new CompletableFuture<>();
		CountDownLatch release = new CountDownLatch(1);
		Handler slow = exchange -> {
			entered.complete(null);
			release.await(30, TimeUnit.SECONDS);
			HELLO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().keepaliveTimeout(Duration.ofSeconds(5)), slow);
		try (RawClient client = new RawClient(port)) {
			client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
			entered.get(20, TimeUnit.SECONDS);
			CompletableFuture<Void> idle = this.server.get().shutdownGracefully();
			assertThat(idle).isNotDone();
			release.countDown();
			RawClient.Response response = client.read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("Connection")).isEqualTo("close");
			idle.get(20, TimeUnit.SECONDS);
		}
		this.server.get().stop();
		assertThat(this.server.get().port()).isEqualTo(-1);
	}

	@Test
	void requestBodyRemainingCountsDownAContentLengthBodyAndIsUnknownForAChunkedOne() throws Exception {
		// What the handler saw goes back in the response: asserted here, not in the handler.
		Handler remaining = exchange -> {
			long before = exchange.requestBodyRemaining();
			byte[] first = exchange.requestBody().readNBytes(3);
			long after = exchange.requestBodyRemaining();
			exchange.requestBody().readAllBytes();
			TestServer.text(exchange, before + " " + first.length + " " + after + " " + exchange.requestBodyRemaining());
		};
		int port = this.server.start(StarletConfig.builder().maxKeepaliveReqs(10), remaining);
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789").read().body())
				.isEqualTo("10 3 7 0");
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("0 0 0 0");
			assertThat(client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n")
				.read().body()).isEqualTo("-1 3 -1 -1");
		}
	}

	@Test
	void theEngineAnswersTheBodyFailuresThatExchangeNames() {
		assertThat(Exchange.isRequestBodyFailure(new BadRequestException(Violation.INVALID_CHUNK_SIZE, "bad chunk"))).isTrue();
		assertThat(Exchange.isRequestBodyFailure(new SocketTimeoutException("timed out"))).isTrue();
		assertThat(Exchange.isRequestBodyFailure(new IOException("broken pipe"))).isFalse();
		assertThat(Exchange.isRequestBodyFailure(new IllegalStateException())).isFalse();
	}

}
