package io.starlet.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.Suspension;
import io.starlet.server.StarletServer;
import io.starlet.testing.Await;
import io.starlet.testing.ManualClock;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Exchange#suspend()} for a plain handler: no worker while suspended, over real sockets. */
class SuspensionTest {

	@RegisterExtension
	final TestServer server = new TestServer();

	private final AtomicReference<Suspension> held = new AtomicReference<>();

	private final AtomicReference<Exchange> heldExchange = new AtomicReference<>();

	private final List<String> events = new CopyOnWriteArrayList<>();

	private final CountDownLatch blocking = new CountDownLatch(1);

	/** Lets /block finish: it holds the only worker until the test has seen what it waits for. */
	private final CountDownLatch unblock = new CountDownLatch(1);

	private final Handler handler = (exchange) -> {
		switch (exchange.path()) {
			case "/suspend" -> {
				Suspension suspension = exchange.suspend();
				suspension.onAbort((reason) -> {
					this.events.add("abort: " + reason.getMessage() + " on " + Thread.currentThread().getName());
					suspension.finish();
				});
				this.heldExchange.set(exchange);
				this.held.set(suspension);
			}
			case "/block" -> {
				this.blocking.countDown();
				this.unblock.await(30, TimeUnit.SECONDS);
				TestServer.text(exchange, "blocked");
			}
			default -> TestServer.text(exchange, "hello");
		}
	};

	private WorkerPool pool() throws ReflectiveOperationException {
		var field = StarletServer.class.getDeclaredField("pool");
		field.setAccessible(true);
		return (WorkerPool) field.get(this.server.get());
	}

	private Suspension awaitSuspended() throws Exception {
		WorkerPool pool = pool();
		Await.until("suspended", () -> this.held.get() != null && pool.suspendedRequests() == 1);
		return this.held.get();
	}

	@Test
	@Timeout(30)
	void finishFromAnotherThreadKeepsTheConnection() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(10), this.handler);
		try (RawClient client = new RawClient(port)) {
			client.send("GET /suspend HTTP/1.1\r\nHost: x\r\n\r\n");
			Suspension suspension = awaitSuspended();
			// the only worker is free
			try (RawClient other = new RawClient(port)) {
				assertThat(other.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("hello");
			}
			TestServer.text(this.heldExchange.get(), "finished");
			suspension.finish();
			RawClient.Response response = client.read();
			assertThat(response.body()).isEqualTo("finished");
			assertThat(response.header("Connection")).isNull();
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("hello");
			assertThat(pool().suspendedRequests()).isZero();
		}
	}

	@Test
	@Timeout(30)
	void resumedWorkRunsOnAWorker() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(10), this.handler);
		try (RawClient client = new RawClient(port)) {
			client.send("GET /suspend HTTP/1.1\r\nHost: x\r\n\r\n");
			Suspension suspension = awaitSuspended();
			suspension.resume(() -> {
				try {
					TestServer.text(this.heldExchange.get(), "resumed on " + Thread.currentThread().getName());
				}
				catch (IOException ex) {
					this.events.add("failed " + ex);
				}
				suspension.finish();
			});
			assertThat(client.read().body()).startsWith("resumed on starlet-worker-");
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("hello");
		}
	}

	@Test
	@Timeout(30)
	void aClientThatClosesIsNoticedWhileSuspended() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1), this.handler);
		RawClient client = new RawClient(port).send("GET /suspend HTTP/1.1\r\nHost: x\r\n\r\n");
		awaitSuspended();
		client.close();
		Await.until("aborted", () -> !this.events.isEmpty());
		assertThat(this.events).singleElement().asString()
			.startsWith("abort: the client closed the connection on starlet-worker-");
		WorkerPool pool = pool();
		Await.until("not suspended", () -> pool.suspendedRequests() == 0 && pool.isIdle());
	}

	@Test
	@Timeout(30)
	void queueTimeoutAppliesToResumedWork() throws Exception {
		assertThat(resumeAfterWaiting(Duration.ofMillis(201))).isEqualTo(503);
		Await.until("aborted", () -> !this.events.isEmpty());
		assertThat(this.events).singleElement().asString().startsWith("abort: waited longer than queue-timeout");
	}

	@Test
	@Timeout(30)
	void resumedWorkThatWaitedNoLongerThanTheQueueTimeoutRuns() throws Exception {
		assertThat(resumeAfterWaiting(Duration.ofMillis(200))).isEqualTo(200);
		assertThat(this.events).containsExactly("ran");
	}

	/**
	 * Resumes a suspended request while the only worker is busy, lets it wait {@code waited} on
	 * the server's clock (the worker that takes it checks how long it waited against a
	 * queue-timeout of 200 ms), then frees the worker: the status the client gets.
	 */
	private int resumeAfterWaiting(Duration waited) throws Exception {
		ManualClock clock = new ManualClock();
		int port = this.server.start(
				StarletConfig.builder().maxWorkers(1).queueTimeout(Duration.ofMillis(200)).clock(clock), this.handler);
		try (RawClient client = new RawClient(port); RawClient blocker = new RawClient(port)) {
			client.send("GET /suspend HTTP/1.1\r\nHost: x\r\n\r\n");
			Suspension suspension = awaitSuspended();
			blocker.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(this.blocking.await(5, TimeUnit.SECONDS)).isTrue();
			suspension.resume(() -> {
				this.events.add("ran");
				try {
					TestServer.text(this.heldExchange.get(), "ran");
				}
				catch (IOException ex) {
					this.events.add("failed " + ex);
				}
				suspension.finish();
			});
			Await.until("the resumed work queued", () -> this.server.get().stats().queuedConnections() == 1);
			clock.advance(waited);
			this.unblock.countDown();
			int status = client.read().status();
			assertThat(blocker.read().body()).isEqualTo("blocked");
			return status;
		}
	}

	@Test
	@Timeout(30)
	void aLargeBodyWrittenOffTheWorkersWaitsForASlowReader() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1), this.handler);
		int size = 8 * 1024 * 1024;
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			socket.setReceiveBufferSize(16 * 1024);
			OutputStream out = socket.getOutputStream();
			out.write("GET /suspend HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
			Suspension suspension = awaitSuspended();
			Exchange exchange = this.heldExchange.get();
			Thread writer = new Thread(() -> {
				try {
					exchange.commit(size);
					byte[] piece = new byte[64 * 1024];
					for (int written = 0; written < size; written += piece.length) {
						exchange.responseBody().write(piece);
					}
					suspension.finish();
				}
				catch (IOException ex) {
					this.events.add("write failed " + ex);
				}
			}, "app-writer");
			writer.start();
			// The reader is slow to start: the pause is what the test is about, and a loaded
			// machine can only make it longer. Real time on purpose: what fills up meanwhile is
			// the kernel's socket buffers, which no test clock drives.
			Thread.sleep(300);
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[64 * 1024];
			long total = 0;
			int n;
			String head = null;
			StringBuilder headText = new StringBuilder();
			while (head == null && (n = in.read()) >= 0) {
				headText.append((char) n);
				if (headText.toString().endsWith("\r\n\r\n")) {
					head = headText.toString();
				}
			}
			assertThat(head).contains("Content-Length: " + size);
			while (total < size && (n = in.read(buffer)) >= 0) {
				total += n;
			}
			assertThat(total).isEqualTo(size);
			writer.join(5000);
			assertThat(this.events).isEmpty();
		}
	}

}
