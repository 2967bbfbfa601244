package io.starlet.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.ServerStats;
import io.starlet.StarletConfig;
import io.starlet.Suspension;
import io.starlet.testing.Await;
import io.starlet.testing.RawClient;

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

	private static final long SEED = Long.getLong("starlet.random.seed", 20261206L);

	@RegisterExtension
	final TestServer server = new TestServer();

	@TempDir
	Path tempDir;

	private final AtomicInteger running = new AtomicInteger();

	private final AtomicInteger mostRunning = new AtomicInteger();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	private final Queue<String> failures = new ConcurrentLinkedQueue<>();

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
		Logger logger = (Logger) LoggerFactory.getLogger("io.starlet");
		ListAppender<ILoggingEvent> events = new ListAppender<>();
		events.start();
		logger.addAppender(events);
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

			long deadline = System.nanoTime() + LOAD_TIME.toNanos();
			List<Thread> clients = new ArrayList<>();
			AtomicInteger connections = new AtomicInteger();
			for (int c = 0; c < CLIENTS; c++) {
				int client = c;
				Thread thread = new Thread(() -> {
					Random random = new Random(SEED * 31 + client);
					for (int s = 0; s < SCRIPTS && System.nanoTime() < deadline; s++) {
						String[] what = { "?" };
						try {
							script(port, random, what);
						}
						catch (Throwable ex) {
							this.failures.add("seed " + SEED + ", client " + client + ", connection " + s + " ("
									+ what[0] + "): " + ex);
						}
						connections.incrementAndGet();
					}
				}, "random-client-" + c);
				thread.start();
				clients.add(thread);
			}
			// what the load made the server hold, sampled: the run must have reached every state
			long[] most = new long[4];
			Thread sampler = new Thread(() -> {
				while (clients.stream().anyMatch(Thread::isAlive)) {
					ServerStats now = this.server.get().stats();
					most[0] = Math.max(most[0], now.unsentResponseFileBytes());
					most[1] = Math.max(most[1], now.unsentResponseBytes());
					most[2] = Math.max(most[2], now.bufferedBodyBytes());
					most[3] = Math.max(most[3], now.suspendedRequests());
					try {
						Thread.sleep(2);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "random-clients-sampler");
			sampler.start();
			for (Thread thread : clients) {
				thread.join(TimeUnit.SECONDS.toMillis(120));
				assertThat(thread.isAlive()).as(thread.getName() + " done").isFalse();
			}
			sampler.join();
			assertThat(this.failures).as("what clients saw go wrong").isEmpty();
			assertThat(connections.get()).as("connections made").isGreaterThan(CLIENTS * 5);
			assertThat(most).as("most held at once: response bytes in files and in memory, body bytes, "
					+ "suspended requests").doesNotContain(0L);

			try {
				Await.until("the server back at rest", () -> atRest(this.server.get().stats()));
			}
			catch (AssertionError ex) {
				throw new AssertionError(ex.getMessage() + ": " + this.server.get().stats(), ex);
			}
			// the files' names go at once (DELETE_ON_CLOSE unlinks on open on Unix): their descriptors must too
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
			logger.detachAppender(events);
		}
		List<String> errors = events.list.stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.ERROR) && !causedByBoom(event.getThrowableProxy()))
			.map((event) -> event.getLoggerName() + ": " + event.getFormattedMessage() + " "
					+ (event.getThrowableProxy() != null ? event.getThrowableProxy().getMessage() : ""))
			.toList();
		assertThat(errors).as("errors logged").isEmpty();
	}

	// --- what a client does on one connection --------------------------------------------------

	private void script(int port, Random random, String[] what) throws Exception {
		int pick = random.nextInt(100);
		int window = random.nextBoolean() || (pick >= 65 && pick < 75) ? 4096 + random.nextInt(60_000) : 0;
		try (RawClient client = new RawClient(port, window)) {
			if (pick < 45) {
				what[0] = "keep-alive sequence";
				keepAliveSequence(client, random, what);
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
				Thread.sleep(random.nextInt(30)); // a client that stalls, then goes away
				drop(client, random);
			}
			else if (pick < 75) {
				// with a small window: the worker holds what it may (memory, then a file) and waits
				what[0] = "download dropped after part of it";
				client.send("GET /download?n=" + DROPPED_DOWNLOAD + " HTTP/1.1\r\nHost: x\r\n\r\n");
				Thread.sleep(20 + random.nextInt(60));
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
				if (random.nextBoolean()) {
					Thread.sleep(random.nextInt(50));
				}
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
				what[0] = "download read late";
				client.send("GET /download?n=" + LARGE_DOWNLOAD + " HTTP/1.1\r\nHost: x\r\n\r\n");
				Thread.sleep(100 + random.nextInt(200));
				expectDownload(client.read(), LARGE_DOWNLOAD);
			}
		}
	}

	/** One to six requests on one connection, a fifth of them pipelined two at a time. */
	private void keepAliveSequence(RawClient client, Random random, String[] what) throws Exception {
		int count = 1 + random.nextInt(6);
		StringBuilder sequence = new StringBuilder("keep-alive sequence:");
		for (int i = 0; i < count; i++) {
			Request first = request(random);
			Request second = random.nextInt(5) == 0 ? request(random) : null;
			sequence.append(i == 0 ? " " : ", then ").append(first.description)
				.append(second != null ? " pipelined with " + second.description : "");
			what[0] = sequence.toString();
			client.send(second == null ? first.bytes : concat(first.bytes, second.bytes));
			RawClient.Response response = readFinal(client);
			first.check.accept(response);
			if ("close".equalsIgnoreCase(response.header("Connection"))) {
				assertThat(client.closedByServer(5000)).as("closed as announced").isTrue();
				return;
			}
			if (second != null) {
				response = readFinal(client);
				second.check.accept(response);
				if ("close".equalsIgnoreCase(response.header("Connection"))) {
					assertThat(client.closedByServer(5000)).as("closed as announced").isTrue();
					return;
				}
			}
		}
	}

	private record Request(String description, byte[] bytes, Check check) {
	}

	@FunctionalInterface
	private interface Check {

		void accept(RawClient.Response response) throws Exception;

	}

	private static Request request(Random random) {
		int pick = random.nextInt(100);
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
			return new Request("POST " + body.length + " bytes chunked", chunked(random, body),
					(r) -> expect(r, 200, "POST /echo " + digest(body)));
		}
		if (pick < 80) {
			int size = new int[] { 1, 5_000, 100_000, HELD_DOWNLOAD, LARGE_DOWNLOAD }[random.nextInt(5)];
			return new Request("GET /download?n=" + size,
					ascii("GET /download?n=" + size + " HTTP/1.1\r\nHost: x\r\n\r\n"), (r) -> expectDownload(r, size));
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

	/** A final response: a {@code 100 Continue} before it is skipped. */
	private static RawClient.Response readFinal(RawClient client) throws IOException {
		RawClient.Response response = client.read();
		while (response != null && response.status() == 100) {
			response = client.read();
		}
		return response;
	}

	private static void expect(RawClient.Response response, int status, String body) {
		assertThat(response).as("a response").isNotNull();
		assertThat(response.status()).isEqualTo(status);
		assertThat(response.body()).isEqualTo(body);
	}

	private static void expectDownload(RawClient.Response response, int size) {
		assertThat(response).as("a response").isNotNull();
		assertThat(response.status()).isEqualTo(200);
		String body = response.body();
		assertThat(body.length()).as("bytes downloaded").isEqualTo(size);
		for (int i = 0; i < size; i++) {
			if (body.charAt(i) != pattern(i)) {
				throw new AssertionError("download of " + size + " bytes differs at byte " + i);
			}
		}
	}

	/** Closes, or resets, the connection: a client that gives up. */
	private static void drop(RawClient client, Random random) throws IOException {
		if (random.nextBoolean()) {
			client.reset();
		}
		else {
			client.close();
		}
	}

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

	private static boolean atRest(ServerStats stats) {
		return stats.busyWorkers() == 0 && stats.openConnections() == 0 && stats.idleConnections() == 0
				&& stats.queuedConnections() == 0 && stats.suspendedRequests() == 0 && stats.bufferedBodyBytes() == 0
				&& stats.upgradedConnections() == 0 && stats.unsentResponseBytes() == 0
				&& stats.sendingConnections() == 0 && stats.unsentResponseFileBytes() == 0;
	}

	/**
	 * Files under {@code directory} that this process has open, named or removed: from
	 * {@code /proc/self/fd} where there is one, else those still named there.
	 */
	private static List<String> openFiles(Path directory) {
		Path descriptors = Path.of("/proc/self/fd");
		try (Stream<Path> files = Files.isDirectory(descriptors) ? Files.list(descriptors) : Files.walk(directory)) {
			return files.map((file) -> {
				try {
					return Files.isSymbolicLink(file) ? Files.readSymbolicLink(file).toString() : file.toString();
				}
				catch (IOException ex) {
					return ""; // closed meanwhile
				}
			}).filter((name) -> name.startsWith(directory.toString() + "/")).toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean causedByBoom(IThrowableProxy throwable) {
		for (IThrowableProxy t = throwable; t != null; t = t.getCause()) {
			if (BOOM.equals(t.getMessage())) {
				return true;
			}
		}
		return false;
	}

	// --- bytes ---------------------------------------------------------------------------------

	private static byte[] body(Random random, int size) {
		byte[] body = new byte[size];
		random.nextBytes(body);
		return body;
	}

	/** {@code body} in chunks of random sizes, some with an extension, and a trailer now and then. */
	private static byte[] chunked(Random random, byte[] body) {
		var out = new java.io.ByteArrayOutputStream();
		out.writeBytes(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
		for (int at = 0; at < body.length;) {
			int n = Math.min(body.length - at, 1 + random.nextInt(40_000));
			out.writeBytes(ascii(Integer.toHexString(n) + (random.nextInt(4) == 0 ? ";ext=1" : "") + "\r\n"));
			out.write(body, at, n);
			out.writeBytes(ascii("\r\n"));
			at += n;
		}
		out.writeBytes(ascii(random.nextInt(4) == 0 ? "0\r\nX-Trailer: t\r\n\r\n" : "0\r\n\r\n"));
		return out.toByteArray();
	}

	private static String digest(byte[] body) {
		CRC32 crc = new CRC32();
		crc.update(body);
		return body.length + " " + crc.getValue();
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	private static byte[] concat(String head, byte[] body) {
		return concat(ascii(head), body);
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = new byte[a.length + b.length];
		System.arraycopy(a, 0, all, 0, a.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
