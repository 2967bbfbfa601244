package io.starlet.websocket;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;

import io.starlet.websocket.ServerFrames.Frame;

/** One session on a {@link MemoryConnection}, opened as the engine would after a 101. */
final class Harness {

	final StarletServerContainer container;

	final MemoryConnection connection;

	final WsSession session;

	private final ServerFrames frames = new ServerFrames();

	Harness(StarletServerContainer container, Endpoint endpoint, ServerEndpointConfig config,
			Map<String, String> pathParameters, int threshold) {
		this.container = container;
		this.connection = new MemoryConnection(threshold);
		WsSession.Handshaken handshaken = new WsSession.Handshaken(URI.create("ws://127.0.0.1:1/test?a=b"), "a=b",
				Map.of("a", List.of("b")), pathParameters, null, null, false, false);
		this.session = new WsSession(container, "1", endpoint, config, handshaken);
		StarletUpgradeHandler handler = new StarletUpgradeHandler();
		handler.attach(this.session);
		this.connection.callback(() -> handler.init(this.connection));
	}

	static Harness open(Endpoint endpoint) {
		return new Harness(new StarletServerContainer(), endpoint,
				ServerEndpointConfig.Builder.create(endpoint.getClass(), "/test").build(), Map.of(), 64 * 1024);
	}

	/** Client frames arrive. */
	void send(byte[]... frames) {
		this.connection.feed(frames);
	}

	/** Every frame the server wrote since the last call (the client reads them all). */
	List<Frame> received() {
		return this.frames.add(this.connection.take());
	}

	/** Reads (draining the output) until {@code count} frames came, at most for {@code timeoutMs}. */
	List<Frame> receive(int count, long timeoutMs) throws InterruptedException {
		List<Frame> all = new ArrayList<>();
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
		while (all.size() < count && System.nanoTime() < deadline) {
			List<Frame> some = received();
			all.addAll(some);
			if (some.isEmpty()) {
				Thread.onSpinWait();
			}
		}
		return all;
	}

	/** An endpoint that records what happens to it, and echoes text and binary messages. */
	static class Recording extends Endpoint {

		final BlockingQueue<String> events = new LinkedBlockingQueue<>();

		volatile Session session;

		@Override
		public void onOpen(Session session, EndpointConfig config) {
			this.session = session;
			this.events.add("open");
			session.addMessageHandler(new MessageHandler.Whole<String>() {

				@Override
				public void onMessage(String message) {
					Recording.this.events.add("text:" + message);
					onText(session, message);
				}

			});
			session.addMessageHandler(new MessageHandler.Whole<byte[]>() {

				@Override
				public void onMessage(byte[] message) {
					Recording.this.events.add("binary:" + message.length);
					onBinary(session, message);
				}

			});
		}

		void onText(Session session, String message) {
		}

		void onBinary(Session session, byte[] message) {
		}

		@Override
		public void onClose(Session session, CloseReason reason) {
			this.events.add("close:" + reason.getCloseCode().getCode() + ":" + reason.getReasonPhrase());
		}

		@Override
		public void onError(Session session, Throwable error) {
			this.events.add("error:" + error.getClass().getSimpleName());
		}

		String next() throws InterruptedException {
			String event = this.events.poll(10, TimeUnit.SECONDS);
			if (event == null) {
				throw new AssertionError("no event within 10 s");
			}
			return event;
		}

	}

}
