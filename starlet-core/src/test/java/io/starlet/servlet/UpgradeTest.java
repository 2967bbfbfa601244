package io.starlet.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.StarletConfig;
import io.starlet.testing.Await;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HTTP upgrade through the servlet container, over real sockets: the 101 head, input and output
 * of the upgraded connection, its end, and what it costs the workers.
 */
@Timeout(60)
class UpgradeTest {

	/** Handlers created by the container, in order, for the test to find. */
	static final BlockingQueue<Echo> created = new LinkedBlockingQueue<>();

	/** Every handler of the test, for the context listener. */
	static final List<Echo> allCreated = Collections.synchronizedList(new ArrayList<>());

	ServletServer server;

	@BeforeEach
	void clear() {
		created.clear();
		allCreated.clear();
		runningCallbacks.set(0);
		mostCallbacksAtOnce.set(0);
		overlaps.set(0);
		lifecycle.clear();
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.close();
		}
	}

	/** Echoes what it reads, upper-cased; records what happens to it. */
	public static class Echo implements HttpUpgradeHandler {

		final List<String> events = Collections.synchronizedList(new ArrayList<>());

		final CountDownLatch destroyed = new CountDownLatch(1);

		final CountDownLatch failed = new CountDownLatch(1);

		volatile Throwable error;

		volatile WebConnection connection;

		/** What to do besides echoing: null, "write" (from a thread of its own, then close or not). */
		volatile String mode;

		/** Bytes the "write" mode sends. */
		volatile long size;

		/** Whether the "write" mode closes the connection when done. */
		volatile boolean closeWhenWritten;

		/** Times the writing thread found the output not ready. */
		final java.util.concurrent.atomic.AtomicInteger notReady = new java.util.concurrent.atomic.AtomicInteger();

		final java.util.concurrent.Semaphore writable = new java.util.concurrent.Semaphore(0);

		/** Callbacks of this connection running now: never more than one. */
		private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();

		public Echo() {
			created.add(this);
			allCreated.add(this);
		}

		private void enter() {
			int now = this.running.incrementAndGet();
			int all = runningCallbacks.incrementAndGet();
			mostCallbacksAtOnce.accumulateAndGet(all, Math::max);
			if (now > 1) {
				overlaps.incrementAndGet();
			}
		}

		private void leave() {
			this.running.decrementAndGet();
			runningCallbacks.decrementAndGet();
		}

		@Override
		public void init(WebConnection wc) {
			this.connection = wc;
			this.events.add("init");
			try {
				ServletInputStream in = wc.getInputStream();
				ServletOutputStream out = wc.getOutputStream();
				if ("write".equals(this.mode)) {
					out.setWriteListener(new jakarta.servlet.WriteListener() {

						@Override
						public void onWritePossible() {
							Echo.this.writable.release();
						}

						@Override
						public void onError(Throwable t) {
							Echo.this.error = t;
						}

					});
					Thread writer = new Thread(() -> writeFromThread(out), "test-upgrade-writer");
					writer.setDaemon(true);
					writer.start();
				}
				in.setReadListener(new ReadListener() {

					@Override
					public void onDataAvailable() throws IOException {
						enter();
						try {
							echo(in, out);
						}
						finally {
							leave();
						}
					}

					private void echo(ServletInputStream in, ServletOutputStream out) throws IOException {
						byte[] buffer = new byte[4096];
						while (in.isReady()) {
							int n = in.read(buffer, 0, buffer.length);
							if (n <= 0) {
								break;
							}
							byte[] upper = new String(buffer, 0, n, StandardCharsets.ISO_8859_1)
								.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1);
							out.write(upper);
						}
						out.flush();
					}

					@Override
					public void onAllDataRead() throws IOException {
						enter();
						Echo.this.events.add("allDataRead");
						leave();
					}

					@Override
					public void onError(Throwable t) {
						Echo.this.error = t;
						Echo.this.events.add("error");
						Echo.this.failed.countDown();
					}

				});
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		/** Sends {@link #size} bytes of a known pattern from an application thread, with back-pressure. */
		private void writeFromThread(ServletOutputStream out) {
			byte[] chunk = new byte[16 * 1024];
			long sent = 0;
			try {
				while (sent < this.size) {
					if (!out.isReady()) {
						this.notReady.incrementAndGet();
						// onWritePossible releases it; the semaphore also counts the initial call
						while (!this.writable.tryAcquire(100, TimeUnit.MILLISECONDS)) {
							if (this.error != null || this.destroyed.getCount() == 0) {
								return;
							}
						}
						continue;
					}
					int n = (int) Math.min(chunk.length, this.size - sent);
					for (int i = 0; i < n; i++) {
						chunk[i] = pattern(sent + i);
					}
					out.write(chunk, 0, n);
					sent += n;
				}
				out.flush();
				if (this.closeWhenWritten) {
					this.connection.close();
				}
			}
			catch (Exception ex) {
				this.events.add("writer failed: " + ex);
			}
		}

		@Override
		public void destroy() {
			this.events.add("destroy");
			this.destroyed.countDown();
		}

	}

	static byte pattern(long i) {
		return (byte) ('a' + (i % 26));
	}

	static final java.util.concurrent.atomic.AtomicInteger runningCallbacks = new java.util.concurrent.atomic.AtomicInteger();

	static final java.util.concurrent.atomic.AtomicInteger mostCallbacksAtOnce = new java.util.concurrent.atomic.AtomicInteger();

	static final java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();

	static final List<String> lifecycle = Collections.synchronizedList(new ArrayList<>());

	/** Upgrades to "echo" unless ?status= says otherwise; ?async refuses after startAsync. */
	static class UpgradeServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			if (request.getParameter("async") != null) {
				AsyncContext async = request.startAsync();
				try {
					request.upgrade(Echo.class);
					response.getWriter().write("upgraded?!");
				}
				catch (IllegalStateException | jakarta.servlet.ServletException ex) {
					response.getWriter().write("refused: " + ex.getMessage());
				}
				async.complete();
				return;
			}
			try {
				Echo echo = request.upgrade(Echo.class);
				echo.mode = request.getParameter("mode");
				if (request.getParameter("size") != null) {
					echo.size = Long.parseLong(request.getParameter("size"));
				}
				echo.closeWhenWritten = request.getParameter("close") != null;
			}
			catch (jakarta.servlet.ServletException ex) {
				throw new IOException(ex);
			}
			String status = request.getParameter("status");
			if (status != null) {
				response.setStatus(Integer.parseInt(status));
				response.getWriter().write("not upgraded");
				return;
			}
			response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
			response.setHeader("Upgrade", "echo");
			response.setHeader("Connection", "Upgrade");
		}

	}

	private void start(StarletConfig.Builder config) throws Exception {
		this.server = ServletServer.start(config, (container) -> {
			var registration = container.getServletContext().addServlet("upgrade", new UpgradeServlet());
			registration.addMapping("/echo");
			registration.setAsyncSupported(true);
			container.getServletContext().addServlet("hello", new HttpServlet() {

				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
					response.getWriter().write("hello");
				}

			}).addMapping("/hello");
			container.getServletContext().addListener(new jakarta.servlet.ServletContextListener() {

				@Override
				public void contextDestroyed(jakarta.servlet.ServletContextEvent event) {
					// what a WebSocket layer does: say goodbye on every open connection
					for (Echo echo : new ArrayList<>(allCreated)) {
						if (echo.connection == null) {
							continue; // a cancelled upgrade
						}
						try {
							lifecycle.add("contextDestroyed");
							ServletOutputStream out = echo.connection.getOutputStream();
							out.write("BYE".getBytes(StandardCharsets.ISO_8859_1));
							out.flush();
						}
						catch (IOException ex) {
							lifecycle.add("goodbye failed: " + ex);
						}
					}
				}

			});
		});
	}

	private static final String UPGRADE_REQUEST = "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n";

	/** A client that upgraded: its socket and the 101 head it got. */
	record Client(Socket socket, String head) implements AutoCloseable {

		void send(String text) throws IOException {
			OutputStream out = this.socket.getOutputStream();
			out.write(text.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
		}

		/** Reads exactly {@code n} bytes. */
		String read(int n) throws IOException {
			byte[] bytes = this.socket.getInputStream().readNBytes(n);
			return new String(bytes, StandardCharsets.ISO_8859_1);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

	private Client upgrade(String afterHead) throws IOException {
		return upgrade("/echo", afterHead, 0);
	}

	private Client upgrade(String target, String afterHead, int receiveBuffer) throws IOException {
		Socket socket = new Socket();
		if (receiveBuffer > 0) {
			socket.setReceiveBufferSize(receiveBuffer);
		}
		socket.connect(new InetSocketAddress("127.0.0.1", this.server.port()), 2000);
		socket.setSoTimeout(10_000);
		socket.getOutputStream().write((UPGRADE_REQUEST.replace("/echo", target) + afterHead).getBytes(StandardCharsets.ISO_8859_1));
		socket.getOutputStream().flush();
		return new Client(socket, readHead(socket.getInputStream()));
	}

	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int c;
		while ((c = in.read()) >= 0) {
			head.write(c);
			byte[] b = head.toByteArray();
			int n = b.length;
			if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
				break;
			}
		}
		return head.toString(StandardCharsets.ISO_8859_1);
	}

	private static List<String> headerNames(String head) {
		List<String> names = new ArrayList<>();
		for (String line : head.split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon > 0) {
				names.add(line.substring(0, colon).toLowerCase(Locale.ROOT));
			}
		}
		return names;
	}

	@Test
	void switchesProtocolsWithABareHeadAndEchoesBytesSentBehindTheRequest() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		try (Client client = upgrade("pipelined")) {
			assertThat(client.head()).startsWith("HTTP/1.1 101 Switching Protocols\r\n");
			assertThat(client.head()).contains("\r\nUpgrade: echo\r\n", "\r\nConnection: Upgrade\r\n");
			assertThat(headerNames(client.head())).doesNotContain("content-length", "transfer-encoding", "content-type")
				.containsOnlyOnce("connection");
			assertThat(client.read(9)).isEqualTo("PIPELINED");
			client.send("more bytes");
			assertThat(client.read(10)).isEqualTo("MORE BYTES");
			client.send("and again");
			assertThat(client.read(9)).isEqualTo("AND AGAIN");
			Echo echo = created.poll(20, TimeUnit.SECONDS);
			assertThat(echo.events).containsExactly("init");
			assertThat(this.server.server.stats().upgradedConnections()).isEqualTo(1);
		}
	}

	@Test
	void clientEndOfInputBringsOnAllDataReadThenDestroy() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		try (Client client = upgrade("")) {
			client.send("abc");
			assertThat(client.read(3)).isEqualTo("ABC");
			client.socket().shutdownOutput();
			Echo echo = created.poll(20, TimeUnit.SECONDS);
			assertThat(echo.destroyed.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(echo.events).containsExactly("init", "allDataRead", "destroy");
			// the server closed its side after onAllDataRead
			assertThat(client.socket().getInputStream().read()).isEqualTo(-1);
			Await.until("stats.upgradedConnections() == 0", () -> this.server.server.stats().upgradedConnections() == 0);
		}
	}

	@Test
	void aStatusOtherThan101CancelsTheUpgradeAndAnswersNormally() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		ServletServer.RawResponse response = this.server
			.raw("GET /echo?status=200 HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade, close\r\n\r\n");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("not upgraded");
		Echo echo = created.poll(20, TimeUnit.SECONDS);
		assertThat(echo.events).isEmpty();
		assertThat(this.server.server.stats().upgradedConnections()).isZero();
	}

	@Test
	void upgradeIsRefusedAfterStartAsync() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		ServletServer.RawResponse response = this.server
			.raw("GET /echo?async HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: close\r\n\r\n");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).startsWith("refused: ");
		assertThat(created).isEmpty();
	}

	@Test
	void manyIdleUpgradedConnectionsHoldNoWorker() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		int clients = 200;
		List<Client> open = new ArrayList<>();
		try {
			for (int i = 0; i < clients; i++) {
				open.add(upgrade(""));
			}
			Await.until("stats.upgradedConnections() == clients", () -> this.server.server.stats().upgradedConnections() == clients);
			// all idle, none holds a worker: a fresh request is served at once
			assertThat(this.server.get("/hello").body()).isEqualTo("hello");
			assertThat(this.server.server.stats().busyWorkers()).isLessThanOrEqualTo(1);
			// every client talks at once, three rounds
			for (int round = 0; round < 3; round++) {
				for (int i = 0; i < clients; i++) {
					open.get(i).send("message " + round + " from " + i + ";");
				}
				for (int i = 0; i < clients; i++) {
					String expected = ("message " + round + " from " + i + ";").toUpperCase(Locale.ROOT);
					assertThat(open.get(i).read(expected.length())).isEqualTo(expected);
				}
				assertThat(this.server.server.stats().busyWorkers()).isLessThanOrEqualTo(2);
			}
			assertThat(mostCallbacksAtOnce.get()).isBetween(1, 2);
			assertThat(overlaps.get()).isZero();
			assertThat(this.server.server.stats().openConnections()).isGreaterThanOrEqualTo(clients);
		}
		finally {
			for (Client client : open) {
				client.close();
			}
		}
		Await.until("stats.upgradedConnections() == 0", () -> this.server.server.stats().upgradedConnections() == 0);
		Await.until("allCreated.stream().allMatch((echo) -> echo.destroyed.getCount() == 0)", () -> allCreated.stream().allMatch((echo) -> echo.destroyed.getCount() == 0));
	}

	@Test
	void closeFromAnotherThreadFlushesFirst() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		int size = 3 * 1024 * 1024 / 4;
		try (Client client = upgrade("/echo?mode=write&close&size=" + size, "", 0)) {
			byte[] body = client.socket().getInputStream().readNBytes(size + 1);
			assertThat(body).hasSize(size);
			for (int i = 0; i < size; i++) {
				if (body[i] != pattern(i)) {
					throw new AssertionError("byte " + i + " differs");
				}
			}
			Echo echo = created.poll(20, TimeUnit.SECONDS);
			assertThat(echo.destroyed.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(echo.events).containsExactly("init", "destroy");
		}
	}

	@Test
	void aBigWriteFromAnApplicationThreadArrivesWholeWithBackPressure() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		long size = 8L * 1024 * 1024;
		try (Client client = upgrade("/echo?mode=write&size=" + size, "", 64 * 1024)) {
			Echo echo = created.poll(20, TimeUnit.SECONDS);
			// not reading until the socket is full and the writer has had to wait
			Await.until("echo.notReady.get() > 0", () -> echo.notReady.get() > 0);
			InputStream in = client.socket().getInputStream();
			byte[] buffer = new byte[8192];
			long received = 0;
			while (received < size) {
				int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - received));
				assertThat(n).as("end of stream after %d bytes", received).isPositive();
				for (int i = 0; i < n; i++) {
					if (buffer[i] != pattern(received + i)) {
						throw new AssertionError("byte " + (received + i) + " differs");
					}
				}
				received += n;
			}
			// still open and echoing after the big write
			client.send("still there");
			assertThat(client.read(11)).isEqualTo("STILL THERE");
			assertThat(echo.events).containsExactly("init");
		}
	}

	@Test
	void aClientThatStopsReadingIsClosedAfterTheWriteTimeout() throws Exception {
		start(StarletConfig.builder().maxWorkers(2).timeout(java.time.Duration.ofMillis(500)));
		try (Client client = upgrade("/echo?mode=write&size=" + (256L * 1024 * 1024), "", 16 * 1024)) {
			Echo echo = created.poll(20, TimeUnit.SECONDS);
			assertThat(echo.destroyed.await(20, TimeUnit.SECONDS)).isTrue();
			assertThat(echo.error).isInstanceOf(SocketTimeoutException.class);
			assertThat(echo.events).containsSubsequence("init", "error", "destroy");
			Await.until("stats.upgradedConnections() == 0", () -> this.server.server.stats().upgradedConnections() == 0);
		}
	}

	@Test
	void stopLetsContextDestroyedSayGoodbyeThenDestroysTheHandlers() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		try (Client first = upgrade(""); Client second = upgrade("")) {
			first.send("x");
			assertThat(first.read(1)).isEqualTo("X");
			second.send("y");
			assertThat(second.read(1)).isEqualTo("Y");
			// upgraded connections are no requests in flight: a graceful shutdown drains at once
			this.server.server.shutdownGracefully().get(20, TimeUnit.SECONDS);
			this.server.close();
			this.server = null;
			assertThat(first.read(3)).isEqualTo("BYE");
			assertThat(second.read(3)).isEqualTo("BYE");
			assertThat(first.socket().getInputStream().read()).isEqualTo(-1);
			assertThat(second.socket().getInputStream().read()).isEqualTo(-1);
			for (Echo echo : allCreated) {
				assertThat(echo.destroyed.getCount()).isZero();
				assertThat(echo.events).containsExactly("init", "destroy");
			}
			assertThat(lifecycle).containsExactly("contextDestroyed", "contextDestroyed");
		}
	}

}
