package io.starlet.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.Suspension;
import io.starlet.net.UnsentOutput;
import io.starlet.testing.Await;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that takes its response slower than the application writes it holds no worker once
 * the response is written: the bytes the socket does not take wait in memory (within
 * {@code unsent-response-size}), then in a temporary file (within
 * {@code unsent-response-file-size}), and the acceptor sends them ({@code Connection.State.SENDING}).
 *
 * <p>The response is larger than loopback's socket buffers can absorb (the kernel's send buffer
 * grows to 4 MiB at most, and the client's receive buffer is kept small), so without holding it
 * the only worker would wait for the client.
 */
@Timeout(60)
class SlowReaderTest {

	/** Larger than the kernel's largest send buffer plus the client's receive buffer. */
	private static final int BIG = 12 * 1024 * 1024;

	@RegisterExtension
	final TestServer server = new TestServer();

	@TempDir
	Path tempDir;

	/** {@code /big}: BIG bytes of a known pattern, written in 64 KiB pieces; anything else: hello. */
	private static final Handler BIG_OR_HELLO = exchange -> {
		if (!exchange.path().equals("/big")) {
			TestServer.HELLO.handle(exchange);
			return;
		}
		exchange.commit(BIG);
		OutputStream out = exchange.responseBody();
		byte[] piece = new byte[64 * 1024];
		for (int written = 0; written < BIG; written += piece.length) {
			for (int i = 0; i < piece.length; i++) {
				piece[i] = pattern(written + i);
			}
			out.write(piece);
		}
	};

	private static byte pattern(int i) {
		return (byte) (i % 251);
	}

	private StarletConfig.Builder oneWorker() {
		return StarletConfig.builder().maxWorkers(1).unsentResponseSize(16 * 1024 * 1024);
	}

	@Test
	void theWorkerIsFreeWhileASlowClientTakesItsResponseAndEveryByteArrivesInOrder() throws Exception {
		int port = this.server.start(oneWorker().maxKeepaliveReqs(100), BIG_OR_HELLO);
		try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
			InputStream in = slow.getInputStream();
			String head = RawClient.readHead(in);
			assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: " + BIG);
			Await.until("the worker is free", () -> this.server.get().stats().busyWorkers() == 0);
			assertThat(this.server.get().stats().unsentResponseBytes()).as("bytes held for the client").isPositive();
			Await.until("the response being sent off the worker", () -> this.server.get().stats().sendingConnections() == 1);
			assertThat(this.server.get().stats().idleConnections()).as("a SENDING connection is not idle").isZero();
			// the only worker serves a fresh client while most of the response is still unsent
			try (RawClient fresh = new RawClient(port)) {
				RawClient.Response hello = fresh.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
				assertThat(hello.status()).isEqualTo(200);
				assertThat(hello.body()).isEqualTo("Hello, World!");
			}
			readPattern(in, BIG);
			Await.until("the memory given back", () -> this.server.get().stats().unsentResponseBytes() == 0
					&& this.server.get().stats().sendingConnections() == 0);
			// the connection lives on (keep-alive) once the acceptor sent the last byte
			slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			assertThat(new String(in.readNBytes(13), StandardCharsets.US_ASCII)).isEqualTo("Hello, World!");
		}
	}

	@Test
	void withoutHoldingTheWorkerWaitsForTheSlowClient() throws Exception {
		// the control: the test above shows the holding, not loopback's buffers
		int port = this.server.start(oneWorker().unsentResponseSize(0), BIG_OR_HELLO);
		try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
			InputStream in = slow.getInputStream();
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			try (RawClient fresh = new RawClient(port)) {
				fresh.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
				assertThat(fresh.readWithin(1000)).isEmpty();
				assertThat(this.server.get().stats().busyWorkers()).isEqualTo(1);
				readPattern(in, BIG);
				assertThat(fresh.read().status()).isEqualTo(200);
			}
		}
	}

	@Test
	void aHeldResponseEndsTheConnectionWhenItSaysClose() throws Exception {
		int port = this.server.start(oneWorker(), BIG_OR_HELLO); // max-keepalive-reqs 1
		try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
			InputStream in = slow.getInputStream();
			assertThat(RawClient.readHead(in)).contains("Connection: close");
			Await.until("the worker is free", () -> this.server.get().stats().busyWorkers() == 0);
			readPattern(in, BIG);
			assertThat(in.read()).isEqualTo(-1);
		}
		Await.until("no connection open", () -> this.server.get().stats().openConnections() == 0);
	}

	@Test
	void aPipelinedRequestIsServedAfterTheHeldResponse() throws Exception {
		int port = this.server.start(oneWorker().maxKeepaliveReqs(100), BIG_OR_HELLO);
		String two = "GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n";
		try (Socket slow = slowClient(port, two)) {
			InputStream in = slow.getInputStream();
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			Await.until("the worker is free", () -> this.server.get().stats().busyWorkers() == 0);
			readPattern(in, BIG);
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			assertThat(new String(in.readNBytes(13), StandardCharsets.US_ASCII)).isEqualTo("Hello, World!");
		}
	}

	@Test
	void aClientThatStopsReadingAHeldResponseIsDroppedAfterTheWriteTimeout() throws Exception {
		int port = this.server.start(oneWorker().timeout(Duration.ofMillis(700)), BIG_OR_HELLO);
		try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
			assertThat(RawClient.readHead(slow.getInputStream())).startsWith("HTTP/1.1 200");
			Await.until("the worker is free", () -> this.server.get().stats().busyWorkers() == 0);
			long t0 = System.nanoTime();
			// never read again: the acceptor closes the connection one timeout after the last progress
			Await.until("the connection closed", () -> this.server.get().stats().openConnections() == 0);
			assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(this.server.get().stats().unsentResponseBytes()).as("the held bytes given back").isZero();
			assertThat(this.server.get().stats().sendingConnections()).isZero();
			try (RawClient fresh = new RawClient(port)) {
				assertThat(fresh.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
			}
		}
	}

	@Test
	void aResponseSuspendedAfterHeldBytesGoesOutInOrderWhenAnotherThreadFinishesIt() throws Exception {
		// what an application thread writes after the suspension goes straight to the socket, so
		// the suspension waits until the held bytes are out: the order never changes
		AtomicReference<Exchange> suspended = new AtomicReference<>();
		AtomicReference<Suspension> suspension = new AtomicReference<>();
		Handler handler = exchange -> {
			if (!exchange.path().equals("/big-then-async")) {
				TestServer.HELLO.handle(exchange);
				return;
			}
			exchange.commit(BIG + 4);
			OutputStream out = exchange.responseBody();
			for (int written = 0; written < BIG; written += 64 * 1024) {
				byte[] piece = new byte[64 * 1024];
				for (int i = 0; i < piece.length; i++) {
					piece[i] = pattern(written + i);
				}
				out.write(piece);
			}
			suspension.set(exchange.suspend());
			suspended.set(exchange);
		};
		int port = this.server.start(oneWorker().maxKeepaliveReqs(100), handler);
		try (Socket slow = slowClient(port, "GET /big-then-async HTTP/1.1\r\nHost: x\r\n\r\n")) {
			InputStream in = slow.getInputStream();
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			Thread reader = new Thread(() -> {
				try {
					readPattern(in, BIG);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			reader.start();
			Await.until("suspended", () -> suspended.get() != null);
			suspended.get().responseBody().write("tail".getBytes(StandardCharsets.US_ASCII));
			suspension.get().finish();
			reader.join(20_000);
			assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("tail");
			slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
		}
	}

	@Test
	void aGracefulShutdownWaitsForAHeldResponseToGoOut() throws Exception {
		int port = this.server.start(oneWorker().maxKeepaliveReqs(100), BIG_OR_HELLO);
		try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
			InputStream in = slow.getInputStream();
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			Await.until("the worker is free", () -> this.server.get().stats().busyWorkers() == 0);
			CompletableFuture<Void> drained = this.server.get().shutdownGracefully();
			// the drain has begun once the listener is closed; its pass that closed it found the
			// response still going out
			Await.until("the listener closed", () -> !RawClient.listening(port));
			assertThat(this.server.get().stats().sendingConnections()).isEqualTo(1);
			assertThat(drained).as("drained while a response is still going out").isNotDone();
			readPattern(in, BIG);
			// sent: the connection closes rather than waiting for a next request
			assertThat(in.read()).isEqualTo(-1);
			drained.get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void whatMemoryCannotHoldGoesToAFileAndTheWorkerIsStillFree() throws Exception {
		// 1 MiB in memory, the other 11 MB in a file: sent from it, in order, and the file removed.
		// The directory is not there yet (as after a tmp cleaner): it is created for the file.
		Path cleaned = this.tempDir.resolve("cleaned-away");
		int port = this.server.start(oneWorker().unsentResponseSize(1024 * 1024).bodyTempDir(cleaned)
			.maxKeepaliveReqs(100), BIG_OR_HELLO);
		try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
			InputStream in = slow.getInputStream();
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			Await.until("the worker is free", () -> this.server.get().stats().busyWorkers() == 0);
			assertThat(this.server.get().stats().unsentResponseBytes()).as("held in memory").isPositive()
				.isLessThanOrEqualTo(1024 * 1024);
			assertThat(this.server.get().stats().unsentResponseFileBytes()).as("held in the file")
				.isGreaterThan(BIG - 8L * 1024 * 1024);
			assertThat(responseFiles()).hasSize(1);
			assertThat(cleaned).isDirectory();
			try (RawClient fresh = new RawClient(port)) {
				assertThat(fresh.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
			}
			readPattern(in, BIG);
			Await.until("the file sent and removed", () -> this.server.get().stats().unsentResponseFileBytes() == 0
					&& this.server.get().stats().sendingConnections() == 0 && responseFiles().isEmpty());
			slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
		}
	}

	@Test
	void aClientThatStopsReadingLosesItsFileAfterTheWriteTimeout() throws Exception {
		int port = this.server.start(oneWorker().unsentResponseSize(1024 * 1024).bodyTempDir(this.tempDir)
			.timeout(Duration.ofMillis(700)), BIG_OR_HELLO);
		try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
			assertThat(RawClient.readHead(slow.getInputStream())).startsWith("HTTP/1.1 200");
			Await.until("the worker is free", () -> this.server.get().stats().busyWorkers() == 0);
			assertThat(responseFiles()).hasSize(1);
			Await.until("the connection closed", () -> this.server.get().stats().openConnections() == 0);
			assertThat(this.server.get().stats().unsentResponseFileBytes()).isZero();
			assertThat(this.server.get().stats().unsentResponseBytes()).isZero();
			assertThat(responseFiles()).as("the file removed").isEmpty();
		}
	}

	@ParameterizedTest(name = "file limit {0}")
	@ValueSource(ints = { 0, 4 * 1024 * 1024 })
	void aResponseLargerThanTheLimitsMakesTheWorkerWaitForTheRest(int fileLimit) throws Exception {
		// 1 MiB held in memory (and 4 MiB in a file, or none): the worker writes the rest at the
		// client's pace, and every byte still arrives in order behind the held ones
		int port = this.server.start(oneWorker().unsentResponseSize(1024 * 1024).unsentResponseFileSize(fileLimit)
			.bodyTempDir(this.tempDir).maxKeepaliveReqs(100), BIG_OR_HELLO);
		try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
			InputStream in = slow.getInputStream();
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			// the worker has held what it may; the other 7-11 MB cannot have left, so it still serves
			Await.until("bytes held", () -> this.server.get().stats().unsentResponseBytes() > 0
					&& (fileLimit == 0 || this.server.get().stats().unsentResponseFileBytes() > 0));
			assertThat(this.server.get().stats().busyWorkers()).isEqualTo(1);
			assertThat(this.server.get().stats().unsentResponseFileBytes()).isLessThanOrEqualTo(fileLimit);
			readPattern(in, BIG);
			slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			assertThat(responseFiles()).isEmpty();
		}
	}

	@Test
	void aFileThatCannotBeWrittenMakesTheWorkerWaitAndLosesNoByte() throws Exception {
		// a directory that cannot be created (as a full disk would fail the file): the worker waits
		// for the client instead, and the log says why (a warning, or a debug line within a minute
		// of the last warning)
		Logger logger = (Logger) LoggerFactory.getLogger(UnsentOutput.class);
		Level level = logger.getLevel();
		ListAppender<ILoggingEvent> events = new ListAppender<>();
		events.start();
		logger.addAppender(events);
		logger.setLevel(Level.DEBUG);
		try {
			Path notADirectory = Files.writeString(this.tempDir.resolve("a-file"), "x");
			int port = this.server.start(oneWorker().unsentResponseSize(1024 * 1024)
				.bodyTempDir(notADirectory.resolve("missing")).maxKeepaliveReqs(100), BIG_OR_HELLO);
			try (Socket slow = slowClient(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
				InputStream in = slow.getInputStream();
				assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
				// memory full, the file refused: the worker now waits for the client
				Await.until("the log says why", () -> {
					synchronized (events) { // the appender appends under its own lock
						return events.list.stream()
							.anyMatch(event -> event.getFormattedMessage().contains("temporary file")
									&& event.getFormattedMessage().contains("missing"));
					}
				});
				assertThat(this.server.get().stats().unsentResponseBytes()).isPositive();
				assertThat(this.server.get().stats().busyWorkers()).isEqualTo(1);
				assertThat(this.server.get().stats().unsentResponseFileBytes()).isZero();
				readPattern(in, BIG);
				slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200");
			}
		}
		finally {
			logger.detachAppender(events);
			logger.setLevel(level);
		}
	}

	/**
	 * The response files the server has open. The JDK removes a {@code DELETE_ON_CLOSE} file's name
	 * as soon as it is opened on Linux, so the files are found among the process's descriptors.
	 */
	private static List<String> responseFiles() {
		Path fds = Path.of("/proc/self/fd");
		List<String> open = new ArrayList<>();
		try (var entries = Files.list(fds)) {
			for (Path fd : entries.toList()) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.contains("starlet-response-")) {
						open.add(target);
					}
				}
				catch (IOException ex) {
					// closed since it was listed
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return open;
	}

	@ParameterizedTest(name = "memory {0} bytes per connection")
	@ValueSource(ints = { 2 * 1024 * 1024, 256 * 1024 })
	void clientsReadingAtRandomPacesGetEveryResponseWholeAndInOrder(int memory) throws Exception {
		// The races of holding: a worker adding while the acceptor sends, a response finished while
		// the last held bytes go out, the next request read after SENDING. 12 keep-alive clients
		// on 2 workers, 6 requests each (some pipelined in pairs), responses of 1 KB to 3 MB (some
		// written in one piece, some in small ones), read in random pieces with random pauses
		// (the pauses are the clients' pace, the test's input: no assertion waits on them);
		// every byte is checked against its request's own pattern. With 2 MiB a connection holds
		// in memory only; with 256 KiB most responses go on in a file, with its own races.
		Handler sized = exchange -> {
			String query = exchange.query();
			int size = Integer.parseInt(query.substring(query.indexOf("size=") + 5, query.indexOf('&')));
			int seed = Integer.parseInt(query.substring(query.indexOf("seed=") + 5));
			exchange.commit(size);
			OutputStream out = exchange.responseBody();
			byte[] body = new byte[size];
			for (int i = 0; i < size; i++) {
				body[i] = (byte) ((seed + i) % 251);
			}
			if (seed % 2 == 0) {
				out.write(body);
			}
			else {
				for (int off = 0; off < size; off += 1000) {
					out.write(body, off, Math.min(1000, size - off));
				}
			}
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(2).maxKeepaliveReqs(1000)
			.unsentResponseSize(memory).unsentResponseFileSize(memory > 1024 * 1024 ? 0 : 1024 * 1024 * 1024)
			.bodyTempDir(this.tempDir), sized);
		ExecutorService clients = Executors.newFixedThreadPool(13);
		try {
			List<Future<Integer>> done = new ArrayList<>();
			// one client for certain holding while the others run: it reads its 12 MB only once
			// the server holds some of it
			done.add(clients.submit(() -> {
				try (Socket socket = slowClient(port, "GET /r?size=" + BIG + "&seed=1 HTTP/1.1\r\nHost: x\r\n\r\n")) {
					Await.until("bytes held", () -> this.server.get().stats().unsentResponseBytes() > 0);
					return readSized(socket.getInputStream(), BIG, 1, new Random(1));
				}
			}));
			for (int c = 0; c < 12; c++) {
				long clientSeed = 1000L * c + 7;
				done.add(clients.submit(() -> randomPaceClient(port, new Random(clientSeed))));
			}
			int responses = 0;
			for (Future<Integer> f : done) {
				responses += f.get(50, TimeUnit.SECONDS);
			}
			assertThat(responses).isEqualTo(1 + 12 * 6);
			Await.until("every held byte sent and given back", () -> this.server.get().stats().unsentResponseBytes() == 0
					&& this.server.get().stats().unsentResponseFileBytes() == 0 && responseFiles().isEmpty());
		}
		finally {
			clients.shutdownNow();
		}
	}

	private static int randomPaceClient(int port, Random random) throws Exception {
		int served = 0;
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(4096 + random.nextInt(60_000));
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(30_000);
			InputStream in = socket.getInputStream();
			OutputStream out = socket.getOutputStream();
			for (int round = 0; round < 3; round++) {
				int[] sizes = new int[2];
				int[] seeds = new int[2];
				StringBuilder requests = new StringBuilder();
				boolean pipelined = random.nextBoolean();
				for (int k = 0; k < 2; k++) {
					sizes[k] = random.nextInt(4) == 0 ? 1000 + random.nextInt(10_000) : 100_000 + random.nextInt(3_000_000);
					seeds[k] = random.nextInt(100_000);
					requests.append("GET /r?size=").append(sizes[k]).append("&seed=").append(seeds[k])
						.append(" HTTP/1.1\r\nHost: x\r\n\r\n");
					if (!pipelined) {
						out.write(requests.toString().getBytes(StandardCharsets.US_ASCII));
						requests.setLength(0);
						served += readSized(in, sizes[k], seeds[k], random);
					}
				}
				if (pipelined) {
					out.write(requests.toString().getBytes(StandardCharsets.US_ASCII));
					for (int k = 0; k < 2; k++) {
						served += readSized(in, sizes[k], seeds[k], random);
					}
				}
			}
		}
		return served;
	}

	/** Reads one response of {@code size} bytes in random pieces with random pauses; checks every byte. */
	private static int readSized(InputStream in, int size, int seed, Random random) throws Exception {
		String head = RawClient.readHead(in);
		assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: " + size);
		byte[] buf = new byte[64 * 1024];
		int at = 0;
		while (at < size) {
			int n = in.read(buf, 0, Math.min(1 + random.nextInt(buf.length), size - at));
			assertThat(n).isPositive();
			for (int i = 0; i < n; i++) {
				if (buf[i] != (byte) ((seed + at + i) % 251)) {
					throw new AssertionError("seed " + seed + ": byte " + (at + i) + " of " + size + " is wrong");
				}
			}
			at += n;
			if (random.nextInt(8) == 0) {
				Thread.sleep(random.nextInt(5));
			}
		}
		return 1;
	}

	/** A client with a small receive window that sends {@code request} and reads nothing yet. */
	private static Socket slowClient(int port, String request) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(4096);
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(20_000);
		socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
		return socket;
	}

	/** Reads {@code length} bytes, checking each against the pattern. */
	private static void readPattern(InputStream in, int length) throws IOException {
		byte[] buf = new byte[64 * 1024];
		int at = 0;
		while (at < length) {
			int n = in.read(buf, 0, Math.min(buf.length, length - at));
			assertThat(n).as("bytes after %d of %d", at, length).isPositive();
			for (int i = 0; i < n; i++) {
				if (buf[i] != pattern(at + i)) {
					throw new AssertionError("byte " + (at + i) + " is " + buf[i] + ", expected " + pattern(at + i));
				}
			}
			at += n;
		}
	}

}
