package io.starlet.websocket;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK's {@code java.net.http.WebSocket} as an independent client: text, binary, ping, the
 * close handshake with code and reason, subprotocols, and 10 MB each way with backpressure on
 * both sides (the client requests one piece at a time).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdkClientTest {

	static WsServer server;

	static final HttpClient client = HttpClient.newHttpClient();

	@BeforeAll
	static void start() throws Exception {
		server = WsServer.start(2, (servlets, websocket) -> websocket.addEndpoint(TestEndpoints.Echo.class));
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	/** Collects what the client receives; requests one piece at a time, as it consumes them. */
	static final class Collector implements WebSocket.Listener {

		final BlockingQueue<String> texts = new LinkedBlockingQueue<>();

		final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();

		final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();

		final CompletableFuture<String> closed = new CompletableFuture<>();

		private StringBuilder text = new StringBuilder();

		private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

		final AtomicLong pieces = new AtomicLong();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.text.append(data);
			if (last) {
				this.texts.add(this.text.toString());
				this.text = new StringBuilder();
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			this.pieces.incrementAndGet();
			byte[] bytes = new byte[data.remaining()];
			data.get(bytes);
			this.binary.writeBytes(bytes);
			if (last) {
				this.binaries.add(this.binary.toByteArray());
				this.binary = new java.io.ByteArrayOutputStream();
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
			byte[] bytes = new byte[message.remaining()];
			message.get(bytes);
			this.pongs.add(new String(bytes));
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(statusCode + ":" + reason);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closed.completeExceptionally(error);
		}

	}

	private static WebSocket open(Collector collector, String... subprotocols) throws Exception {
		WebSocket.Builder builder = client.newWebSocketBuilder();
		if (subprotocols.length > 0) {
			builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
		}
		return builder.buildAsync(URI.create(server.ws("/echo")), collector).get(10, TimeUnit.SECONDS);
	}

	@Test
	void textBinaryPingAndCloseWithCodeAndReason() throws Exception {
		Collector collector = new Collector();
		WebSocket ws = open(collector, "superchat", "chat");
		assertThat(ws.getSubprotocol()).isEqualTo("superchat");
		ws.sendText("Grüße ", false).get(10, TimeUnit.SECONDS);
		ws.sendText("🌍", true).get(10, TimeUnit.SECONDS);
		assertThat(collector.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("Grüße 🌍");
		ws.sendBinary(ByteBuffer.wrap(new byte[] { 1, 2, 3 }), true).get(10, TimeUnit.SECONDS);
		assertThat(collector.binaries.poll(10, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
		ws.sendPing(ByteBuffer.wrap("are you there".getBytes())).get(10, TimeUnit.SECONDS);
		assertThat(collector.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo("are you there");
		ws.sendClose(4321, "bye now").get(10, TimeUnit.SECONDS);
		assertThat(collector.closed.get(10, TimeUnit.SECONDS)).startsWith("4321:");
		ConformanceTest.expect("close:4321:bye now");
	}

	@Test
	void tenMegabytesEachWayWithBackpressure() throws Exception {
		Collector collector = new Collector();
		WebSocket ws = open(collector);
		byte[] big = new byte[10 * 1024 * 1024];
		for (int i = 0; i < big.length; i++) {
			big[i] = (byte) (i ^ (i >>> 8));
		}
		long sentBefore = server.websocket.getMessagesSent();
		ws.sendBinary(ByteBuffer.wrap(big), true).get(30, TimeUnit.SECONDS);
		byte[] echoed = collector.binaries.poll(30, TimeUnit.SECONDS);
		assertThat(echoed).isNotNull();
		assertThat(echoed.length).isEqualTo(big.length);
		assertThat(echoed).isEqualTo(big);
		// The client took it in many pieces, one request at a time: the server waited for it.
		assertThat(collector.pieces.get()).isGreaterThan(1);
		assertThat(server.websocket.getMessagesSent()).isGreaterThan(sentBefore);
		ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
		assertThat(collector.closed.get(10, TimeUnit.SECONDS)).startsWith("1000:");
	}

	@Test
	void aMessageOverTheLimitIsRefusedWith1009() throws Exception {
		Collector collector = new Collector();
		WebSocket ws = open(collector);
		ws.sendText("x".repeat(64 * 1024 + 1), true);
		assertThat(collector.closed.get(10, TimeUnit.SECONDS)).startsWith("1009:");
		assertThat(ws.isInputClosed()).isTrue();
	}

}
