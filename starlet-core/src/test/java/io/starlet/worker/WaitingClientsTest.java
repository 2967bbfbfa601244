package io.starlet.worker;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.net.BodyCollector;
import io.starlet.testing.Await;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that wait, or make the server wait, hold no worker: request bodies are collected by
 * the acceptor before a worker sees the request, the body limit is enforced before any of the
 * body is read, and {@code max-connections} leaves extra clients in the kernel's backlog. Every
 * test here runs on two workers and checks that no more than two requests ever ran at once.
 */
@Timeout(60)
class WaitingClientsTest {

	@RegisterExtension
	final TestServer server = new TestServer();

	private final AtomicInteger running = new AtomicInteger();

	private final AtomicInteger mostRunning = new AtomicInteger();

	private final List<Socket> sockets = new ArrayList<>();

	@TempDir
	Path tempDir;

	/** Reads the whole body, answers its length and CRC32; counts requests running at once. */
	private final Handler echoDigest = exchange -> {
		this.mostRunning.accumulateAndGet(this.running.incrementAndGet(), Math::max);
		try {
			CRC32 crc = new CRC32();
			long length = 0;
			byte[] buf = new byte[8192];
			InputStream in = exchange.requestBody();
			int n;
			while ((n = in.read(buf)) >= 0) {
				crc.update(buf, 0, n);
				length += n;
			}
			TestServer.text(exchange, exchange.method() + " " + exchange.path() + " " + length + " " + crc.getValue());
		}
		finally {
			this.running.decrementAndGet();
		}
	};

	@AfterEach
	void closeSockets() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
		assertThat(this.mostRunning.get()).as("requests running at once").isLessThanOrEqualTo(2);
	}

	private StarletConfig.Builder twoWorkers() {
		return StarletConfig.builder().maxWorkers(2).maxKeepaliveReqs(100).bodyTempDir(this.tempDir);
	}

	private Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
		socket.setSoTimeout(10000);
		this.sockets.add(socket);
		return socket;
	}

	private static void send(Socket socket, String text) throws IOException {
		socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
		socket.getOutputStream().flush();
	}

	private static String expectedDigest(byte[] body) {
		CRC32 crc = new CRC32();
		crc.update(body);
		return body.length + " " + crc.getValue();
	}

	private static byte[] randomBody(int size) {
		byte[] body = new byte[size];
		new java.util.Random(size).nextBytes(body);
		return body;
	}

	private static byte[] concat(String head, byte[] body) {
		byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
		byte[] all = new byte[h.length + body.length];
		System.arraycopy(h, 0, all, 0, h.length);
		System.arraycopy(body, 0, all, h.length, body.length);
		return all;
	}

	@Test
	void stalledUploadsLeaveTheWorkersFreeForOtherClients() throws Exception {
		int port = this.server.start(twoWorkers(), this.echoDigest);
		for (int i = 0; i < 30; i++) {
			send(connect(port), "POST /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + "x".repeat(100));
		}
		Await.until("stats.openConnections() == 30", () -> this.server.get().stats().openConnections() == 30);
		long start = System.nanoTime();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("POST /fresh HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).startsWith("POST /fresh 5 ");
		}
		// The time is the point: served at once, not once a stalled upload times out (the 300 s
		// `timeout`). The 10 s margin is for a loaded machine.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
		Await.until("stats.busyWorkers() == 0", () -> this.server.get().stats().busyWorkers() == 0);
		assertThat(this.server.get().stats().bufferedBodyBytes()).as("30 bodies of 200 kB reserved in memory")
			.isBetween(30L * 150_000, 30L * 200_000);
		// a stalled upload that resumes is served whole
		Socket first = this.sockets.get(0);
		send(first, "y".repeat(199_900));
		RawClient.Response done = readResponse(first);
		assertThat(done.body()).startsWith("POST /stalled 200000 ");
	}

	@Test
	void aBodyLargerThanTheLimitIsRefusedBeforeAnyOfItIsRead() throws Exception {
		int port = this.server.start(twoWorkers(), this.echoDigest);
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client
				.send("POST /huge HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n")
				.read();
			assertThat(response.status()).isEqualTo(413);
			assertThat(response.body()).contains("max-request-body-size");
			assertThat(response.header("Connection")).isEqualTo("close");
		}
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client
				.send("POST /expect HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 40000000\r\n\r\n")
				.read();
			assertThat(response.status()).as("413, and no 100 Continue before it").isEqualTo(413);
		}
		assertThat(this.mostRunning.get()).isZero();
		assertThat(this.server.get().stats().violations()).containsEntry("CONTENT_TOO_LARGE", 2L);
	}

	@Test
	void largeBodiesGoToATemporaryFileThatIsDeletedWhenTheRequestEnds() throws Exception {
		assertThat(openBodyFiles()).isZero();
		int port = this.server.start(twoWorkers().requestBodyBufferSize(64 * 1024), this.echoDigest);
		byte[] body = randomBody(3 * 1024 * 1024);
		byte[] chunkedBody = randomBody(300_000);
		StringBuilder chunked = new StringBuilder();
		for (int off = 0; off < chunkedBody.length; off += 70_000) {
			int len = Math.min(70_000, chunkedBody.length - off);
			chunked.append(Integer.toHexString(len)).append("\r\n")
				.append(new String(chunkedBody, off, len, StandardCharsets.ISO_8859_1)).append("\r\n");
		}
		chunked.append("0\r\n\r\n");
		try (RawClient client = new RawClient(port)) {
			// two requests in one write: the second must start right where the first body ends
			byte[] first = concat("POST /file HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n", body);
			byte[] second = ("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
				.getBytes(StandardCharsets.ISO_8859_1);
			client.send(concat(new String(first, StandardCharsets.ISO_8859_1), second));
			assertThat(client.read().body()).isEqualTo("POST /file " + expectedDigest(body));
			assertThat(client.read().body()).isEqualTo("POST /chunked " + expectedDigest(chunkedBody));
		}
		Await.until("openBodyFiles() == 0", () -> openBodyFiles() == 0);
		Await.until("stats.bufferedBodyBytes() == 0", () -> this.server.get().stats().bufferedBodyBytes() == 0);
	}

	@Test
	void aBodyThatCannotBeWrittenToAFileIsAnswered500WithoutAWorker() throws Exception {
		// a directory that cannot be created, as a full disk fails a file: the server says it
		// failed (500), names no path to the client, and logs what went wrong
		Path notADirectory = Files.writeString(this.tempDir.resolve("a-file"), "x");
		Logger logger = (Logger) LoggerFactory.getLogger(BodyCollector.class);
		Level level = logger.getLevel();
		ListAppender<ILoggingEvent> events = new ListAppender<>();
		events.start();
		logger.addAppender(events);
		logger.setLevel(Level.DEBUG); // a warning within the last minute makes this one a debug line
		try {
			int port = this.server.start(twoWorkers().requestBodyBufferSize(64 * 1024)
				.bodyTempDir(notADirectory.resolve("bodies")), this.echoDigest);
			try (RawClient client = new RawClient(port)) {
				// the head alone: the body goes to a file from its first byte, which fails at once
				RawClient.Response response = client
					.send("POST /large HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
					.read();
				assertThat(response.status()).isEqualTo(500);
				assertThat(response.header("Connection")).isEqualTo("close");
				assertThat(response.body()).contains("could not be stored").doesNotContain(this.tempDir.toString());
			}
			try (RawClient client = new RawClient(port)) {
				// a chunked body moves to a file when it outgrows memory: the same answer then
				RawClient.Response response = client
					.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
							+ Integer.toHexString(70_000) + "\r\n" + "y".repeat(70_000))
					.read();
				assertThat(response.status()).isEqualTo(500);
			}
			try (RawClient client = new RawClient(port)) {
				RawClient.Response small = client.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
					.read();
				assertThat(small.body()).as("a body that fits in memory is served").startsWith("POST /small 5 ");
			}
			assertThat(this.mostRunning.get()).as("requests run before the 500s").isEqualTo(1);
			assertThat(this.server.get().stats().violations()).containsEntry("BODY_NOT_STORED", 2L);
			synchronized (events) { // the appender appends under its own lock
				assertThat(events.list).anyMatch((event) -> event.getFormattedMessage().contains("answered 500")
						&& event.getFormattedMessage().contains(notADirectory.toString()));
			}
		}
		finally {
			logger.detachAppender(events);
			logger.setLevel(level);
		}
	}

	@Test
	void aTemporaryDirectoryRemovedByACleanerIsCreatedAgain() throws Exception {
		// systemd-tmpfiles and tmpreaper remove what has not been touched for days under /tmp
		Path removed = this.tempDir.resolve("cleaned").resolve("bodies");
		int port = this.server.start(twoWorkers().requestBodyBufferSize(64 * 1024).bodyTempDir(removed), this.echoDigest);
		byte[] body = randomBody(200_000);
		try (RawClient client = new RawClient(port)) {
			client.send(concat("PUT /large HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n", body));
			assertThat(client.read().body()).isEqualTo("PUT /large " + expectedDigest(body));
		}
		assertThat(removed).isDirectory();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(removed))).as("owner-only")
			.isEqualTo("rwx------");
	}

	@Test
	void anUnreadCollectedBodyIsSkippedAndTheConnectionServesTheNextRequest() throws Exception {
		int port = this.server.start(twoWorkers().requestBodyBufferSize(50_000), TestServer.HELLO);
		byte[] inMemory = randomBody(40_000);
		byte[] inFile = randomBody(120_000);
		try (RawClient client = new RawClient(port)) {
			for (byte[] body : List.of(inMemory, inFile)) {
				client.send(concat("POST /ignored HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n", body));
				RawClient.Response ignored = client.read();
				assertThat(ignored.status()).isEqualTo(200);
				assertThat(ignored.header("Connection")).isNull();
			}
			StringBuilder chunked = new StringBuilder("POST /ignored HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
			for (int i = 0; i < 30; i++) {
				chunked.append("1000\r\n").append("z".repeat(4096)).append("\r\n");
			}
			client.send(chunked.append("0\r\n\r\n").toString());
			assertThat(client.read().status()).isEqualTo(200);
			RawClient.Response next = client.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(next.status()).isEqualTo(200);
			assertThat(next.body()).isEqualTo("Hello, World!");
		}
		assertThat(this.server.get().stats().requests()).isEqualTo(4);
	}

	@Test
	void aGracefulShutdownWaitsForABodyStillArrivingAndServesKeptAliveClientsMeanwhile() throws Exception {
		int port = this.server.start(twoWorkers(), this.echoDigest);
		try (RawClient upload = new RawClient(port); RawClient idle = new RawClient(port)) {
			assertThat(idle.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
			upload.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
			Await.until("stats.bufferedBodyBytes() == 0 && stats.openConnections() == 2", () -> this.server.get().stats().bufferedBodyBytes() == 0 && this.server.get().stats().openConnections() == 2);
			java.util.concurrent.CompletableFuture<Void> drained = this.server.get().shutdownGracefully();
			Await.until("!RawClient.listening(port)", () -> !RawClient.listening(port));
			RawClient.Response during = idle.send("GET /during HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(during.status()).isEqualTo(200);
			assertThat(during.header("Connection")).isEqualTo("close");
			assertThat(drained).isNotDone();
			RawClient.Response uploaded = upload.send("world").read();
			assertThat(uploaded.body()).startsWith("POST /upload 10 ");
			drained.get(20, TimeUnit.SECONDS);
		}
	}

	@Test
	void bodiesBeyondTheServerWideMemoryGoToFiles() throws Exception {
		int port = this.server.start(twoWorkers().requestBodyMemory(0), this.echoDigest);
		byte[] body = randomBody(100_000);
		Socket stalled = connect(port);
		send(stalled, "POST /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc");
		Await.until("openBodyFiles() == 1", () -> openBodyFiles() == 1);
		try (RawClient client = new RawClient(port)) {
			client.send(concat("PUT /more HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n", body));
			assertThat(client.read().body()).isEqualTo("PUT /more " + expectedDigest(body));
		}
		// the served request's file goes when its worker finishes, just after the response
		Await.until("openBodyFiles() == 1", () -> openBodyFiles() == 1);
		assertThat(this.server.get().stats().bufferedBodyBytes()).isZero();
		stalled.close();
		Await.until("openBodyFiles() == 0", () -> openBodyFiles() == 0);
	}

	@Test
	void expectContinueIsAnsweredByTheAcceptorWhenTheBodyIsCollected() throws Exception {
		int port = this.server.start(twoWorkers(), this.echoDigest);
		try (RawClient client = new RawClient(port)) {
			RawClient.Response interim = client
				.send("POST /expect HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
				.read();
			assertThat(interim.status()).isEqualTo(100);
			assertThat(this.mostRunning.get()).as("no worker before the body").isZero();
			RawClient.Response response = client.send("hello").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).startsWith("POST /expect 5 ");
			assertThat(client.readWithin(200)).as("a single 100 Continue").isEmpty();
		}
	}

	@Test
	void aBodyBelowTheMinimumRateIsRefusedWithoutAWorker() throws Exception {
		int port = this.server.start(twoWorkers(), this.echoDigest);
		Socket slow = connect(port);
		slow.setSoTimeout(30_000); // the read waits out the rate's grace, on a loaded machine too
		send(slow, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(10));
		long start = System.nanoTime();
		RawClient.Response response = readResponse(slow);
		assertThat(response.status()).isEqualTo(408);
		// Refused by the minimum rate once its 5 s grace has passed, not by the 300 s `timeout`:
		// the wide margin between them is for a loaded machine.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
		assertThat(this.mostRunning.get()).isZero();
		assertThat(this.server.get().stats().violations()).containsEntry("BODY_TIMEOUT", 1L);
	}

	@Test
	void aStreamedBodyBelowTheMinimumRateFreesItsWorkerWithin408() throws Exception {
		int port = this.server.start(twoWorkers().requestBuffering(false), this.echoDigest);
		Socket slow = connect(port);
		slow.setSoTimeout(30_000); // the read waits out the rate's grace, on a loaded machine too
		send(slow, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(10));
		long start = System.nanoTime();
		Await.until("this.mostRunning.get() == 1", () -> this.mostRunning.get() == 1);
		RawClient.Response response = readResponse(slow);
		assertThat(response.status()).isEqualTo(408);
		// Refused by the minimum rate once its 5 s grace has passed, not by the 300 s `timeout`:
		// the wide margin between them is for a loaded machine.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
		Await.until("stats.busyWorkers() == 0", () -> this.server.get().stats().busyWorkers() == 0);
	}

	@Test
	void beyondMaxConnectionsClientsWaitInTheBacklogUntilOneCloses() throws Exception {
		int port = this.server.start(twoWorkers().maxConnections(3), TestServer.HELLO);
		Socket first = connect(port);
		connect(port);
		connect(port);
		Await.until("stats.openConnections() == 3", () -> this.server.get().stats().openConnections() == 3);
		try (RawClient waiting = new RawClient(port)) {
			waiting.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
			// Silence over a window is the evidence (time is the point; load cannot fail it)
			assertThat(waiting.readWithin(500)).as("not accepted while at the limit").isEmpty();
			assertThat(this.server.get().stats().openConnections()).isEqualTo(3);
			first.close();
			RawClient.Response response = waiting.read();
			assertThat(response.status()).isEqualTo(200);
		}
	}

	/**
	 * Body files this process has open in the temporary directory. They are unlinked as soon as
	 * they are opened (DELETE_ON_CLOSE), so only their descriptors show them.
	 */
	private long openBodyFiles() {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.filter((fd) -> {
				try {
					return Files.readSymbolicLink(fd).toString().startsWith(this.tempDir.toString());
				}
				catch (IOException ex) {
					return false; // closed meanwhile
				}
			}).count();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static RawClient.Response readResponse(Socket socket) throws IOException {
		StringBuilder head = new StringBuilder();
		InputStream in = socket.getInputStream();
		int c;
		while ((c = in.read()) >= 0) {
			head.append((char) c);
			if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
				break;
			}
		}
		int status = Integer.parseInt(head.substring(9, 12));
		int lengthAt = head.indexOf("Content-Length: ");
		String body = "";
		if (lengthAt >= 0) {
			int length = Integer.parseInt(head.substring(lengthAt + 16, head.indexOf("\r\n", lengthAt)));
			body = new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
		}
		return new RawClient.Response(status, head.toString(), body);
	}

}
