package io.starlet.worker;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.starlet.Handler;
import io.starlet.ServerStats;
import io.starlet.StarletConfig;
import io.starlet.testing.Await;
import io.starlet.testing.ManualClock;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every deadline the engine keeps, driven by a {@link ManualClock}: each test steps the clock to
 * the deadline, where the rule must not yet apply, then just past it, where it must. No test here
 * waits for time to pass, so none depends on how loaded the machine is; each move of the clock
 * returns once the server has re-checked its deadlines ({@link TestServer}), so what a test then
 * sees is the outcome.
 */
@Timeout(30)
class ClockDrivenDeadlinesTest {

	private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	@RegisterExtension
	final TestServer server = new TestServer();

	private final ManualClock clock = new ManualClock();

	/** The worker that ran the last request. */
	private final AtomicReference<Thread> worker = new AtomicReference<>();

	private final CountDownLatch blocking = new CountDownLatch(1);

	private final CountDownLatch unblock = new CountDownLatch(1);

	private final Handler handler = (exchange) -> {
		this.worker.set(Thread.currentThread());
		if (exchange.query() != null && exchange.query().equals("die")) {
			throw new AssertionError("simulated fatal error");
		}
		if (exchange.path().equals("/block")) {
			this.blocking.countDown();
			this.unblock.await(20, TimeUnit.SECONDS);
		}
		exchange.requestBody().readAllBytes();
		TestServer.text(exchange, "hello");
	};

	private int start(StarletConfig.Builder config) throws Exception {
		return this.server.start(config.clock(this.clock), this.handler);
	}

	private ServerStats stats() {
		return this.server.get().stats();
	}

	/** Moves the clock by nothing: returns once the acceptor and the manager have looked again. */
	private void settle() {
		this.clock.advance(Duration.ZERO);
	}

	@Test
	void anIdleKeptAliveConnectionIsClosedOnceTheKeepaliveTimeoutIsOver() throws Exception {
		int port = start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(10).keepaliveTimeout(Duration.ofSeconds(2)));
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send(GET).read().body()).isEqualTo("hello");
			// the worker hands the connection back before it waits for the next one; the settle
			// makes sure the acceptor has taken it (its keep-alive deadline starts now)
			Await.parked(this.worker.get());
			settle();
			this.clock.advance(Duration.ofSeconds(2));
			assertThat(stats().openConnections()).as("idle for exactly keepalive-timeout: kept").isEqualTo(1);
			this.clock.advance(Duration.ofMillis(1));
			assertThat(stats().openConnections()).as("idle for longer: closed").isZero();
			assertThat(client.closedByServer(5000)).isTrue();
		}
	}

	@Test
	void aRequestHeadNotWholeByTheHeadTimeoutIsAnswered408() throws Exception {
		int port = start(StarletConfig.builder().requestHeadTimeout(Duration.ofSeconds(20)));
		try (RawClient client = new RawClient(port)) {
			client.send("GET / HTTP/1.1\r\nHost: x\r\n");
			Await.until("accepted", () -> stats().openConnections() == 1);
			settle();
			this.clock.advance(Duration.ofSeconds(20));
			assertThat(stats().openConnections()).as("at the head deadline: still waiting").isEqualTo(1);
			this.clock.advance(Duration.ofMillis(1));
			assertThat(client.read().status()).isEqualTo(408);
			assertThat(stats().violations()).containsEntry("REQUEST_TIMEOUT", 1L);
		}
	}

	@Test
	void aBodyThatStopsArrivingForTheTimeoutIsAnswered408() throws Exception {
		int port = start(StarletConfig.builder().timeout(Duration.ofSeconds(5)).minRequestBodyRate(0));
		try (RawClient client = new RawClient(port)) {
			client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
			Await.until("accepted", () -> stats().openConnections() == 1);
			settle();
			this.clock.advance(Duration.ofSeconds(5));
			assertThat(stats().openConnections()).as("silent for exactly the timeout: still collecting").isEqualTo(1);
			this.clock.advance(Duration.ofMillis(1));
			assertThat(client.read().status()).isEqualTo(408);
			assertThat(stats().violations()).containsEntry("BODY_TIMEOUT", 1L);
		}
	}

	@Test
	void aBodyBelowTheMinimumRateIsAnswered408AfterTheGrace() throws Exception {
		// 10 bytes are due within 10 ms at 1000 bytes/s, but the grace gives every body 5 s
		int port = start(StarletConfig.builder().minRequestBodyRate(1000));
		try (RawClient client = new RawClient(port)) {
			client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789");
			Await.until("accepted", () -> stats().openConnections() == 1);
			settle();
			this.clock.advance(StarletConfig.MIN_BODY_RATE_GRACE);
			assertThat(stats().openConnections()).as("at the end of the grace: still collecting").isEqualTo(1);
			this.clock.advance(Duration.ofMillis(1));
			RawClient.Response response = client.read();
			assertThat(response.status()).isEqualTo(408);
			assertThat(response.body()).contains("below 1000 bytes per second");
		}
	}

	/**
	 * The same rule on a worker, for a body streamed to the application. Only past the deadline:
	 * a worker's wait is woken by the move but not waited for, so "not yet" cannot be observed.
	 */
	@Test
	void aStreamedBodyBelowTheMinimumRateIsAnswered408ByItsWorker() throws Exception {
		int port = start(StarletConfig.builder().maxWorkers(1).requestBuffering(false).minRequestBodyRate(1000));
		try (RawClient client = new RawClient(port)) {
			client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789");
			Await.until("the worker waits for the body", () -> this.worker.get() != null
					&& waitsInConnection(this.worker.get()));
			this.clock.advance(StarletConfig.MIN_BODY_RATE_GRACE.plusMillis(1));
			RawClient.Response response = client.read();
			assertThat(response.status()).isEqualTo(408);
			Await.until("the worker is free", () -> stats().busyWorkers() == 0);
		}
	}

	/** Whether the thread waits in a connection's select (for bytes, or for room to write). */
	private static boolean waitsInConnection(Thread thread) {
		for (StackTraceElement frame : thread.getStackTrace()) {
			if (frame.getClassName().equals(io.starlet.net.Connection.class.getName())
					&& frame.getMethodName().equals("await")) {
				return true;
			}
		}
		return false;
	}

	@Test
	void aRequestQueuedForLongerThanTheQueueTimeoutIsAnswered503() throws Exception {
		int port = start(StarletConfig.builder().maxWorkers(1).queueTimeout(Duration.ofSeconds(1)));
		try (RawClient blocker = new RawClient(port); RawClient client = new RawClient(port)) {
			blocker.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(this.blocking.await(10, TimeUnit.SECONDS)).isTrue();
			client.send(GET);
			Await.until("queued", () -> stats().queuedConnections() == 1);
			this.clock.advance(Duration.ofSeconds(1));
			assertThat(stats().queuedConnections()).as("queued for exactly queue-timeout: still waits").isEqualTo(1);
			this.clock.advance(Duration.ofMillis(1));
			assertThat(client.read().status()).isEqualTo(503);
			assertThat(stats().queuedConnections()).isZero();
			this.unblock.countDown();
			assertThat(blocker.read().body()).isEqualTo("hello");
		}
	}

	@Test
	void spawnIntervalSpawnsOneWorkerPerInterval() throws Exception {
		start(StarletConfig.builder().maxWorkers(3).spawnInterval(Duration.ofSeconds(10)));
		assertThat(stats().liveWorkers()).as("the first at start").isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(10).minusMillis(1));
		assertThat(stats().liveWorkers()).as("just before the interval").isEqualTo(1);
		this.clock.advance(Duration.ofMillis(1));
		assertThat(stats().liveWorkers()).as("one interval on").isEqualTo(2);
		this.clock.advance(Duration.ofSeconds(10));
		assertThat(stats().liveWorkers()).as("two intervals on").isEqualTo(3);
	}

	@Test
	void aWorkerKilledByAnErrorIsReplacedAfterErrRespawnInterval() throws Exception {
		int port = start(StarletConfig.builder().maxWorkers(1).errRespawnInterval(Duration.ofSeconds(3)));
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send("GET /?die HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(500);
		}
		Await.until("the worker is gone", () -> stats().liveWorkers() == 0);
		settle();
		this.clock.advance(Duration.ofSeconds(3).minusMillis(1));
		assertThat(stats().liveWorkers()).as("within err-respawn-interval").isZero();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(stats().liveWorkers()).as("after it").isEqualTo(1);
		assertThat(stats().retirements()).containsEntry(ServerStats.RETIRED_ERROR, 1L);
	}

	@Test
	void theDateHeaderIsTheClocksWallTime() throws Exception {
		int port = start(StarletConfig.builder());
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send(GET).read().header("Date")).isEqualTo("Thu, 01 Jan 2026 00:00:00 GMT");
		}
		this.clock.advance(Duration.ofDays(1).plusSeconds(1));
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send(GET).read().header("Date")).isEqualTo("Fri, 02 Jan 2026 00:00:01 GMT");
		}
	}

}
