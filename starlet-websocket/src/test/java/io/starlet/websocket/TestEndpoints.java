package io.starlet.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.websocket.CloseReason;
import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;
import jakarta.websocket.EncodeException;
import jakarta.websocket.Encoder;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

/** Annotated endpoints the end-to-end tests deploy; what they see goes to {@link #events}. */
final class TestEndpoints {

	static final BlockingQueue<String> events = new LinkedBlockingQueue<>();

	private TestEndpoints() {
	}

	/** Echoes text and binary (up to 16 MiB), reports pongs and closes. */
	@ServerEndpoint(value = "/echo", subprotocols = { "chat", "superchat" })
	public static class Echo {

		@OnOpen
		public void open(Session session, EndpointConfig config) {
			events.add("open:" + session.getNegotiatedSubprotocol());
		}

		@OnMessage
		public String text(String message) {
			return message;
		}

		@OnMessage(maxMessageSize = 16 * 1024 * 1024)
		public ByteBuffer binary(ByteBuffer message) {
			return message;
		}

		@OnMessage
		public void pong(PongMessage pong) {
			events.add("pong:" + new String(pong.getApplicationData().array()));
		}

		@OnClose
		public void close(CloseReason reason) {
			events.add("close:" + reason.getCloseCode().getCode() + ":" + reason.getReasonPhrase());
		}

		@OnError
		public void error(Throwable error) {
			events.add("error:" + error.getClass().getSimpleName());
		}

	}

	@ServerEndpoint("/chat/{room}")
	public static class Room {

		@OnMessage
		public String message(String text, @PathParam("room") String room, Session session) {
			return room + ":" + text + ":" + session.getQueryString() + ":" + session.getPathParameters();
		}

	}

	@ServerEndpoint("/chat/lobby")
	public static class Lobby {

		@OnMessage
		public String message(String text) {
			return "lobby:" + text;
		}

	}

	@ServerEndpoint("/double/{n}")
	public static class Doubler {

		@OnMessage
		public long message(int text, @PathParam("n") int n) {
			return (long) text * n;
		}

	}

	public record Point(int x, int y) {
	}

	public static class PointDecoder implements Decoder.Text<Point> {

		static final AtomicInteger initialized = new AtomicInteger();

		static final AtomicInteger destroyed = new AtomicInteger();

		@Override
		public void init(EndpointConfig config) {
			initialized.incrementAndGet();
		}

		@Override
		public void destroy() {
			destroyed.incrementAndGet();
		}

		@Override
		public Point decode(String s) throws DecodeException {
			String[] parts = s.split(",");
			try {
				return new Point(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
			}
			catch (NumberFormatException ex) {
				throw new DecodeException(s, "not a point", ex);
			}
		}

		@Override
		public boolean willDecode(String s) {
			return s.contains(",");
		}

	}

	public static class PointEncoder implements Encoder.Text<Point> {

		@Override
		public String encode(Point point) throws EncodeException {
			return "(" + point.x() + "|" + point.y() + ")";
		}

	}

	public static class PointBytes implements Encoder.Binary<int[]> {

		@Override
		public ByteBuffer encode(int[] values) {
			ByteBuffer buffer = ByteBuffer.allocate(values.length * 4);
			for (int value : values) {
				buffer.putInt(value);
			}
			return buffer.flip();
		}

	}

	@ServerEndpoint(value = "/points", decoders = PointDecoder.class, encoders = { PointEncoder.class, PointBytes.class })
	public static class Points {

		@OnMessage
		public void flip(Point point, Session session) throws IOException, EncodeException {
			session.getBasicRemote().sendObject(new Point(point.y(), point.x()));
			session.getBasicRemote().sendObject(new int[] { point.x(), point.y() });
		}

		@OnError
		public void error(Session session, Throwable error) {
			session.getAsyncRemote().sendText("error:" + error.getClass().getSimpleName());
		}

	}

	/** Sends three messages asynchronously on open; "count" answers how many handlers completed OK. */
	@ServerEndpoint("/async")
	public static class Async {

		private final AtomicInteger completed = new AtomicInteger();

		@OnOpen
		public void open(Session session) {
			for (int i = 1; i <= 3; i++) {
				session.getAsyncRemote().sendText("async " + i, result -> {
					if (result.isOK()) {
						this.completed.incrementAndGet();
					}
				});
			}
		}

		@OnMessage
		public String count(String message) {
			return "completed " + this.completed.get();
		}

	}

}
