package io.starlet.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import io.starlet.ServerStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients at once, each running scripts a test makes up at random from a seed, one
 * connection per script (RandomClientsTest for the engine, RandomServletClientsTest for the
 * servlet container): the driver, and what those scripts share to build requests and check
 * answers. The seed is in every failure; {@code -Dstarlet.random.seed=N} replays a run's choices
 * (the timing stays the host's).
 */
public final class RandomTraffic {

	/** The seed of this run: {@code -Dstarlet.random.seed}, else a fixed one. */
	public static final long SEED = Long.getLong("starlet.random.seed", 20261206L);

	private RandomTraffic() {
	}

	/** What one client does on one connection; {@code what[0]} says what, for a failure's message. */
	@FunctionalInterface
	public interface Script {

		void run(Random random, String[] what) throws Exception;

	}

	/**
	 * What a run did: connections made, what went wrong, and the most each gauge read while
	 * the clients ran.
	 */
	public record Outcome(int connections, List<String> failures, long[] most) {
	}

	/**
	 * Runs {@code clients} threads, each making up to {@code scripts} connections within
	 * {@code time}, while a sampler reads {@code gauges} of {@code stats} every 2 ms.
	 */
	@SafeVarargs
	public static Outcome run(int clients, int scripts, Duration time, Script script, Supplier<ServerStats> stats,
			ToLongFunction<ServerStats>... gauges) throws InterruptedException {
		long deadline = System.nanoTime() + time.toNanos();
		Queue<String> failures = new ConcurrentLinkedQueue<>();
		AtomicInteger connections = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			int client = c;
			Thread thread = new Thread(() -> {
				Random random = new Random(SEED * 31 + client);
				for (int s = 0; s < scripts && System.nanoTime() < deadline; s++) {
					String[] what = { "?" };
					try {
						script.run(random, what);
					}
					catch (Throwable ex) {
						failures.add("seed " + SEED + ", client " + client + ", connection " + s + " (" + what[0]
								+ "): " + ex);
					}
					connections.incrementAndGet();
				}
			}, "random-client-" + c);
			thread.start();
			threads.add(thread);
		}
		long[] most = new long[gauges.length];
		Thread sampler = new Thread(() -> {
			while (threads.stream().anyMatch(Thread::isAlive)) {
				ServerStats now = stats.get();
				for (int i = 0; i < gauges.length; i++) {
					most[i] = Math.max(most[i], gauges[i].applyAsLong(now));
				}
				// the sampling interval, not a wait: the sampler only reads gauges
				LockSupport.parkNanos(2_000_000);
			}
		}, "random-clients-sampler");
		sampler.start();
		for (Thread thread : threads) {
			thread.join(TimeUnit.SECONDS.toMillis(120));
			assertThat(thread.isAlive()).as(thread.getName() + " done").isFalse();
		}
		sampler.join();
		return new Outcome(connections.get(), List.copyOf(failures), most);
	}

	// --- keep-alive sequences --------------------------------------------------------------------

	/** A request to send, and how to check its answer (a head only, when it is a HEAD). */
	public record Request(String description, byte[] bytes, Check check, boolean head) {

		public Request(String description, byte[] bytes, Check check) {
			this(description, bytes, check, false);
		}

	}

	@FunctionalInterface
	public interface Check {

		void accept(RawClient.Response response) throws Exception;

	}

	/** One to six requests on one connection, a fifth of them pipelined two at a time. */
	public static void keepAliveSequence(RawClient client, Random random, String[] what,
			Function<Random, Request> requests) throws Exception {
		int count = 1 + random.nextInt(6);
		StringBuilder sequence = new StringBuilder("keep-alive sequence:");
		for (int i = 0; i < count; i++) {
			Request first = requests.apply(random);
			Request second = random.nextInt(5) == 0 ? requests.apply(random) : null;
			sequence.append(i == 0 ? " " : ", then ").append(first.description())
				.append(second != null ? " pipelined with " + second.description() : "");
			what[0] = sequence.toString();
			client.send(second == null ? first.bytes() : concat(first.bytes(), second.bytes()));
			if (!answered(client, first) || (second != null && !answered(client, second))) {
				return;
			}
		}
	}

	/** Checks the next answer; false when it closed the connection, as it said it would. */
	private static boolean answered(RawClient client, Request request) throws Exception {
		RawClient.Response response = request.head() ? client.readHeadResponse() : readFinal(client);
		request.check().accept(response);
		if ("close".equalsIgnoreCase(response.header("Connection"))) {
			assertThat(client.closedByServer(5000)).as("closed as announced").isTrue();
			return false;
		}
		return true;
	}

	/** A final response: a {@code 100 Continue} before it is skipped. */
	public static RawClient.Response readFinal(RawClient client) throws IOException {
		RawClient.Response response = client.read();
		while (response != null && response.status() == 100) {
			response = client.read();
		}
		return response;
	}

	public static void expect(RawClient.Response response, int status, String body) {
		assertThat(response).as("a response").isNotNull();
		assertThat(response.status()).isEqualTo(status);
		assertThat(response.body()).isEqualTo(body);
	}

	/** A 200 whose body is {@code size} characters, character {@code i} being {@code pattern(i)}. */
	public static void expectPattern(RawClient.Response response, int size, IntUnaryOperator pattern) {
		assertThat(response).as("a response").isNotNull();
		assertThat(response.status()).isEqualTo(200);
		String body = response.body();
		assertThat(body.length()).as("length of the body").isEqualTo(size);
		for (int i = 0; i < size; i++) {
			if (body.charAt(i) != pattern.applyAsInt(i)) {
				throw new AssertionError("a body of " + size + " differs at " + i);
			}
		}
	}

	/** Bytes the client sent that the server has not read yet; -1 where that is not known. */
	public static long unread(RawClient client) {
		try {
			return client.unreadByServer();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	/** Waits until the server holds response bytes for a slow reader, in memory or in a file. */
	public static void awaitHeld(Supplier<ServerStats> stats) throws InterruptedException {
		Await.until("a response held for a slow reader", () -> {
			ServerStats now = stats.get();
			return now.unsentResponseBytes() + now.unsentResponseFileBytes() > 0;
		});
	}

	/** Closes, or resets, the connection: a client that gives up. */
	public static void drop(RawClient client, Random random) throws IOException {
		if (random.nextBoolean()) {
			client.reset();
		}
		else {
			client.close();
		}
	}

	// --- the server afterwards -------------------------------------------------------------------

	/** Nothing busy, open, queued, suspended, buffered or held. */
	public static boolean atRest(ServerStats stats) {
		return stats.busyWorkers() == 0 && stats.openConnections() == 0 && stats.idleConnections() == 0
				&& stats.queuedConnections() == 0 && stats.suspendedRequests() == 0 && stats.bufferedBodyBytes() == 0
				&& stats.upgradedConnections() == 0 && stats.unsentResponseBytes() == 0
				&& stats.sendingConnections() == 0 && stats.unsentResponseFileBytes() == 0;
	}

	/** Waits for {@link #atRest}; a failure shows the last statistics. */
	public static void awaitRest(Supplier<ServerStats> stats) throws InterruptedException {
		try {
			Await.until("the server back at rest", () -> atRest(stats.get()));
		}
		catch (AssertionError ex) {
			throw new AssertionError(ex.getMessage() + ": " + stats.get(), ex);
		}
	}

	/**
	 * Files under {@code directory} that this process has open, named or removed: from
	 * {@code /proc/self/fd} where there is one, else those still named there. (The server's
	 * temporary files lose their names at once: {@code DELETE_ON_CLOSE} unlinks on open on Unix.)
	 */
	public static List<String> openFiles(Path directory) {
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

	/** Starts keeping what {@code io.starlet}'s loggers log; {@link #errors} reads it and stops. */
	public static ListAppender<ILoggingEvent> captureLogs() {
		ListAppender<ILoggingEvent> events = new ListAppender<>();
		events.start();
		((Logger) LoggerFactory.getLogger("io.starlet")).addAppender(events);
		return events;
	}

	/** The errors logged, but those caused by an exception with the message {@code expected}. */
	public static List<String> errors(ListAppender<ILoggingEvent> events, String expected) {
		((Logger) LoggerFactory.getLogger("io.starlet")).detachAppender(events);
		return events.list.stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.ERROR)
					&& !causedBy(event.getThrowableProxy(), expected))
			.map((event) -> event.getLoggerName() + ": " + event.getFormattedMessage() + " "
					+ (event.getThrowableProxy() != null ? event.getThrowableProxy().getMessage() : ""))
			.toList();
	}

	private static boolean causedBy(IThrowableProxy throwable, String message) {
		for (IThrowableProxy t = throwable; t != null; t = t.getCause()) {
			if (message.equals(t.getMessage())) {
				return true;
			}
		}
		return false;
	}

	// --- bytes -----------------------------------------------------------------------------------

	public static byte[] body(Random random, int size) {
		byte[] body = new byte[size];
		random.nextBytes(body);
		return body;
	}

	/** A request with {@code body} in chunks of random sizes, some with an extension, a trailer now and then. */
	public static byte[] chunked(Random random, String method, String target, byte[] body) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(ascii(method + " " + target + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
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

	/** Length and CRC32, as the test servers answer an echoed body. */
	public static String digest(byte[] body) {
		CRC32 crc = new CRC32();
		crc.update(body);
		return body.length + " " + crc.getValue();
	}

	public static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	public static byte[] concat(String head, byte[] body) {
		return concat(ascii(head), body);
	}

	public static byte[] concat(byte[] a, byte[] b) {
		byte[] all = new byte[a.length + b.length];
		System.arraycopy(a, 0, all, 0, a.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
