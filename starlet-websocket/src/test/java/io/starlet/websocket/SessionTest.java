package io.starlet.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.websocket.ServerFrames.Frame;

import static io.starlet.websocket.ClientFrames.FIN;
import static io.starlet.websocket.ClientFrames.bytes;
import static io.starlet.websocket.ClientFrames.frame;
import static io.starlet.websocket.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A session on an in-memory connection that keeps the engine's contract: messages, control
 * frames, the close handshake, violations, backpressure and timeouts, byte-exact on the wire.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionTest {

	static class Echo extends Harness.Recording {

		@Override
		void onText(Session session, String message) {
			try {
				session.getBasicRemote().sendText("echo " + message);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		@Override
		void onBinary(Session session, byte[] message) {
			try {
				session.getBasicRemote().sendBinary(ByteBuffer.wrap(message));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	@Test
	void textIsDeliveredAndEchoedInOneFrame() throws Exception {
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		assertThat(echo.next()).isEqualTo("open");
		assertThat(h.container.getOpenSessionCount()).isEqualTo(1);
		h.send(frame(FIN | Opcode.TEXT, "héllo"));
		assertThat(echo.next()).isEqualTo("text:héllo");
		List<Frame> frames = h.received();
		assertThat(frames).hasSize(1);
		assertThat(frames.get(0).fin()).isTrue();
		assertThat(frames.get(0).opcode()).isEqualTo(Opcode.TEXT);
		assertThat(frames.get(0).text()).isEqualTo("echo héllo");
		assertThat(h.container.getMessagesReceived()).isEqualTo(1);
		assertThat(h.container.getMessagesSent()).isEqualTo(1);
	}

	@Test
	void fragmentsAroundAPingMakeOneMessageAndThePingIsAnswered() throws Exception {
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		echo.next();
		h.send(frame(Opcode.TEXT, "frag"), frame(FIN | Opcode.PING, "p!"), frame(FIN | Opcode.CONTINUATION, "ment"));
		assertThat(echo.next()).isEqualTo("text:fragment");
		List<Frame> frames = h.received();
		assertThat(frames).extracting(Frame::opcode).containsExactly(Opcode.PONG, Opcode.TEXT);
		assertThat(frames.get(0).text()).isEqualTo("p!");
		assertThat(frames.get(1).text()).isEqualTo("echo fragment");
	}

	@Test
	void clientCloseIsEchoedThenTheConnectionCloses() throws Exception {
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		echo.next();
		h.send(ClientFrames.close(4000, utf8("bye")));
		assertThat(echo.next()).isEqualTo("close:4000:bye");
		List<Frame> frames = h.received();
		assertThat(frames).hasSize(1);
		assertThat(frames.get(0).opcode()).isEqualTo(Opcode.CLOSE);
		assertThat(frames.get(0).closeCode()).isEqualTo(4000);
		assertThat(h.connection.isClosed()).isTrue();
		assertThat(h.session.isOpen()).isFalse();
		assertThat(h.container.getOpenSessionCount()).isZero();
		assertThatIllegalStateException().isThrownBy(() -> h.session.getBasicRemote().sendText("late"));
	}

	@Test
	void closeWithoutCodeIsAnsweredWithoutCode() throws Exception {
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		echo.next();
		h.send(frame(FIN | Opcode.CLOSE, new byte[0]));
		assertThat(echo.next()).isEqualTo("close:1005:");
		List<Frame> frames = h.received();
		assertThat(frames.get(0).payload()).isEmpty();
	}

	@Test
	void violationsCloseWithTheirCodeAfterOnError() throws Exception {
		assertViolation(frame(FIN | Opcode.TEXT, utf8("x"), ClientFrames.Length.MINIMAL, false), 1002);
		assertViolation(frame(FIN | Opcode.TEXT, bytes(0xC0, 0xAF)), 1007);
		assertViolation(frame(FIN | 0x3, utf8("x")), 1002);
		assertViolation(frame(FIN | Opcode.CONTINUATION, utf8("x")), 1002);
		assertViolation(ClientFrames.close(1005, new byte[0]), 1002);
		assertViolation(frame(FIN | Opcode.TEXT, new byte[70 * 1024]), 1009);
	}

	private static void assertViolation(byte[] input, int code) throws Exception {
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		echo.next();
		h.send(input);
		assertThat(echo.next()).isEqualTo("error:ProtocolException");
		assertThat(echo.next()).startsWith("close:" + code + ":RFC 6455");
		List<Frame> frames = h.received();
		assertThat(frames).hasSize(1);
		assertThat(frames.get(0).closeCode()).isEqualTo(code);
		assertThat(h.connection.isClosed()).isTrue();
	}

	@Test
	void messageSizeLimitsFollowTheSession() throws Exception {
		Echo echo = new Echo() {

			@Override
			public void onOpen(Session session, EndpointConfig config) {
				super.onOpen(session, config);
				session.setMaxTextMessageBufferSize(10);
			}

		};
		Harness h = Harness.open(echo);
		echo.next();
		h.send(frame(FIN | Opcode.TEXT, "0123456789"));
		assertThat(echo.next()).isEqualTo("text:0123456789");
		h.send(frame(Opcode.TEXT, "01234"), frame(FIN | Opcode.CONTINUATION, "567890"));
		assertThat(echo.next()).isEqualTo("error:ProtocolException");
		assertThat(echo.next()).startsWith("close:1009:");
	}

	@Test
	void endOfInputWithoutCloseIs1006() throws Exception {
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		echo.next();
		h.connection.endOfInput();
		assertThat(echo.next()).isEqualTo("close:1006:Connection closed without a Close frame");
		assertThat(h.connection.isClosed()).isTrue();
	}

	@Test
	void applicationCloseSendsCodeAndReasonAndWaitsForTheClient() throws Exception {
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		echo.next();
		h.session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "no"));
		assertThat(echo.next()).isEqualTo("close:1008:no");
		Frame close = h.received().get(0);
		assertThat(close.closeCode()).isEqualTo(1008);
		assertThat(close.closeReason()).isEqualTo("no");
		assertThat(h.connection.isClosed()).isFalse();
		h.send(ClientFrames.close(1008, new byte[0]));
		assertThat(h.connection.isClosed()).isTrue();
		assertThat(h.received()).isEmpty();
		assertThat(echo.events).isEmpty();
	}

	@Test
	void unhandledMessageTypeIsRefusedWith1003() throws Exception {
		Harness.Recording textOnly = new Harness.Recording() {

			@Override
			public void onOpen(Session session, EndpointConfig config) {
				session.addMessageHandler(String.class, message -> { });
			}

		};
		Harness h = Harness.open(textOnly);
		h.send(frame(FIN | Opcode.BINARY, bytes(1, 2)));
		assertThat(textOnly.next()).startsWith("close:1003:");
		assertThat(h.received().get(0).closeCode()).isEqualTo(1003);
	}

	@Test
	void pongsReachAPongHandler() throws Exception {
		CompletableFuture<String> pong = new CompletableFuture<>();
		Harness.Recording endpoint = new Harness.Recording() {

			@Override
			public void onOpen(Session session, EndpointConfig config) {
				session.addMessageHandler(PongMessage.class,
						message -> pong.complete(new String(message.getApplicationData().array())));
			}

		};
		Harness h = Harness.open(endpoint);
		h.send(frame(FIN | Opcode.PONG, "unsolicited"));
		assertThat(pong.get(10, TimeUnit.SECONDS)).isEqualTo("unsolicited");
	}

	@Test
	void aLambdaHandlerNeedsItsTypeGiven() {
		Harness.Recording endpoint = new Harness.Recording();
		Harness.open(endpoint);
		MessageHandler.Whole<String> lambda = message -> { };
		assertThatIllegalStateException().isThrownBy(() -> endpoint.session.addMessageHandler(lambda))
			.withMessageContaining("addMessageHandler(Class, handler)");
		assertThatIllegalStateException().isThrownBy(() -> endpoint.session.addMessageHandler(String.class, lambda))
			.withMessageContaining("already registered");
	}

	@Test
	void partialSendsBecomeFragmentsAndAWholeMessageWaitsForTheLast() throws Exception {
		Harness.Recording endpoint = new Harness.Recording();
		Harness h = Harness.open(endpoint);
		h.session.getBasicRemote().sendText("a", false);
		assertThatIllegalStateException().isThrownBy(() -> h.session.getBasicRemote().sendBinary(ByteBuffer.allocate(1)));
		h.session.getBasicRemote().sendText("b", false);
		h.session.getBasicRemote().sendText("c", true);
		h.session.getBasicRemote().sendPing(ByteBuffer.wrap(utf8("hi")));
		List<Frame> frames = h.received();
		assertThat(frames).extracting(Frame::opcode)
			.containsExactly(Opcode.TEXT, Opcode.CONTINUATION, Opcode.CONTINUATION, Opcode.PING);
		assertThat(frames).extracting(Frame::fin).containsExactly(false, false, true, true);
		assertThat(h.container.getMessagesSent()).isEqualTo(1);
	}

	@Test
	void tenMegabytesFromAnApplicationThreadWaitForTheClientToRead() throws Exception {
		Harness.Recording endpoint = new Harness.Recording();
		Harness h = Harness.open(endpoint);
		byte[] big = new byte[10 * 1024 * 1024];
		for (int i = 0; i < big.length; i++) {
			big[i] = (byte) (i * 31);
		}
		CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
			try {
				h.session.getBasicRemote().sendBinary(ByteBuffer.wrap(big));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		ServerFrames frames = new ServerFrames();
		List<Frame> got = new java.util.ArrayList<>();
		long maxUnsent = 0;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (got.isEmpty() && System.nanoTime() < deadline) {
			maxUnsent = Math.max(maxUnsent, h.connection.unsent());
			got.addAll(frames.add(h.connection.take()));
		}
		sent.get(10, TimeUnit.SECONDS);
		assertThat(got).hasSize(1);
		assertThat(got.get(0).payload()).isEqualTo(big);
		// The engine's buffer never held much more than its threshold plus one chunk.
		assertThat(maxUnsent).isLessThan(h.connection.threshold + 64 * 1024);
	}

	@Test
	void aBlockingSendOnTheCallbackThreadReturnsAndGoesOutOnWritePossible() throws Exception {
		byte[] big = new byte[1024 * 1024];
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		echo.next();
		h.send(frame(FIN | Opcode.BINARY, new byte[0]));
		assertThat(echo.next()).isEqualTo("binary:0");
		h.received();
		// A 1 MiB echo from inside onMessage: the send cannot wait for onWritePossible (it runs after).
		Echo bigEcho = new Echo() {

			@Override
			void onText(Session session, String message) {
				onBinary(session, big);
			}

		};
		Harness h2 = Harness.open(bigEcho);
		bigEcho.next();
		h2.send(frame(FIN | Opcode.TEXT, "go"));
		assertThat(bigEcho.next()).isEqualTo("text:go");
		List<Frame> frames = h2.receive(1, 20_000);
		assertThat(frames).hasSize(1);
		assertThat(frames.get(0).payload()).hasSize(big.length);
	}

	@Test
	void aClientThatSendsButDoesNotReadIsNoLongerRead() throws Exception {
		Echo echo = new Echo();
		Harness h = Harness.open(echo);
		echo.next();
		byte[][] frames = new byte[100][];
		for (int i = 0; i < frames.length; i++) {
			frames[i] = frame(FIN | Opcode.BINARY, new byte[60 * 1024]);
		}
		h.send(frames);
		// The echoes stopped being read at about PAUSE_READING queued; the rest stays unread input.
		assertThat(h.connection.getInputStream().isReady()).isTrue();
		int delivered = 0;
		while (echo.events.poll() != null) {
			delivered++;
		}
		assertThat(delivered).isBetween(10, 40);
		List<Frame> echoed = h.receive(100, 20_000);
		assertThat(echoed).hasSize(100);
		assertThat(h.connection.getInputStream().isReady()).isFalse();
	}

	@Test
	void asyncSendsCompleteFuturesAndHandlersInOrder() throws Exception {
		Harness.Recording endpoint = new Harness.Recording();
		Harness h = Harness.open(endpoint);
		Future<Void> first = h.session.getAsyncRemote().sendText("one");
		AtomicReference<SendResult> result = new AtomicReference<>();
		CountDownLatch done = new CountDownLatch(1);
		h.session.getAsyncRemote().sendBinary(ByteBuffer.wrap(bytes(7)), r -> {
			result.set(r);
			done.countDown();
		});
		first.get(10, TimeUnit.SECONDS);
		assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(result.get().isOK()).isTrue();
		assertThat(h.received()).extracting(Frame::opcode).containsExactly(Opcode.TEXT, Opcode.BINARY);
	}

	@Test
	void anAsyncSendNotDoneInTimeFailsAndClosesTheConnection() throws Exception {
		Harness.Recording endpoint = new Harness.Recording();
		Harness h = Harness.open(endpoint);
		endpoint.next();
		h.session.getAsyncRemote().setSendTimeout(200);
		// The client reads nothing: 1 MiB stays above the engine's threshold.
		Future<Void> send = h.session.getAsyncRemote().sendBinary(ByteBuffer.allocate(1024 * 1024));
		assertThatThrownBy(() -> send.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(java.net.SocketTimeoutException.class);
		assertThat(h.connection.isClosed()).isTrue();
	}

	@Test
	void sendStreamAndWriterSendOneMessageInFragments() throws Exception {
		Harness.Recording endpoint = new Harness.Recording();
		Harness h = Harness.open(endpoint);
		try (java.io.OutputStream out = h.session.getBasicRemote().getSendStream()) {
			out.write(new byte[20_000]);
			out.write(1);
		}
		try (java.io.Writer writer = h.session.getBasicRemote().getSendWriter()) {
			writer.write("é".repeat(9000));
		}
		List<Frame> frames = h.received();
		assertThat(frames).extracting(Frame::opcode)
			.containsExactly(Opcode.BINARY, Opcode.CONTINUATION, Opcode.TEXT, Opcode.CONTINUATION);
		assertThat(frames.get(0).payload().length + frames.get(1).payload().length).isEqualTo(20_001);
		assertThat(frames.get(2).text() + frames.get(3).text()).isEqualTo("é".repeat(9000));
		assertThat(frames).extracting(Frame::fin).containsExactly(false, true, false, true);
	}

	@Test
	void partialHandlersGetEachMessageAsOneLastPart() throws Exception {
		List<String> parts = new java.util.concurrent.CopyOnWriteArrayList<>();
		Harness.Recording endpoint = new Harness.Recording() {

			@Override
			public void onOpen(Session session, EndpointConfig config) {
				session.addMessageHandler(new MessageHandler.Partial<String>() {

					@Override
					public void onMessage(String part, boolean last) {
						parts.add(part + ":" + last);
					}

				});
			}

		};
		Harness h = Harness.open(endpoint);
		h.send(frame(Opcode.TEXT, "a"), frame(FIN | Opcode.CONTINUATION, "b"));
		assertThat(parts).containsExactly("ab:true");
		assertThat(h.session.getMessageHandlers()).hasSize(1);
	}

	public static class Streams {

		final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

		@jakarta.websocket.OnMessage
		public void text(java.io.Reader reader, Session session) throws IOException {
			char[] buffer = new char[100];
			int n = reader.read(buffer);
			this.seen.add("reader:" + new String(buffer, 0, n) + ":" + session.getId());
		}

		@jakarta.websocket.OnMessage
		public byte[] binary(java.io.InputStream in) throws IOException {
			byte[] all = in.readAllBytes();
			this.seen.add("stream:" + all.length);
			return all;
		}

	}

	@Test
	void annotatedReaderAndInputStreamParameters() throws Exception {
		Streams streams = new Streams();
		ServerEndpointConfig config = ServerEndpointConfig.Builder.create(Streams.class, "/s").build();
		AnnotatedEndpoint endpoint = new AnnotatedEndpoint(streams, AnnotatedEndpoint.Model.of(Streams.class, List.of()));
		Harness h = new Harness(new StarletServerContainer(), endpoint, config, Map.of(), 64 * 1024);
		h.send(frame(FIN | Opcode.TEXT, "read me"), frame(FIN | Opcode.BINARY, bytes(1, 2, 3)));
		assertThat(streams.seen).containsExactly("reader:read me:1", "stream:3");
		List<Frame> frames = h.received();
		assertThat(frames).hasSize(1);
		assertThat(frames.get(0).payload()).containsExactly(1, 2, 3);
	}

	public static class BrokenDecoder implements jakarta.websocket.Decoder.Text<Integer> {

		public BrokenDecoder() {
			throw new IllegalStateException("broken on purpose");
		}

		@Override
		public Integer decode(String s) {
			return 0;
		}

		@Override
		public boolean willDecode(String s) {
			return true;
		}

	}

	@Test
	void aCodecThatCannotBeCreatedClosesWith1011BeforeOnOpen() throws Exception {
		Harness.Recording endpoint = new Harness.Recording();
		ServerEndpointConfig config = ServerEndpointConfig.Builder.create(Endpoint.class, "/broken")
			.decoders(List.of(BrokenDecoder.class))
			.build();
		Harness h = new Harness(new StarletServerContainer(), endpoint, config, Map.of(), 64 * 1024);
		assertThat(endpoint.next()).isEqualTo("close:1011:Cannot create the codecs");
		assertThat(h.received().get(0).closeCode()).isEqualTo(1011);
		assertThat(endpoint.events).doesNotContain("open");
	}

	@Test
	void aSendOnABrokenConnectionFails() throws Exception {
		Harness.Recording endpoint = new Harness.Recording();
		Harness h = Harness.open(endpoint);
		endpoint.next();
		h.session.failed(new IOException("reset"));
		assertThat(endpoint.next()).isEqualTo("error:IOException");
		assertThat(endpoint.next()).isEqualTo("close:1006:reset");
		assertThatIllegalStateException().isThrownBy(() -> h.session.getBasicRemote().sendText("x"));
	}

	@Test
	void idleSessionsAreClosedWith1001() throws Exception {
		StarletServerContainer container = new StarletServerContainer();
		container.setDefaultMaxSessionIdleTimeout(200);
		Harness.Recording endpoint = new Harness.Recording();
		Harness h = new Harness(container, endpoint,
				ServerEndpointConfig.Builder.create(Endpoint.class, "/idle").build(), Map.of(), 64 * 1024);
		assertThat(endpoint.next()).isEqualTo("open");
		long start = System.nanoTime();
		assertThat(endpoint.next()).isEqualTo("close:1001:Idle timeout of 200 ms");
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
		assertThat(h.received().get(0).closeCode()).isEqualTo(1001);
	}

	@Test
	void stopSendsGoingAwayToEverySession() throws Exception {
		StarletServerContainer container = new StarletServerContainer();
		Harness.Recording a = new Harness.Recording();
		Harness.Recording b = new Harness.Recording();
		ServerEndpointConfig config = ServerEndpointConfig.Builder.create(Endpoint.class, "/x").build();
		Harness ha = new Harness(container, a, config, Map.of(), 64 * 1024);
		Harness hb = new Harness(container, b, config, Map.of(), 64 * 1024);
		assertThat(a.session.getOpenSessions()).hasSize(2);
		container.stop();
		assertThat(a.events).contains("close:1001:Server stopping");
		assertThat(b.events).contains("close:1001:Server stopping");
		assertThat(ha.received().get(0).closeCode()).isEqualTo(1001);
		assertThat(hb.received().get(0).closeCode()).isEqualTo(1001);
		assertThat(container.getOpenSessionCount()).isZero();
		assertThatThrownBy(() -> container.addEndpoint(ServerEndpointConfig.Builder.create(Endpoint.class, "/y").build()))
			.hasMessageContaining("stopped");
	}

}
