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

	ServletServer server;

	@BeforeEach
	void clear() {
		created.clear();
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

		public Echo() {
			created.add(this);
		}

		@Override
		public void init(WebConnection wc) {
			this.connection = wc;
			this.events.add("init");
			try {
				ServletInputStream in = wc.getInputStream();
				ServletOutputStream out = wc.getOutputStream();
				in.setReadListener(new ReadListener() {

					@Override
					public void onDataAvailable() throws IOException {
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
						Echo.this.events.add("allDataRead");
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

		@Override
		public void destroy() {
			this.events.add("destroy");
			this.destroyed.countDown();
		}

	}

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
				request.upgrade(Echo.class);
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
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", this.server.port()), 2000);
		socket.setSoTimeout(10_000);
		socket.getOutputStream().write((UPGRADE_REQUEST + afterHead).getBytes(StandardCharsets.ISO_8859_1));
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
			Echo echo = created.poll(5, TimeUnit.SECONDS);
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
			Echo echo = created.poll(5, TimeUnit.SECONDS);
			assertThat(echo.destroyed.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(echo.events).containsExactly("init", "allDataRead", "destroy");
			// the server closed its side after onAllDataRead
			assertThat(client.socket().getInputStream().read()).isEqualTo(-1);
			waitFor(() -> this.server.server.stats().upgradedConnections() == 0);
		}
	}

	@Test
	void aStatusOtherThan101CancelsTheUpgradeAndAnswersNormally() throws Exception {
		start(StarletConfig.builder().maxWorkers(2));
		ServletServer.RawResponse response = this.server
			.raw("GET /echo?status=200 HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade, close\r\n\r\n");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("not upgraded");
		Echo echo = created.poll(5, TimeUnit.SECONDS);
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

	private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime() - deadline).as("condition not met in time").isNegative();
			Thread.sleep(5);
		}
	}

}
