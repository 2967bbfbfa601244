package io.starlet.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.testing.Await;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection model: connections that have not delivered a request hold no worker, and
 * every wait has a deadline.
 */
@Timeout(60)
class ConnectionModelTest {

	@RegisterExtension
	final TestServer server = new TestServer();

	private final ExecutorService background = Executors.newCachedThreadPool();

	private final AtomicBoolean stopTrickling = new AtomicBoolean();

	/** Rounds of one byte on every trickling socket so far. */
	private final AtomicInteger trickled = new AtomicInteger();

	private static final Handler HELLO = TestServer.HELLO;


	@AfterEach
	void stop() {
		this.stopTrickling.set(true);
		this.background.shutdownNow();
	}

	private static long millisSince(long t0) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
	}

	@Test
	void aFreshClientIsServedWhileIdleAndTricklingClientsOutnumberTheWorkers() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(10).maxKeepaliveReqs(1000)
			.keepaliveTimeout(Duration.ofSeconds(60)), HELLO);
		List<RawClient> idle = new ArrayList<>();
		List<Socket> tricklers = new ArrayList<>();
		try {
			for (int i = 0; i < 200; i++) {
				RawClient client = new RawClient(port);
				assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
				idle.add(client);
			}
			for (int i = 0; i < 50; i++) {
				Socket socket = new Socket();
				socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
				tricklers.add(socket);
			}
			this.background.submit(() -> trickle(tricklers, "GET /slow HTTP/1.1\r\nHost: x\r\n"));
			Await.until("every connection open and trickling", () -> this.trickled.get() >= 1
					&& this.server.get().stats().openConnections() == 250);
			long t0 = System.nanoTime();
			try (RawClient fresh = new RawClient(port)) {
				assertThat(fresh.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
			}
			// The time is the point: served at once, not after a trickler's 20 s head deadline or
			// the half minute its text takes. Half that deadline is the margin for a loaded machine.
			assertThat(millisSince(t0)).isLessThan(10_000);
			// The idle connections are still usable.
			assertThat(idle.get(0).send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
		}
		finally {
			this.stopTrickling.set(true);
			for (RawClient c : idle) {
				c.close();
			}
			for (Socket s : tricklers) {
				s.close();
			}
		}
	}

	/** Sends one byte a second on every socket, bounded by the text length and the test. */
	private Void trickle(List<Socket> sockets, String text) throws Exception {
		byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
		for (int i = 0; i < bytes.length && !this.stopTrickling.get(); i++) {
			for (Socket socket : sockets) {
				try {
					socket.getOutputStream().write(bytes[i]);
				}
				catch (IOException ex) {
					// cut off by the server: fine
				}
			}
			this.trickled.incrementAndGet();
			Thread.sleep(1000); // the client's pace: this is what a trickler is
		}
		return null;
	}

	@Test
	void theHeadDeadlineCutsOffATrickler() throws Exception {
		int port = this.server.start(StarletConfig.builder().requestHeadTimeout(Duration.ofMillis(800)), HELLO);
		// From before the connection: the deadline runs from its accept.
		long t0 = System.nanoTime();
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			byte[] partial = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
			CompletableFuture<String> response = CompletableFuture.supplyAsync(() -> {
				try {
					return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
				}
				catch (IOException ex) {
					return "reset";
				}
			}, this.background);
			for (byte b : partial) {
				if (response.isDone()) {
					break;
				}
				try {
					out.write(b);
				}
				catch (IOException ex) {
					break;
				}
				Thread.sleep(100); // the client's pace: 3.3 s for the whole partial head
			}
			assertThat(response.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 408 ").contains("Connection: close");
			// Not before the deadline (a loaded machine makes it later, never sooner); a 408
			// at all shows the deadline cut it off, since the head never completes.
			assertThat(millisSince(t0)).isGreaterThanOrEqualTo(800);
		}
	}

	@Test
	void timeoutFreesAWorkerFromAStalledBody() throws Exception {
		Handler reader = exchange -> {
			exchange.requestBody().readAllBytes();
			HELLO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).timeout(Duration.ofMillis(700)), reader);
		try (RawClient staller = new RawClient(port)) {
			// Larger than what the acceptor collects, so a worker reads it.
			long t0 = System.nanoTime();
			staller.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n").send(new byte[40000]);
			RawClient.Response response = staller.read();
			assertThat(response.status()).isEqualTo(408);
			// The body's last bytes arrived after t0: the timeout runs from then.
			assertThat(millisSince(t0)).isGreaterThanOrEqualTo(700);
			try (RawClient next = new RawClient(port)) {
				assertThat(next.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
			}
		}
	}

	@Test
	void timeoutFreesAWorkerFromAClientThatStopsReading() throws Exception {
		Handler flood = exchange -> {
			if (!exchange.path().equals("/big")) {
				HELLO.handle(exchange);
				return;
			}
			byte[] chunk = new byte[64 * 1024];
			OutputStream out = exchange.responseBody();
			for (int i = 0; i < 2000; i++) {
				out.write(chunk);
			}
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).timeout(Duration.ofMillis(700)), flood);
		try (Socket reader = new Socket("127.0.0.1", port)) {
			reader.setReceiveBufferSize(4096);
			reader.getOutputStream().write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			// The worker is on /big once its status line arrives (else the next client's request
			// could reach the only worker first).
			byte[] status = reader.getInputStream().readNBytes(12);
			assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
			// Then never read: the worker must give up after `timeout`, not wait forever. With
			// one worker, the next client is served only once that happened (the 128 MB response
			// would hold it for good otherwise), so an answer at all is the proof.
			try (RawClient next = new RawClient(port)) {
				next.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
				RawClient.Response response = next.read();
				assertThat(response).isNotNull();
				assertThat(response.status()).isEqualTo(200);
			}
		}
	}

	@Test
	void queueTimeoutAnswers503WhenEveryWorkerIsBusy() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		Handler slow = exchange -> {
			release.await(30, TimeUnit.SECONDS);
			HELLO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(2).queueTimeout(Duration.ofMillis(300)), slow);
		List<RawClient> holders = new ArrayList<>();
		try {
			for (int i = 0; i < 2; i++) {
				holders.add(new RawClient(port).send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
			}
			Await.until("both workers busy", () -> this.server.get().stats().busyWorkers() == 2);
			long t0 = System.nanoTime();
			try (RawClient third = new RawClient(port)) {
				RawClient.Response response = third.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
				assertThat(response.status()).isEqualTo(503);
				assertThat(response.header("Retry-After")).isNotNull();
				assertThat(response.header("Connection")).isEqualTo("close");
			}
			// Queued after t0, refused once it waited queue-timeout (the workers stay busy until
			// released below, so a 503 at all shows the queue timed out)
			assertThat(millisSince(t0)).isGreaterThanOrEqualTo(300);
			release.countDown();
			for (RawClient holder : holders) {
				assertThat(holder.read().status()).isEqualTo(200);
			}
			assertThat(this.server.get().stats().rejections()).containsEntry(503, 1L);
		}
		finally {
			for (RawClient holder : holders) {
				holder.close();
			}
			release.countDown();
		}
	}

	@Test
	void aSmallBodyIsCollectedBeforeAWorkerIsTaken() throws Exception {
		Handler echo = exchange -> {
			byte[] body = exchange.requestBody().readAllBytes();
			exchange.commit(body.length);
			exchange.responseBody().write(body);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(1), echo);
		try (RawClient slowUpload = new RawClient(port)) {
			// The acceptor answers 100 Continue when it starts collecting the body: from then on
			// the request is its own, and it reaches the worker only once the body is whole.
			RawClient.Response interim = slowUpload
				.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
				.read();
			assertThat(interim.status()).isEqualTo(100);
			slowUpload.send("12345");
			// The only worker is not pinned by the half-sent upload.
			try (RawClient other = new RawClient(port)) {
				RawClient.Response response = other.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok").read();
				assertThat(response.body()).isEqualTo("ok");
			}
			assertThat(slowUpload.send("67890").read().body()).isEqualTo("1234567890");
		}
	}

	@Test
	void theAcceptorDoesNotSpinOnAServedConnectionWithUnreadBytes() throws Exception {
		// A kept-alive connection stays registered with the acceptor while a worker serves it; a
		// body the worker has not read yet makes it readable, and the acceptor must stop watching
		// it rather than wake up for it over and over.
		Handler slowReader = exchange -> {
			if (exchange.method().equals("POST")) {
				Thread.sleep(1000); // the span over which the acceptor's CPU time is measured
				byte[] body = exchange.requestBody().readAllBytes();
				byte[] length = String.valueOf(body.length).getBytes(StandardCharsets.US_ASCII);
				exchange.commit(length.length);
				exchange.responseBody().write(length);
				return;
			}
			HELLO.handle(exchange);
		};
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(100), slowReader);
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
			Await.until("handed back to the acceptor", () -> this.server.get().stats().busyWorkers() == 0
					&& this.server.get().stats().idleConnections() == 1);
			long cpuBefore = acceptorCpuNanos();
			client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n").send(new byte[200000]);
			RawClient.Response response = client.read();
			long acceptorMillis = TimeUnit.NANOSECONDS.toMillis(acceptorCpuNanos() - cpuBefore);
			assertThat(response.body()).isEqualTo("200000");
			assertThat(acceptorMillis).as("acceptor CPU while the worker slept").isLessThan(300);
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
		}
	}

	private static long acceptorCpuNanos() {
		java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
		long total = 0;
		for (Thread thread : Thread.getAllStackTraces().keySet()) {
			if (thread.getName().equals("starlet-acceptor")) {
				total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
			}
		}
		return total;
	}

	@Test
	void aKeptAliveConnectionIsServedBackToBackWithAWorkerPerConnectionOrWithFewerWorkers() throws Exception {
		// One worker. With one connection open, a worker that finished a response yields and looks
		// for the next request before it sleeps; with three open it goes straight to the wait.
		// Either way every request is answered, and a client that leaves is seen at once.
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(1000)
			.maxReqsPerChild(10_000).keepaliveTimeout(Duration.ofSeconds(30)), HELLO);
		try (RawClient alone = new RawClient(port)) {
			for (int i = 0; i < 300; i++) {
				RawClient.Response response = alone.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.body()).isEqualTo("Hello, World!");
			}
			// Seen at once, not after the 30 s keep-alive: the 10 s read is the margin for a loaded
			// machine, and the bound (a close seen within it, not a read timing out).
			assertThat(alone.shutdownOutput().closedByServer(10_000)).isTrue();
		}
		List<RawClient> three = new ArrayList<>();
		try {
			for (int c = 0; c < 3; c++) {
				three.add(new RawClient(port));
			}
			for (int i = 0; i < 100; i++) {
				for (RawClient client : three) {
					RawClient.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
					assertThat(response.status()).isEqualTo(200);
					assertThat(response.body()).isEqualTo("Hello, World!");
				}
			}
			for (RawClient client : three) {
				assertThat(client.shutdownOutput().closedByServer(10_000)).isTrue();
			}
		}
		finally {
			for (RawClient client : three) {
				client.close();
			}
		}
	}

	@Test
	void manyShortConnectionsAreAllServed() throws Exception {
		// Workers close connections the acceptor still has registered; the acceptor must cope.
		int port = this.server.start(StarletConfig.builder().maxWorkers(4), HELLO);
		List<CompletableFuture<Integer>> clients = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			clients.add(CompletableFuture.supplyAsync(() -> {
				int ok = 0;
				for (int i = 0; i < 250; i++) {
					try (RawClient client = new RawClient(port)) {
						if (client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status() == 200) {
							ok++;
						}
					}
					catch (IOException ex) {
						// counted as not ok
					}
				}
				return ok;
			}, this.background));
		}
		int total = 0;
		for (CompletableFuture<Integer> client : clients) {
			total += client.get(60, TimeUnit.SECONDS);
		}
		assertThat(total).isEqualTo(2000);
	}

}
