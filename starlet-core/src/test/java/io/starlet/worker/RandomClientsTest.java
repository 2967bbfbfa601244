package io.starlet.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.ServerStats;
import io.starlet.StarletConfig;
import io.starlet.Suspension;
import io.starlet.testing.Await;
import io.starlet.testing.RandomTraffic;
import io.starlet.testing.RandomTraffic.Request;
import io.starlet.testing.RawClient;

import static io.starlet.testing.RandomTraffic.ascii;
import static io.starlet.testing.RandomTraffic.body;
import static io.starlet.testing.RandomTraffic.chunked;
import static io.starlet.testing.RandomTraffic.concat;
import static io.starlet.testing.RandomTraffic.digest;
import static io.starlet.testing.RandomTraffic.drop;
import static io.starlet.testing.RandomTraffic.expect;
import static io.starlet.testing.RandomTraffic.expectPattern;
import static io.starlet.testing.RandomTraffic.keepAliveSequence;
import static io.starlet.testing.RandomTraffic.openFiles;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients at once, each doing what real clients do, chosen at random from a seed:
 * keep-alive sequences and pipelined requests; bodies by {@code Content-Length} and chunked,
 * small ones and ones spilled to a file, some behind {@code Expect: 100-continue}, some trickled
 * in pieces; downloads larger than what the server holds for a slow reader, read at once, read
 * late, half-read or reset; suspended requests; a handler that throws; malformed requests; and
 * connections dropped in the middle of a head or a body, closed or reset.
 *
 * <p>Every answer is checked. When every client is done, the server must be back at rest: no
 * worker busy, no connection open or queued, no suspended request, no buffered body and no held
 * response in memory or in a file, no temporary file left, no worker lost to an error, nothing
 * logged as an error but the handler's own failure; and never more than {@code max-workers}
 * handlers ran at once. It then still answers.
 *
 * <p>The seed is in every failure, and {@code -Dstarlet.random.seed=N} replays a run's choices
 * (the timing stays the host's). The load is bounded: {@link #CLIENTS} threads, each at most
 * {@link #SCRIPTS} connections and {@link #LOAD_TIME}.
 */
@Timeout(180)
class RandomClientsTest {

	private static final int WORKERS = 3;

	private static final int CLIENTS = 12;

	private static final int SCRIPTS = 100;

	private static final Duration LOAD_TIME = Duration.ofSeconds(20);

	/** What the failing handler throws; the one error the log may hold. */
	private static final String BOOM = "boom (RandomClientsTest)";

	/**
	 * Larger than what a connection holds for a slow reader in memory (32 KiB) and in a file
	 * (1 MiB): the worker writes past both, and then waits for the client.
	 */
	private static final int LARGE_DOWNLOAD = 3_000_000;

	private static final int HELD_DOWNLOAD = 700_000;

	/** More than Linux lets a socket's send buffer grow to (4 MiB) and the server holds together. */
	private static final int DROPPED_DOWNLOAD = 8_000_000;

	@RegisterExtension
	final TestServer server = new TestServer();

	@TempDir
	Path tempDir;

	private final AtomicInteger running = new AtomicInteger();

	private final AtomicInteger mostRunning = new AtomicInteger();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	private final Handler handler = exchange -> {
		this.mostRunning.accumulateAndGet(this.running.incrementAndGet(), Math::max);
		try {
			switch (exchange.path()) {
				case "/echo" -> echo(exchange);
				case "/download" -> download(exchange, Integer.parseInt(exchange.query().substring("n=".length())));
				case "/later" -> later(exchange);
				case "/fail" -> throw new IllegalStateException(BOOM);
				default -> TestServer.text(exchange, "hello");
			}
		}
		finally {
			this.running.decrementAndGet();
		}
	};

	@AfterEach
	void stopTimer() {
		this.timer.shutdownNow();
	}

	@Test
	void theServerAnswersEveryClientAndIsBackAtRestAfterwards() throws Exception {
		ListAppender<ILoggingEvent> events = RandomTraffic.captureLogs();
		try {
			int port = this.server.start(StarletConfig.builder()
				.maxWorkers(WORKERS)
				.maxKeepaliveReqs(50)
				.timeout(Duration.ofSeconds(10))
				// idle connections may close after keepalive-timeout, and a client must then retry;
				// these clients do not: a loaded host can keep one reading a download for seconds,
				// while the server, which sent its last byte into a 4 MiB socket buffer, waits
				.keepaliveTimeout(Duration.ofSeconds(60))
				.maxRequestBodySize(1024 * 1024)
				.requestBodyBufferSize(64 * 1024)
				.unsentResponseSize(32 * 1024)
				.unsentResponseMemory(256 * 1024)
				.unsentResponseFileSize(1024 * 1024)
				.bodyTempDir(this.tempDir), this.handler);

			RandomTraffic.Outcome run = RandomTraffic.run(CLIENTS, SCRIPTS, LOAD_TIME,
					(random, what) -> script(port, random, what), () -> this.server.get().stats(),
					ServerStats::unsentResponseFileBytes, ServerStats::unsentResponseBytes,
					ServerStats::bufferedBodyBytes, ServerStats::suspendedRequests);
			assertThat(run.failures()).as("what clients saw go wrong").isEmpty();
			assertThat(run.connections()).as("connections made").isGreaterThan(CLIENTS * 5);
			assertThat(run.most()).as("most held at once: response bytes in files and in memory, body bytes, "
					+ "suspended requests").doesNotContain(0L);
			RandomTraffic.awaitRest(() -> this.server.get().stats());
			Await.until("every temporary file closed", () -> openFiles(this.tempDir).isEmpty());
			ServerStats stats = this.server.get().stats();
			assertThat(stats.retirements().getOrDefault(ServerStats.RETIRED_ERROR, 0L))
				.as("workers lost to an error").isZero();
			assertThat(stats.liveWorkers()).isPositive();
			assertThat(this.mostRunning.get()).as("handlers running at once").isLessThanOrEqualTo(WORKERS);
			try (RawClient last = new RawClient(port)) {
				RawClient.Response response = last.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.body()).isEqualTo("hello");
			}
		}
		finally {
			assertThat(RandomTraffic.errors(events, BOOM)).as("errors logged").isEmpty();
		}
	}

	// --- what a client does on one connection --------------------------------------------------

	private void script(int port, Random random, String[] what) throws Exception {
		int pick = random.nextInt(100);
		int window = random.nextBoolean() || (pick >= 65 && pick < 75) || pick >= 95 ? 4096 + random.nextInt(60_000) : 0;
		try (RawClient client = new RawClient(port, window)) {
			if (pick < 45) {
				what[0] = "keep-alive sequence";
				keepAliveSequence(client, random, what, RandomClientsTest::request);
			}
			else if (pick < 55) {
				what[0] = "dropped in the head";
				String head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n";
				client.send(head.substring(0, 1 + random.nextInt(head.length() - 2)));
				drop(client, random);
			}
			else if (pick < 65) {
				what[0] = "dropped in the body";
				if (random.nextBoolean()) {
					// collected in memory (40,000) or in a file (100,000)
					int length = random.nextBoolean() ? 40_000 : 100_000;
					client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n")
						.send(body(random, random.nextInt(length)));
				}
				else {
					client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4000\r\n")
						.send(body(random, random.nextInt(0x4000)));
				}
				// a client that stalls, then goes away: once the server has read what came
				Await.until("the server read the body so far", () -> RandomTraffic.unread(client) <= 0);
				drop(client, random);
			}
			else if (pick < 75) {
				// with a small window: the worker holds what it may (memory, then a file) and waits
				what[0] = "download dropped after part of it";
				client.send("GET /download?n=" + DROPPED_DOWNLOAD + " HTTP/1.1\r\nHost: x\r\n\r\n");
				RandomTraffic.awaitHeld(() -> this.server.get().stats());
				client.readSome(random.nextInt(100_000));
				drop(client, random);
			}
			else if (pick < 80) {
				// RFC 9112 §6.3: chunked wins, the length is dropped, and the connection closes after
				what[0] = "Content-Length and Transfer-Encoding";
				client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
						+ "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
				expect(client.read(), 200, "POST /echo " + digest(ascii("abc")));
				assertThat(client.closedByServer(5000)).as("closed after the response").isTrue();
			}
			else if (pick < 85) {
				what[0] = "malformed request";
				String request = MALFORMED[random.nextInt(MALFORMED.length)];
				what[0] += ": " + request.replace("\r\n", "\\r\\n");
				RawClient.Response response = client.send(request).read();
				assertThat(response).isNotNull();
				assertThat(response.status()).isBetween(400, 499);
				assertThat(client.closedByServer(5000)).as("closed after the error").isTrue();
			}
			else if (pick < 89) {
				what[0] = "connected and left";
				drop(client, random);
			}
			else if (pick < 95) {
				what[0] = "trickled body";
				byte[] body = body(random, 3000);
				byte[] request = concat("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n", body);
				client.sendInPieces(request, new int[] { 20, 60, 1000, 2000, 2900 }, 10);
				expect(client.read(), 200, "POST /echo " + digest(body));
			}
			else {
				// with a small window, once the server holds what the client has not taken
				what[0] = "download read late";
				client.send("GET /download?n=" + DROPPED_DOWNLOAD + " HTTP/1.1\r\nHost: x\r\n\r\n");
				RandomTraffic.awaitHeld(() -> this.server.get().stats());
				expectPattern(client.read(), DROPPED_DOWNLOAD, RandomClientsTest::pattern);
			}
		}
	}

	private static Request request(Random random) {
		int pick = random.nextInt(110);
		if (pick >= 100) {
			return otherRequest(random);
		}
		if (pick < 20) {
			return new Request("GET /hello", ascii("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
					(r) -> expect(r, 200, "hello"));
		}
		if (pick < 45) {
			byte[] body = body(random, BODY_SIZES[random.nextInt(BODY_SIZES.length)]);
			boolean expectContinue = random.nextInt(4) == 0;
			String head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n"
					+ (expectContinue ? "Expect: 100-continue\r\n" : "") + "\r\n";
			return new Request("POST " + body.length + " bytes" + (expectContinue ? " with Expect" : ""),
					concat(ascii(head), body), (r) -> expect(r, 200, "POST /echo " + digest(body)));
		}
		if (pick < 60) {
			byte[] body = body(random, BODY_SIZES[random.nextInt(BODY_SIZES.length)]);
			return new Request("POST " + body.length + " bytes chunked", chunked(random, "POST", "/echo", body),
					(r) -> expect(r, 200, "POST /echo " + digest(body)));
		}
		if (pick < 80) {
			int size = new int[] { 1, 5_000, 100_000, HELD_DOWNLOAD, LARGE_DOWNLOAD }[random.nextInt(5)];
			return new Request("GET /download?n=" + size,
					ascii("GET /download?n=" + size + " HTTP/1.1\r\nHost: x\r\n\r\n"),
					(r) -> expectPattern(r, size, RandomClientsTest::pattern));
		}
		if (pick < 92) {
			return new Request("GET /later", ascii("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"),
					(r) -> expect(r, 200, "later"));
		}
		return new Request("GET /fail", ascii("GET /fail HTTP/1.1\r\nHost: x\r\n\r\n"), (r) -> {
			assertThat(r).isNotNull();
			assertThat(r.status()).isEqualTo(500);
			assertThat(r.body()).doesNotContain(BOOM);
		});
	}

	/** HEAD, and HTTP/1.0 with and without keep-alive. */
	private static Request otherRequest(Random random) {
		int pick = random.nextInt(3);
		if (pick == 0) {
			int size = new int[] { 1, 100_000, LARGE_DOWNLOAD }[random.nextInt(3)];
			return new Request("HEAD /download?n=" + size,
					ascii("HEAD /download?n=" + size + " HTTP/1.1\r\nHost: x\r\n\r\n"), (r) -> {
						assertThat(r).as("a response").isNotNull();
						assertThat(r.status()).isEqualTo(200);
						assertThat(r.body()).isEmpty();
					}, true);
		}
		if (pick == 1) {
			return new Request("HTTP/1.0 GET /hello", ascii("GET /hello HTTP/1.0\r\n\r\n"), (r) -> {
				expect(r, 200, "hello");
				assertThat(r.header("Connection")).as("HTTP/1.0 without keep-alive closes").isEqualToIgnoringCase("close");
			});
		}
		return new Request("HTTP/1.0 keep-alive GET /hello",
				ascii("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), (r) -> {
					expect(r, 200, "hello");
					assertThat(r.header("Connection")).isNotNull();
				});
	}

	private static final int[] BODY_SIZES = { 0, 1, 700, 20_000, 150_000 };

	private static final String[] MALFORMED = {
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
			"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
			"GET /hello HTTP/1.1\r\nHost : x\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
			"GET /he llo HTTP/1.1\r\nHost: x\r\n\r\n",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n",
			"GET /hello HTTP/1.1\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: x\r\nX: " + "a".repeat(20_000) + "\r\n\r\n" };

	// --- the server's side ---------------------------------------------------------------------

	/** Reads the whole body; answers its method, path, length and CRC32. */
	private static void echo(Exchange exchange) throws IOException {
		byte[] body = exchange.requestBody().readAllBytes();
		TestServer.text(exchange, exchange.method() + " " + exchange.path() + " " + digest(body));
	}

	/** {@code size} bytes of a known pattern, streamed (chunked) in pieces of 3,000 bytes. */
	private static void download(Exchange exchange, int size) throws IOException {
		exchange.responseHeaders().set("Content-Type", "application/octet-stream");
		exchange.commit(-1);
		OutputStream out = exchange.responseBody();
		byte[] piece = new byte[3000];
		for (int sent = 0; sent < size;) {
			int n = Math.min(piece.length, size - sent);
			for (int i = 0; i < n; i++) {
				piece[i] = (byte) pattern(sent + i);
			}
			out.write(piece, 0, n);
			sent += n;
		}
	}

	/** Suspends without a worker, and answers from a timer 1-30 ms later; a dropped client ends it. */
	private void later(Exchange exchange) {
		Suspension suspension = exchange.suspend();
		suspension.onAbort((reason) -> suspension.finish());
		long delay = 1 + (exchange.requestId() * 7) % 30;
		this.timer.schedule(() -> suspension.resume(() -> {
			try {
				TestServer.text(exchange, "later");
			}
			catch (IOException ex) {
				// the client went away: finish() below ends the exchange all the same
			}
			suspension.finish();
		}), delay, TimeUnit.MILLISECONDS);
	}

	private static char pattern(int i) {
		return (char) ('a' + i % 23);
	}

}
