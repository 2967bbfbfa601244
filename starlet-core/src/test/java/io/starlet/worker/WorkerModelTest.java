package io.starlet.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.testing.Await;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Starlet's worker model as a client sees it: budgets, hooks, harakiri, keep-alive rules, shutdown. */
@Timeout(60)
class WorkerModelTest {

	@RegisterExtension
	final TestServer server = new TestServer();

	/** Answers with the name of the worker that served the request. */
	private static final Handler WHO = exchange -> TestServer.text(exchange, exchange.worker().name());



	private static RawClient.Response get(int port, String request) throws IOException {
		try (RawClient client = new RawClient(port)) {
			return client.send(request).read();
		}
	}

	private static String get(int port) throws IOException {
		return get(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").body();
	}

	@Test
	void budgetRetiresWorkersAndTheLastRequestGetsConnectionClose() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxReqsPerChild(3).maxKeepaliveReqs(100), WHO);
		try (RawClient client = new RawClient(port)) {
			List<RawClient.Response> responses = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				responses.add(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read());
			}
			assertThat(responses).extracting(RawClient.Response::body).containsOnly("starlet-worker-1");
			assertThat(responses.get(1).header("Connection")).isNull();
			assertThat(responses.get(2).header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(get(port)).isEqualTo("starlet-worker-2");
		assertThat(this.server.get().stats().retirements()).containsEntry("budget", 1L);
	}

	@Test
	void budgetsAreDrawnFromMinToMaxAndBothEndsAreReached() throws Exception {
		Map<String, AtomicInteger> perWorker = new ConcurrentHashMap<>();
		// Collected here, asserted on the test thread: an assertion failing in a handler would
		// only turn into a 500 that the test does not look at.
		Set<Long> budgets = ConcurrentHashMap.newKeySet();
		Handler counting = exchange -> {
			perWorker.computeIfAbsent(exchange.worker().name(), n -> new AtomicInteger()).incrementAndGet();
			budgets.add(exchange.worker().requestBudget());
			WHO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).minReqsPerChild(1).maxReqsPerChild(3), counting);
		for (int i = 0; i < 150; i++) {
			get(port);
		}
		this.server.get().stop();
		// Every worker but the last one served its whole budget.
		List<Integer> counts = perWorker.entrySet().stream()
			.filter(e -> !e.getKey().equals("starlet-worker-" + perWorker.size()))
			.map(e -> e.getValue().get()).toList();
		assertThat(counts).allMatch(c -> c >= 1 && c <= 3).contains(1, 3);
		assertThat(budgets).isNotEmpty().allMatch((budget) -> budget >= 1 && budget <= 3);
	}

	@Test
	void childExitHooksRunOnceOnEachRetiringWorkerOnItsOwnThread() throws Exception {
		List<String> calls = new CopyOnWriteArrayList<>();
		StarletConfig.Builder config = StarletConfig.builder().maxWorkers(1).maxReqsPerChild(2)
			.childExitHook(worker -> calls.add(worker.name() + "@" + Thread.currentThread().getName()))
			.childExitHook(worker -> {
				throw new IllegalStateException("a failing hook must not stop the next one");
			})
			.childExitHook(worker -> calls.add("second:" + worker.name()));
		int port = this.server.start(config, WHO);
		for (int i = 0; i < 4; i++) {
			get(port);
		}
		Await.until("calls.size() >= 4", () -> calls.size() >= 4);
		// Each worker runs its hooks in order; worker 2 may already serve while worker 1's run.
		assertThat(calls).containsExactlyInAnyOrder("starlet-worker-1@starlet-worker-1", "second:starlet-worker-1",
				"starlet-worker-2@starlet-worker-2", "second:starlet-worker-2");
		assertThat(calls.indexOf("second:starlet-worker-1")).isGreaterThan(calls.indexOf("starlet-worker-1@starlet-worker-1"));
		assertThat(calls.indexOf("second:starlet-worker-2")).isGreaterThan(calls.indexOf("starlet-worker-2@starlet-worker-2"));
	}

	@Test
	void aWorkerThatSpentItsBudgetStartsItsSuccessorBeforeItsHooksRun() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean firstHookReturned = new AtomicBoolean();
		StarletConfig.Builder config = StarletConfig.builder().maxWorkers(1).maxReqsPerChild(2)
			.childExitHook(worker -> {
				if (worker.id() == 1) {
					release.await(30, TimeUnit.SECONDS);
					firstHookReturned.set(true);
				}
			});
		int port = this.server.start(config, WHO);
		try {
			assertThat(get(port)).isEqualTo("starlet-worker-1");
			assertThat(get(port)).isEqualTo("starlet-worker-1");
			// worker 1 is stuck in its hook, and yet its one-worker pool serves the next request
			assertThat(get(port)).isEqualTo("starlet-worker-2");
			assertThat(firstHookReturned).isFalse();
			assertThat(this.server.get().stats().liveWorkers()).isEqualTo(1);
		}
		finally {
			release.countDown();
		}
		Await.until("the first hook returned", firstHookReturned::get);
	}

	@Test
	void harakiriRetiresTheWorkerAfterItsResponse() throws Exception {
		Handler harakiri = exchange -> {
			exchange.retireWorker();
			WHO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(100), harakiri);
		List<String> names = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			RawClient.Response response = get(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response.header("Connection")).isEqualTo("close");
			names.add(response.body());
		}
		assertThat(names).doesNotHaveDuplicates().hasSize(5);
		// The last worker retires right after its response has left.
		Await.until("Long.valueOf(5).equals(stats.retirements().get(\"harakiri\"))", () -> Long.valueOf(5).equals(this.server.get().stats().retirements().get("harakiri")));
	}

	@Test
	void workersThatRetireOnEveryRequestNeverServeMoreRequestsAtOnceThanMaxWorkers() throws Exception {
		AtomicInteger inFlight = new AtomicInteger();
		AtomicInteger mostAtOnce = new AtomicInteger();
		Handler counting = exchange -> {
			mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
			try {
				// Time is the point: a request that takes a moment, so that requests overlap and
				// the cap is tested; nothing waits on it.
				Thread.sleep(1);
				WHO.handle(exchange);
			}
			finally {
				inFlight.decrementAndGet();
			}
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(2).maxReqsPerChild(1).maxKeepaliveReqs(100),
				counting);
		List<CompletableFuture<List<String>>> clients = new ArrayList<>();
		for (int c = 0; c < 4; c++) {
			clients.add(CompletableFuture.supplyAsync(() -> {
				List<String> served = new ArrayList<>();
				try {
					for (int i = 0; i < 25; i++) {
						// each worker's only response closes its connection: a new one per request
						RawClient.Response response = get(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
						assertThat(response.status()).isEqualTo(200);
						assertThat(response.header("Connection")).isEqualTo("close");
						served.add(response.body());
					}
				}
				catch (IOException ex) {
					throw new java.io.UncheckedIOException(ex);
				}
				return served;
			}));
		}
		List<String> workers = new ArrayList<>();
		for (CompletableFuture<List<String>> client : clients) {
			workers.addAll(client.get(30, TimeUnit.SECONDS));
		}
		assertThat(workers).hasSize(100).doesNotHaveDuplicates();
		assertThat(mostAtOnce.get()).isBetween(1, 2);
		Await.until("stats.liveWorkers() == 2", () -> this.server.get().stats().liveWorkers() == 2);
	}

	@Test
	void spawnIntervalThrottlesSpawning() throws Exception {
		long t0 = System.nanoTime();
		this.server.start(StarletConfig.builder().maxWorkers(3).spawnInterval(Duration.ofMillis(400)), WHO);
		Await.until("three live workers", () -> this.server.get().stats().liveWorkers() == 3);
		// The first worker at start, one more per interval: the third comes two intervals later at
		// the soonest. (A lower bound only: a loaded machine makes it later, never sooner.)
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(790);
	}

	@Test
	void aWorkerKilledByAnErrorIsReplacedAfterErrRespawnInterval() throws Exception {
		Handler dies = exchange -> {
			if (exchange.query() != null) {
				throw new AssertionError("simulated fatal error");
			}
			WHO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).errRespawnInterval(Duration.ofMillis(800)), dies);
		// From before the fatal request: the worker dies after t0, so its successor cannot serve
		// before t0 + 800 ms. (A lower bound only: a loaded machine makes it later, never sooner;
		// timed from after the 500 instead, a descheduled test thread would eat into the bound.)
		long t0 = System.nanoTime();
		assertThat(get(port, "GET /?die HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(500);
		assertThat(get(port)).isEqualTo("starlet-worker-2");
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(800);
		assertThat(this.server.get().stats().retirements()).containsEntry("error", 1L);
	}

	@Test
	void maxWorkersZeroServesOnOneThread() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(0).maxReqsPerChild(1000), WHO);
		for (int i = 0; i < 5; i++) {
			assertThat(get(port)).isEqualTo("starlet-worker-1");
		}
		assertThat(this.server.get().stats().liveWorkers()).isEqualTo(1);
	}

	@Test
	void keepAliveFollowsTheClientAndTheVersion() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxKeepaliveReqs(10), WHO);
		try (RawClient client = new RawClient(port)) {
			// HTTP/1.0 without keep-alive: close.
			RawClient.Response r = client.send("GET / HTTP/1.0\r\n\r\n").read();
			assertThat(r.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		try (RawClient client = new RawClient(port)) {
			// HTTP/1.0 with keep-alive: kept, and said so.
			RawClient.Response r = client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
			assertThat(r.header("Connection")).isEqualTo("keep-alive");
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read()
				.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		try (RawClient client = new RawClient(port)) {
			// HTTP/1.1 default: kept.
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().header("Connection")).isNull();
			assertThat(client.closedByServer(300)).isFalse();
		}
	}

	@Test
	void idleKeepAliveConnectionsCloseAfterKeepaliveTimeout() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxKeepaliveReqs(10).keepaliveTimeout(Duration.ofMillis(500)), WHO);
		try (RawClient client = new RawClient(port)) {
			// Timed from before the request: the connection's idle deadline starts after it.
			long t0 = System.nanoTime();
			client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
			// Closed, and not before the timeout; the generous wait is for a loaded machine.
			assertThat(client.closedByServer(10_000)).isTrue();
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(500);
		}
	}

	@Test
	void gracefulShutdownAnswersARequestArrivingOnAKeptAliveConnection() throws Exception {
		CompletableFuture<Void> slowEntered = new CompletableFuture<>();
		CountDownLatch slowMayFinish = new CountDownLatch(1);
		Handler handler = exchange -> {
			if ("/slow".equals(exchange.path())) {
				slowEntered.complete(null);
				slowMayFinish.await(30, TimeUnit.SECONDS);
			}
			WHO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxKeepaliveReqs(10).keepaliveTimeout(Duration.ofSeconds(10)), handler);
		try (RawClient idle = new RawClient(port); RawClient slow = new RawClient(port)) {
			assertThat(idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().header("Connection")).isNull();
			slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
			slowEntered.get(20, TimeUnit.SECONDS);
			CompletableFuture<Void> drained = this.server.get().shutdownGracefully();
			// Stops accepting (the acceptor closes the listener on its next turn)...
			Await.until("the listener is closed", () -> !RawClient.listening(port));
			assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
			// ...but a request on the kept-alive connection is still answered, and told to close.
			RawClient.Response late = idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(late.status()).isEqualTo(200);
			assertThat(late.header("Connection")).isEqualTo("close");
			assertThat(drained).isNotDone();
			slowMayFinish.countDown();
			RawClient.Response inFlight = slow.read();
			assertThat(inFlight.status()).isEqualTo(200);
			assertThat(inFlight.header("Connection")).isEqualTo("close");
			drained.get(20, TimeUnit.SECONDS);
		}
	}

	@Test
	void stopReturnsWhileAHandlerIsStuck() throws Exception {
		CompletableFuture<Void> entered = new CompletableFuture<>();
		CountDownLatch unstuck = new CountDownLatch(1);
		Handler stuck = exchange -> {
			entered.complete(null);
			// ignores interrupts, like a handler stuck in a loop, until the test has stopped
			boolean released = false;
			while (!released) {
				try {
					released = unstuck.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					// stuck all the same
				}
			}
		};
		int port = this.server.start(StarletConfig.builder(), stuck);
		try (RawClient client = new RawClient(port)) {
			client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
			entered.get(20, TimeUnit.SECONDS);
			CompletableFuture<Void> drained = this.server.get().shutdownGracefully();
			// returns although the handler is still stuck (the class's @Timeout fails a hang)
			this.server.get().stop();
			assertThat(unstuck.getCount()).isOne();
			assertThat(drained).isDone();
		}
		finally {
			unstuck.countDown();
		}
	}

	@Test
	void aStoppedServerStartsAgain() throws Exception {
		int port = this.server.start(StarletConfig.builder(), WHO);
		assertThat(get(port)).startsWith("starlet-worker-");
		this.server.get().stop();
		this.server.get().stop();
		assertThat(this.server.get().port()).isEqualTo(-1);
		this.server.get().start();
		assertThat(get(this.server.get().port())).startsWith("starlet-worker-");
	}

	@Test
	void aSlowRestartRetiresOneWorkerPerSpawnInterval() throws Exception {
		List<Long> exits = new CopyOnWriteArrayList<>();
		this.server.start(StarletConfig.builder().maxWorkers(3).spawnInterval(Duration.ofMillis(250))
			.childExitHook(worker -> exits.add(System.nanoTime())), WHO);
		Await.until("stats.liveWorkers() == 3", () -> this.server.get().stats().liveWorkers() == 3);
		long t0 = System.nanoTime();
		this.server.get().recycleWorkers();
		Await.until("stats.retirements().getOrDefault(\"recycle\", 0L) == 3", () -> this.server.get().stats().retirements().getOrDefault("recycle", 0L) == 3);
		assertThat(exits).hasSize(3);
		// One retirement per interval: the third is asked for two intervals after the first. (A
		// worker notices between requests, so each exit may lag its retirement a little.)
		assertThat(TimeUnit.NANOSECONDS.toMillis(exits.get(2) - t0)).isGreaterThanOrEqualTo(480);
		Await.until("stats.liveWorkers() == 3", () -> this.server.get().stats().liveWorkers() == 3);
	}

	@Test
	void gracefulShutdownServesARequestWhoseSmallBodyIsStillArriving() throws Exception {
		Handler echo = exchange -> TestServer.text(exchange, new String(exchange.requestBody().readAllBytes(),
				StandardCharsets.US_ASCII));
		int port = this.server.start(StarletConfig.builder(), echo);
		try (RawClient client = new RawClient(port)) {
			client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
			// Whether the acceptor has read the head before the shutdown begins or after (within
			// the drain's grace for clients that have sent nothing yet), the request is served.
			CompletableFuture<Void> drained = this.server.get().shutdownGracefully();
			// The time here is the point: longer than that grace (1 s), which must not cut off a
			// body still arriving. A loaded machine only makes the wait longer, never shorter.
			Thread.sleep(1500);
			RawClient.Response response = client.send("67890").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("1234567890");
			assertThat(response.header("Connection")).isEqualTo("close");
			drained.get(20, TimeUnit.SECONDS);
		}
	}

}
