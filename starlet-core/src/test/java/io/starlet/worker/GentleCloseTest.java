package io.starlet.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.testing.Await;
import io.starlet.testing.ManualClock;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection the server closes while its client is still sending (a pipelined request behind a
 * response that closes, the rest of an upload the server refused) is closed gently (RFC 9112
 * §9.6): the output is shut after the response, and what the client still sends is read and
 * dropped until it closes, for 2 s and 64 MiB at most. Closed at once instead, the socket would
 * make the kernel answer with a reset, which destroys whatever of the response the client has
 * not read yet, and fails the client's own writes.
 */
@Timeout(60)
class GentleCloseTest {

	/** More than a socket holds on its way between the two ends on loopback. */
	private static final int BIG = 12 * 1024 * 1024;

	@RegisterExtension
	final TestServer server = new TestServer();

	private final List<Socket> sockets = new ArrayList<>();

	/** {@code /big}: BIG bytes of a known pattern, in one response; anything else: hello. */
	private final Handler handler = exchange -> {
		if (exchange.path().equals("/big")) {
			exchange.commit(BIG);
			OutputStream out = exchange.responseBody();
			byte[] piece = new byte[64 * 1024];
			for (int sent = 0; sent < BIG; sent += piece.length) {
				for (int i = 0; i < piece.length; i++) {
					piece[i] = pattern(sent + i);
				}
				out.write(piece);
			}
		}
		else {
			TestServer.text(exchange, "hello");
		}
	};

	@AfterEach
	void closeSockets() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "sent with it", "sent while it streams" })
	void aResponseThatClosesIsReadWholeWhenTheClientHasPipelinedAnotherRequest(String when) throws Exception {
		// the second request on a connection is its last: its response closes
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(2), this.handler);
		Socket socket = connect(port, 64 * 1024);
		send(socket, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
		InputStream in = socket.getInputStream();
		assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200 ");
		assertThat(in.readNBytes(5)).isEqualTo("hello".getBytes(StandardCharsets.ISO_8859_1));
		String next = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
		if (when.equals("sent with it")) {
			send(socket, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n" + next);
		}
		else {
			// the server has read its request: this one waits in the kernel, unread
			send(socket, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200 ");
			send(socket, next);
		}
		if (when.equals("sent with it")) {
			assertThat(RawClient.readHead(in)).startsWith("HTTP/1.1 200 ").contains("Content-Length: " + BIG)
				.contains("Connection: close");
		}
		// the client reads slowly: the server is done with the response (written, or held off the
		// worker) while most of it has still to reach the client
		Await.until("the worker done with the response", () -> this.server.get().stats().busyWorkers() == 0);
		long read = 0;
		byte[] buf = new byte[64 * 1024];
		int n;
		while ((n = in.read(buf)) > 0) {
			for (int i = 0; i < n; i++) {
				if (buf[i] != pattern((int) (read + i))) {
					throw new AssertionError("byte " + (read + i) + " differs");
				}
			}
			read += n;
		}
		assertThat(read).as("bytes of the response read before the end of stream").isEqualTo(BIG);
		socket.close();
		Await.until("the connection closed", () -> this.server.get().stats().openConnections() == 0);
	}

	@Test
	void aClientThatSendsItsWholeUploadBeforeReadingSeesTheRefusal() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxRequestBodySize(64 * 1024),
				this.handler);
		Socket socket = connect(port, 0);
		send(socket, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 512000\r\n\r\n");
		// as HttpURLConnection and many clients do: the whole body first, then the response
		OutputStream out = socket.getOutputStream();
		byte[] piece = new byte[8192];
		for (int sent = 0; sent < 512_000; sent += piece.length) {
			out.write(piece);
		}
		out.flush();
		String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
		assertThat(response).startsWith("HTTP/1.1 413 ").contains("Connection: close");
		socket.close();
		Await.until("the connection closed", () -> this.server.get().stats().openConnections() == 0);
	}

	@Test
	void aClientThatGoesOnSendingIsClosedAllTheSame() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).maxRequestBodySize(64 * 1024),
				this.handler);
		Socket socket = connect(port, 0);
		send(socket, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
		assertThat(RawClient.readHead(socket.getInputStream())).startsWith("HTTP/1.1 413 ");
		OutputStream out = socket.getOutputStream();
		byte[] piece = new byte[64 * 1024];
		assertThatThrownBy(() -> {
			for (int sent = 0; sent < 100_000_000; sent += piece.length) {
				out.write(piece);
			}
		}).as("the server stopped reading: a reset").isInstanceOf(IOException.class);
		Await.until("the connection closed", () -> this.server.get().stats().openConnections() == 0);
	}

	@Test
	void aClientThatNeitherSendsNorClosesIsClosedAfterTwoSeconds() throws Exception {
		ManualClock clock = new ManualClock();
		int port = this.server.start(StarletConfig.builder().maxWorkers(1).clock(clock), this.handler);
		Socket socket = connect(port, 0);
		// a pipelined request the response closes before: the server lingers
		send(socket, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /hel");
		String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
		assertThat(response).startsWith("HTTP/1.1 200 ").endsWith("hello");
		// the client has read to the end of stream: the server shut its output and lingers
		assertThat(this.server.get().stats().openConnections()).as("lingering").isEqualTo(1);
		clock.advance(Duration.ofMillis(1900));
		assertThat(this.server.get().stats().openConnections()).as("still lingering").isEqualTo(1);
		clock.advance(Duration.ofMillis(200));
		Await.until("the connection closed", () -> this.server.get().stats().openConnections() == 0);
	}

	private Socket connect(int port, int receiveBuffer) throws IOException {
		Socket socket = new Socket();
		if (receiveBuffer > 0) {
			socket.setReceiveBufferSize(receiveBuffer);
		}
		socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
		socket.setSoTimeout(20_000);
		this.sockets.add(socket);
		return socket;
	}

	private static void send(Socket socket, String text) throws IOException {
		socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
		socket.getOutputStream().flush();
	}

	private static byte pattern(int i) {
		return (byte) (i * 31 + (i >>> 12));
	}

}
