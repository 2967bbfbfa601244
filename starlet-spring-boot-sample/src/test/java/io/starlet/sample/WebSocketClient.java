package io.starlet.sample;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for the tests, on the JDK's {@code java.net.http.WebSocket}: an independent
 * implementation of RFC 6455. Whole messages land in a queue; {@link #next()} waits for one.
 */
final class WebSocketClient implements WebSocket.Listener {

	/** What arrived: text as a String, binary as a byte[], or a {@link Closed}. */
	private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

	private final StringBuilder text = new StringBuilder();

	private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

	private volatile WebSocket socket;

	record Closed(int code, String reason) {
	}

	private WebSocketClient() {
	}

	/** Opens a WebSocket; completes once the server has accepted the handshake. */
	static CompletableFuture<WebSocketClient> connect(HttpClient client, URI uri, String... subprotocols) {
		WebSocketClient listener = new WebSocketClient();
		WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20));
		if (subprotocols.length > 0) {
			builder.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
		}
		return builder.buildAsync(uri, listener).thenApply((socket) -> {
			listener.socket = socket;
			return listener;
		});
	}

	static WebSocketClient open(HttpClient client, URI uri, String... subprotocols) throws Exception {
		return connect(client, uri, subprotocols).get(20, TimeUnit.SECONDS);
	}

	WebSocket ws() {
		return this.socket;
	}

	void sendText(String message) throws Exception {
		ws().sendText(message, true).get(20, TimeUnit.SECONDS);
	}

	void sendBinary(byte[] message) throws Exception {
		ws().sendBinary(ByteBuffer.wrap(message), true).get(20, TimeUnit.SECONDS);
	}

	/** The next whole message or close, waiting up to 20 s; fails the test when nothing comes. */
	Object next() throws InterruptedException {
		Object message = this.received.poll(20, TimeUnit.SECONDS);
		if (message == null) {
			throw new AssertionError("no WebSocket message within 20 s");
		}
		return message;
	}

	String nextText() throws InterruptedException {
		Object message = next();
		if (!(message instanceof String s)) {
			throw new AssertionError("expected a text message, got " + message);
		}
		return s;
	}

	void close() throws Exception {
		ws().sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(20, TimeUnit.SECONDS);
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		this.socket = webSocket;
		webSocket.request(1);
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.text.append(data);
		if (last) {
			this.received.add(this.text.toString());
			this.text.setLength(0);
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
		byte[] bytes = new byte[data.remaining()];
		data.get(bytes);
		this.binary.writeBytes(bytes);
		if (last) {
			this.received.add(this.binary.toByteArray());
			this.binary.reset();
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.received.add(new Closed(statusCode, reason));
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.received.add(new Closed(1006, String.valueOf(error)));
	}

}
