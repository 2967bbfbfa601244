package io.starlet.servlet;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.StarletConfig;
import io.starlet.testing.Await;
import io.starlet.testing.RawClient;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An async request holds no worker while it is suspended: long polls and event streams outnumber
 * the workers and a fresh request is still served at once; dispatch, timeout and client-gone
 * processing run on workers, complete() from an application thread needs none, and busy workers
 * never exceed {@code max-workers}. Over real sockets.
 */
class AsyncReleaseTest {

	private ServletServer server;

	private final ScheduledExecutorService app = Executors.newScheduledThreadPool(4, (runnable) -> {
		Thread thread = new Thread(runnable, "app-thread");
		thread.setDaemon(true);
		return thread;
	});

	/** Requests started (REQUEST dispatches that went async), per path. */
	private final Map<String, AtomicInteger> started = new ConcurrentHashMap<>();

	private final List<AsyncContext> subscribers = new CopyOnWriteArrayList<>();

	private final Map<String, String> threads = new ConcurrentHashMap<>();

	private final List<String> events = new CopyOnWriteArrayList<>();

	/** The long polls' result: the test decides when it arrives, so every poll is suspended till then. */
	private final CompletableFuture<String> pollResult = new CompletableFuture<>();

	/** Servlet code running right now, and the most seen at once. */
	private final AtomicInteger running = new AtomicInteger();

	private final AtomicInteger mostRunning = new AtomicInteger();

	private final AtomicInteger mostBusy = new AtomicInteger();

	private final AtomicBoolean sampling = new AtomicBoolean();

	@AfterEach
	void stop() {
		this.sampling.set(false);
		this.app.shutdownNow();
		if (this.server != null) {
			this.server.close();
		}
	}

	private final class Listener implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			AsyncReleaseTest.this.events.add("complete");
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			AsyncReleaseTest.this.threads.put("onTimeout", Thread.currentThread().getName());
			AsyncReleaseTest.this.events.add("timeout");
		}

		@Override
		public void onError(AsyncEvent event) {
			AsyncReleaseTest.this.threads.put("onError", Thread.currentThread().getName());
			AsyncReleaseTest.this.events.add("error");
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
		}

	}

	private final class AsyncServlet extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			int now = AsyncReleaseTest.this.running.incrementAndGet();
			AsyncReleaseTest.this.mostRunning.accumulateAndGet(now, Math::max);
			// Application threads that complete or dispatch act once this call has returned, the
			// usual order, instead of after a guessed delay.
			CountDownLatch returned = new CountDownLatch(1);
			try {
				serve(request, response, returned);
			}
			finally {
				AsyncReleaseTest.this.running.decrementAndGet();
				returned.countDown();
			}
		}

		private void afterReturn(CountDownLatch returned, Runnable work) {
			AsyncReleaseTest.this.app.execute(() -> {
				try {
					if (returned.await(30, TimeUnit.SECONDS)) {
						work.run();
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}

		private void serve(HttpServletRequest request, HttpServletResponse response, CountDownLatch returned)
				throws IOException {
			String path = request.getServletPath();
			if (request.getDispatcherType() == DispatcherType.ERROR) {
				AsyncReleaseTest.this.threads.put("errorPage", Thread.currentThread().getName());
				response.getWriter().write("error page");
				return;
			}
			if (request.getDispatcherType() == DispatcherType.ASYNC) {
				AsyncReleaseTest.this.threads.put("dispatch", Thread.currentThread().getName());
				response.getWriter().write("dispatched " + request.getAttribute("result"));
				return;
			}
			if (path.equals("/hello")) {
				response.getWriter().write("hello");
				return;
			}
			AsyncContext async = request.startAsync();
			async.addListener(new Listener());
			AsyncReleaseTest.this.started.computeIfAbsent(path, (p) -> new AtomicInteger()).incrementAndGet();
			switch (path) {
				case "/poll" -> {
					// DeferredResult-style long poll: the result arrives later and is dispatched
					async.setTimeout(20_000);
					AsyncReleaseTest.this.pollResult.thenAcceptAsync((result) -> {
						async.getRequest().setAttribute("result", result);
						async.dispatch();
					}, AsyncReleaseTest.this.app);
				}
				case "/sse" -> {
					async.setTimeout(60_000);
					response.setContentType("text/event-stream");
					response.flushBuffer();
					AsyncReleaseTest.this.subscribers.add(async);
				}
				case "/complete" -> afterReturn(returned, () -> {
					try {
						async.getResponse().getWriter().write("completed");
					}
					catch (IOException ex) {
						AsyncReleaseTest.this.events.add("write failed " + ex);
					}
					AsyncReleaseTest.this.threads.put("complete", Thread.currentThread().getName());
					async.complete();
				});
				case "/dispatch" -> afterReturn(returned, () -> {
					async.getRequest().setAttribute("result", 42);
					async.dispatch();
				});
				case "/timeout" -> async.setTimeout(200);
				case "/echo" -> async.start(() -> {
					// the body read on an application thread while the request is suspended
					try {
						byte[] body = async.getRequest().getInputStream().readAllBytes();
						async.getResponse().getWriter().write("read " + body.length);
					}
					catch (IOException ex) {
						AsyncReleaseTest.this.events.add("read failed " + ex);
					}
					async.complete();
				});
				case "/hold" -> {
					async.setTimeout(60_000);
					AsyncReleaseTest.this.subscribers.add(async);
				}
				default -> throw new IllegalStateException(path);
			}
		}

	}

	private int start(int workers) throws Exception {
		this.server = ServletServer.start(StarletConfig.builder().maxWorkers(workers).maxKeepaliveReqs(100),
				(settings) -> settings.errorPage(500, "/error"), (container) -> {
					ServletContext context = container.getServletContext();
					var servlet = context.addServlet("async", new AsyncServlet());
					servlet.setAsyncSupported(true);
					servlet.addMapping("/poll", "/sse", "/complete", "/dispatch", "/timeout", "/hold", "/hello", "/echo",
							"/error");
				});
		this.sampling.set(true);
		Thread sampler = new Thread(() -> {
			while (this.sampling.get()) {
				this.mostBusy.accumulateAndGet(this.server.server.stats().busyWorkers(), Math::max);
				// the sampling interval, not a wait: the sampler only reads the gauge
				java.util.concurrent.locks.LockSupport.parkNanos(200_000);
			}
		}, "busy-sampler");
		sampler.setDaemon(true);
		sampler.start();
		return this.server.port();
	}

	private int started(String path) {
		AtomicInteger count = this.started.get(path);
		return (count != null) ? count.get() : 0;
	}

	private static long unreadByServer(RawClient client) {
		try {
			return client.unreadByServer();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private int suspendedRequests() {
		return this.server.server.stats().suspendedRequests();
	}

	@Test
	@Timeout(60)
	void fortyLongPollsOnTwoWorkersLeaveAFreshRequestServedAtOnce() throws Exception {
		int port = start(2);
		List<RawClient> polls = new ArrayList<>();
		try {
			for (int i = 0; i < 40; i++) {
				polls.add(new RawClient(port).send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"));
			}
			// 40 polls started on 2 workers: the suspended ones hold none
			Await.until("40 polls suspended", () -> started("/poll") == 40);
			Await.until("the gauge counts them", () -> suspendedRequests() == 40);
			try (RawClient client = new RawClient(port)) {
				RawClient.Response hello = client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
				assertThat(hello.status()).isEqualTo(200);
				assertThat(hello.body()).isEqualTo("hello");
			}
			// served while every poll was still suspended: their result has not arrived yet
			assertThat(suspendedRequests()).isEqualTo(40);
			this.pollResult.complete("result");
			for (RawClient poll : polls) {
				RawClient.Response response = poll.read();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.body()).isEqualTo("dispatched result");
			}
			// the connections live on
			assertThat(polls.get(0).send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("hello");
			Await.until("nothing suspended", () -> suspendedRequests() == 0);
		}
		finally {
			for (RawClient poll : polls) {
				poll.close();
			}
		}
		assertThat(this.mostRunning.get()).isLessThanOrEqualTo(2);
		assertThat(this.mostBusy.get()).isBetween(1, 2);
		assertThat(this.threads.get("dispatch")).startsWith("starlet-worker-");
	}

	@Test
	@Timeout(60)
	void twoHundredEventStreamSubscribersOnTenWorkersReceiveEveryEvent() throws Exception {
		int port = start(10);
		List<RawClient> clients = new ArrayList<>();
		try {
			for (int i = 0; i < 200; i++) {
				clients.add(new RawClient(port).send("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n"));
			}
			Await.until("200 subscribers", () -> this.subscribers.size() == 200);
			Thread producer = new Thread(() -> {
				try {
					for (int n = 1; n <= 5; n++) {
						for (AsyncContext subscriber : this.subscribers) {
							var writer = subscriber.getResponse().getWriter();
							writer.write("data: event " + n + "\n\n");
							writer.flush();
						}
					}
				}
				catch (IOException ex) {
					this.events.add("send failed " + ex);
				}
				this.subscribers.forEach(AsyncContext::complete);
			}, "producer");
			// a fresh request meanwhile
			try (RawClient fresh = new RawClient(port)) {
				assertThat(fresh.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read()
					.body()).isEqualTo("hello");
			}
			producer.start();
			for (RawClient client : clients) {
				RawClient.Response response = client.read();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.header("Content-Type")).startsWith("text/event-stream");
				assertThat(response.body()).isEqualTo(
						"data: event 1\n\ndata: event 2\n\ndata: event 3\n\ndata: event 4\n\ndata: event 5\n\n");
			}
			producer.join(10_000);
		}
		finally {
			for (RawClient client : clients) {
				client.close();
			}
		}
		assertThat(this.events).doesNotContain("error").noneMatch((e) -> e.startsWith("send failed"));
		assertThat(this.mostRunning.get()).isLessThanOrEqualTo(10);
		assertThat(this.mostBusy.get()).isLessThanOrEqualTo(10);
	}

	@Test
	@Timeout(30)
	void eventsReachTheClientAsTheyAreWritten() throws Exception {
		int port = start(1);
		try (RawClient client = new RawClient(port)) {
			client.send("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n");
			Await.until("subscribed", () -> this.subscribers.size() == 1);
			AsyncContext subscriber = this.subscribers.get(0);
			var writer = subscriber.getResponse().getWriter();
			writer.write("data: first\n\n");
			writer.flush();
			assertThat(client.readUntil("data: first\n\n")).startsWith("HTTP/1.1 200");
			// the only worker is free meanwhile
			try (RawClient fresh = new RawClient(port)) {
				assertThat(fresh.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
					.read().body()).isEqualTo("hello");
			}
			writer.write("data: second\n\n");
			writer.flush();
			assertThat(client.readUntil("data: second\n\n")).doesNotContain("data: first");
			subscriber.complete();
			assertThat(client.readUntil("0\r\n\r\n")).doesNotContain("data:");
		}
	}

	@Test
	@Timeout(30)
	void completeFromAnApplicationThreadKeepsTheConnectionForTheNextRequest() throws Exception {
		int port = start(1);
		try (RawClient client = new RawClient(port)) {
			RawClient.Response first = client.send("GET /complete HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(first.status()).isEqualTo(200);
			assertThat(first.body()).isEqualTo("completed");
			assertThat(first.header("Content-Length")).isEqualTo("9");
			assertThat(first.header("Connection")).isNull();
			assertThat(this.threads.get("complete")).isEqualTo("app-thread");
			RawClient.Response second = client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(second.body()).isEqualTo("hello");
			// pipelined behind a suspended request: kept in the buffer, answered in order
			client.send("GET /complete HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(client.read().body()).isEqualTo("completed");
			assertThat(client.read().body()).isEqualTo("hello");
		}
		assertThat(this.events).containsOnly("complete");
		assertThat(this.mostBusy.get()).isLessThanOrEqualTo(1);
	}

	@Test
	@Timeout(30)
	void requestBodiesAreReadOrDrainedOffTheWorkers() throws Exception {
		int port = start(1);
		String body = "x".repeat(200_000);
		String unread = "y".repeat(40_000);
		try (RawClient client = new RawClient(port)) {
			// read by an application thread after startAsync
			RawClient.Response echoed = client
				.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + body)
				.read();
			assertThat(echoed.body()).isEqualTo("read 200000");
			// never read: drained when complete() ends the request on the application thread
			RawClient.Response completed = client
				.send("POST /complete HTTP/1.1\r\nHost: x\r\nContent-Length: 40000\r\n\r\n" + unread)
				.read();
			assertThat(completed.body()).isEqualTo("completed");
			assertThat(client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("hello");
		}
		assertThat(this.events).noneMatch((e) -> e.startsWith("read failed"));
	}

	@Test
	@Timeout(30)
	void aRequestPipelinedWhileTheFirstIsSuspendedWaitsForIt() throws Exception {
		int port = start(1);
		try (RawClient client = new RawClient(port)) {
			client.send("GET /hold?q=1 HTTP/1.1\r\nHost: x\r\nX-Tag: first\r\n\r\n");
			Await.until("suspended", () -> started("/hold") == 1);
			// the acceptor reads this while the first request is suspended: it must neither be lost
			// nor overwrite the first request's head, which is parsed lazily from the same buffer
			client.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Tag: second\r\n\r\n");
			// The acceptor has read it once the kernel holds none of it for the server (where the
			// kernel does not say, -1, the completion may come first: that run proves less)
			Await.until("the acceptor read the pipelined request", () -> unreadByServer(client) <= 0);
			AsyncContext held = this.subscribers.get(0);
			HttpServletRequest request = (HttpServletRequest) held.getRequest();
			held.getResponse().getWriter().write(request.getHeader("X-Tag") + " " + request.getRequestURI() + "?"
					+ request.getQueryString() + " " + request.getHeader("Host"));
			held.complete();
			assertThat(client.read().body()).isEqualTo("first /hold?q=1 x");
			assertThat(client.read().body()).isEqualTo("hello");
		}
		assertThat(this.events).containsExactly("complete");
	}

	@Test
	@Timeout(30)
	void dispatchRunsOnAWorker() throws Exception {
		int port = start(2);
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET /dispatch HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(response.body()).isEqualTo("dispatched 42");
			assertThat(client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("hello");
		}
		assertThat(this.threads.get("dispatch")).startsWith("starlet-worker-");
	}

	@Test
	@Timeout(30)
	void aTimeoutRunsOnTimeoutAndTheErrorDispatchOnAWorker() throws Exception {
		int port = start(1);
		try (RawClient client = new RawClient(port)) {
			long t0 = System.nanoTime();
			RawClient.Response response = client.send("GET /timeout HTTP/1.1\r\nHost: x\r\n\r\n").read();
			long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
			assertThat(response.status()).isEqualTo(500);
			assertThat(response.body()).isEqualTo("error page");
			// The request's own 200 ms, not the container's 30 s default: not before it, and far
			// below the default (the wide margin is for a loaded machine).
			assertThat(took).isBetween(150L, 15_000L);
		}
		assertThat(this.events).containsExactly("timeout", "complete");
		assertThat(this.threads.get("onTimeout")).startsWith("starlet-worker-");
		assertThat(this.threads.get("errorPage")).startsWith("starlet-worker-");
	}

	@Test
	@Timeout(30)
	void aClientThatGoesAwayWhileSuspendedTriggersOnError() throws Exception {
		int port = start(1);
		RawClient client = new RawClient(port).send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
		Await.until("suspended", () -> started("/hold") == 1);
		Await.until("the gauge counts it", () -> suspendedRequests() == 1);
		client.close();
		Await.until("onError and onComplete", () -> this.events.contains("error") && this.events.contains("complete"));
		assertThat(this.events).containsExactly("error", "complete");
		assertThat(this.threads.get("onError")).startsWith("starlet-worker-");
		Await.until("nothing suspended", () -> suspendedRequests() == 0);
		// the worker is free
		try (RawClient fresh = new RawClient(port)) {
			assertThat(fresh.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("hello");
		}
	}

	@Test
	@Timeout(30)
	void gracefulShutdownWaitsForASuspendedRequest() throws Exception {
		int port = start(2);
		try (RawClient client = new RawClient(port)) {
			client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
			Await.until("suspended", () -> started("/hold") == 1);
			CompletableFuture<Void> drained = this.server.server.shutdownGracefully();
			Await.until("the drain began", () -> !RawClient.listening(port));
			assertThat(drained).isNotDone();
			AsyncContext held = this.subscribers.get(0);
			held.getResponse().getWriter().write("finished late");
			held.complete();
			RawClient.Response response = client.read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("finished late");
			assertThat(response.header("Connection")).isEqualTo("close");
			drained.get(20, TimeUnit.SECONDS);
		}
		assertThat(this.events).containsExactly("complete");
	}

	@Test
	@Timeout(30)
	void stopEndsASuspendedRequest() throws Exception {
		int port = start(2);
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(5000);
			socket.getOutputStream().write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
			Await.until("suspended", () -> started("/hold") == 1);
			long t0 = System.nanoTime();
			this.server.server.stop();
			// without waiting for the suspended request (which would never end by itself); the
			// wide margin is for a loaded machine, and below the test's timeout to name the fault
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(15_000);
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		assertThat(this.events).containsExactly("error", "complete");
	}

	@Test
	@Timeout(30)
	void aWriteAfterCompleteFromAnotherThreadFails() throws Exception {
		int port = start(1);
		try (RawClient client = new RawClient(port)) {
			client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
			Await.until("suspended", () -> started("/hold") == 1);
			AsyncContext held = this.subscribers.get(0);
			var out = held.getResponse().getOutputStream();
			out.write("body".getBytes(StandardCharsets.ISO_8859_1));
			held.complete();
			RawClient.Response response = client.read();
			assertThat(response.body()).isEqualTo("body");
			out.write("LATE".getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			assertThat(client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("hello");
		}
	}

}
