package io.starlet.websocket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.starlet.websocket.ServerFrames.Frame;

import static io.starlet.websocket.ClientFrames.FIN;
import static io.starlet.websocket.ClientFrames.bytes;
import static io.starlet.websocket.ClientFrames.concat;
import static io.starlet.websocket.ClientFrames.frame;
import static io.starlet.websocket.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RFC 6455 and Jakarta WebSocket conformance over real sockets, with a raw client that can break
 * every rule: the handshake, each frame rule answered with its close code and the socket closed
 * (never a hang), endpoints, path templates, codecs, async sends, idle timeout and the workers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConformanceTest {

	/** How long an effect on another thread may take: far more than a loaded machine needs. */
	private static final Duration PATIENCE = Duration.ofSeconds(20);

	static WsServer server;

	@BeforeAll
	static void start() throws Exception {
		server = WsServer.start(2, (servlets, websocket) -> {
			websocket.addEndpoint(TestEndpoints.Echo.class);
			websocket.addEndpoint(TestEndpoints.Room.class);
			websocket.addEndpoint(TestEndpoints.Lobby.class);
			websocket.addEndpoint(TestEndpoints.Doubler.class);
			websocket.addEndpoint(TestEndpoints.Points.class);
			websocket.addEndpoint(TestEndpoints.Async.class);
			websocket.addEndpoint(ServerEndpointConfig.Builder.create(Idle.class, "/idle").build());
			websocket.addEndpoint(ServerEndpointConfig.Builder.create(PlainEcho.class, "/plain-echo")
				.configurator(new ServerEndpointConfig.Configurator() {

					@Override
					public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
						return List.of(); // the standard way to turn an extension off for an endpoint
					}

				})
				.build());
			websocket.addEndpoint(ServerEndpointConfig.Builder.create(PlainEcho.class, "/stripped-echo")
				.configurator(new ServerEndpointConfig.Configurator() {

					@Override
					public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request,
							HandshakeResponse response) {
						response.getHeaders().remove("Sec-WebSocket-Extensions");
					}

				})
				.build());
			servlets.getServletContext().addServlet("spring-like", new SpringLikeServlet(websocket)).addMapping("/spring");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@BeforeEach
	void clear() {
		TestEndpoints.events.clear();
	}

	/**
	 * Waits for an endpoint event starting with {@code prefix}; others are skipped (a session of an
	 * earlier test may report its 1006 late, when the server notices its client went away).
	 */
	static String expect(String prefix) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			String event = TestEndpoints.events.poll(100, TimeUnit.MILLISECONDS);
			if (event != null && event.startsWith(prefix)) {
				return event;
			}
		}
		throw new AssertionError("no event starting with " + prefix + " within 10 s");
	}

	// --- handshake -------------------------------------------------------------------------------

	@Test
	void handshakeAnswers101WithTheAcceptKeyAndTheFirstSupportedSubprotocol() throws Exception {
		try (RawWsClient client = server.connect("/echo", "Sec-WebSocket-Protocol", "mqtt, superchat, chat",
				"Sec-WebSocket-Extensions", "permessage-deflate")) {
			assertThat(client.status).isEqualTo(101);
			assertThat(client.header("Upgrade")).isEqualToIgnoringCase("websocket");
			assertThat(client.header("Connection")).containsIgnoringCase("upgrade");
			assertThat(client.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
			assertThat(client.header("Sec-WebSocket-Protocol")).isEqualTo("superchat");
			assertThat(client.header("Sec-WebSocket-Extensions"))
				.isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
			expect("open:superchat");
		}
	}

	// --- permessage-deflate (RFC 7692) --------------------------------------------------------------

	private static final String JSON = "{\"id\":12,\"name\":\"Starlet\",\"tags\":[\"http\",\"ws\"]},".repeat(80);

	@Test
	void largeMessagesTravelCompressedBothWaysOncePermessageDeflateIsNegotiated() throws Exception {
		try (RawWsClient client = server.connect("/echo", "Sec-WebSocket-Extensions",
				"permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits")) {
			// the first offer asks for a window the server cannot promise; the second is taken
			assertThat(client.header("Sec-WebSocket-Extensions"))
				.isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
			client.send(frame(FIN | 0x40 | 0x1, ClientFrames.deflate(utf8(JSON))));
			Frame echo = client.next();
			assertThat(echo.compressed()).as("RSV1").isTrue();
			assertThat(echo.payload().length).isLessThan(JSON.length() / 10);
			assertThat(new String(ClientFrames.inflate(echo.payload()), StandardCharsets.UTF_8)).isEqualTo(JSON);
			// an uncompressed message from the client: its echo is compressed all the same
			client.send(frame(FIN | 0x1, JSON));
			assertThat(new String(ClientFrames.inflate(client.next().payload()), StandardCharsets.UTF_8)).isEqualTo(JSON);
			// a small one is not worth it, either way
			client.send(frame(FIN | 0x40 | 0x1, ClientFrames.deflate(utf8("hi"))));
			Frame small = client.next();
			assertThat(small.compressed()).isFalse();
			assertThat(small.text()).isEqualTo("hi");
			// binary too, and random bytes that do not shrink go as they are
			byte[] random = new byte[4096];
			new java.util.Random(5).nextBytes(random);
			client.send(frame(FIN | 0x2, random));
			Frame binary = client.next();
			assertThat(binary.compressed()).isFalse();
			assertThat(binary.payload()).isEqualTo(random);
		}
	}

	@Test
	void withoutPermessageDeflateNothingIsCompressedAndRsv1IsAnError() throws Exception {
		try (RawWsClient client = server.connect("/echo")) {
			assertThat(client.header("Sec-WebSocket-Extensions")).isNull();
			client.send(frame(FIN | 0x1, JSON));
			Frame echo = client.next();
			assertThat(echo.compressed()).isFalse();
			assertThat(echo.text()).isEqualTo(JSON);
			client.send(frame(FIN | 0x40 | 0x1, ClientFrames.deflate(utf8(JSON))));
			Frame close = client.next();
			assertThat(close.opcode()).isEqualTo(0x8);
			assertThat(close.closeCode()).isEqualTo(1002);
		}
	}

	/**
	 * {@code /plain-echo}'s configurator negotiates no extension; {@code /stripped-echo}'s
	 * {@code modifyHandshake} takes the extension out of the response. Either way the session
	 * runs uncompressed: what the client is told decides.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "/plain-echo", "/stripped-echo" })
	void anEndpointCanDeclinePermessageDeflate(String path) throws Exception {
		try (RawWsClient client = server.connect(path, "Sec-WebSocket-Extensions", "permessage-deflate")) {
			assertThat(client.status).isEqualTo(101);
			assertThat(client.header("Sec-WebSocket-Extensions")).isNull();
			client.send(frame(FIN | 0x1, JSON));
			Frame echo = client.next();
			assertThat(echo.compressed()).isFalse();
			assertThat(echo.text()).isEqualTo("negotiated [] " + JSON);
		}
	}

	@Test
	void permessageDeflateCanBeTurnedOffForTheWholeServer() throws Exception {
		server.websocket.setPerMessageDeflate(false);
		try (RawWsClient client = server.connect("/echo", "Sec-WebSocket-Extensions", "permessage-deflate")) {
			assertThat(client.status).isEqualTo(101);
			assertThat(client.header("Sec-WebSocket-Extensions")).isNull();
			assertThat(server.websocket.getInstalledExtensions()).isEmpty();
			client.send(frame(FIN | 0x1, JSON));
			assertThat(client.next().compressed()).isFalse();
		}
		finally {
			server.websocket.setPerMessageDeflate(true);
		}
	}

	@Test
	void aCompressedMessageThatInflatesBeyondTheLimitClosesWith1009() throws Exception {
		try (RawWsClient client = server.connect("/echo", "Sec-WebSocket-Extensions", "PerMessage-Deflate")) {
			// extension names are matched without case; 10 MB of zeros in about 10 kB: the endpoint takes text of at most 64 KiB
			client.send(frame(FIN | 0x40 | 0x1, ClientFrames.deflate(new byte[10 * 1024 * 1024])));
			Frame close = client.next();
			assertThat(close.opcode()).isEqualTo(0x8);
			assertThat(close.closeCode()).isEqualTo(1009);
			assertThat(client.closedByServer()).isTrue();
		}
	}

	@Test
	void handshakeFailuresGetTheirStatusAndNoUpgrade() throws Exception {
		try (RawWsClient client = server.connect("/echo", "Sec-WebSocket-Version", "8")) {
			// The fixed header already says 13: two values are refused like a wrong one.
			assertThat(client.status).isEqualTo(426);
			assertThat(client.header("Sec-WebSocket-Version")).isEqualTo("13");
		}
		try (RawWsClient client = RawWsClient.handshake(server.port(), "GET /echo HTTP/1.1\r\nHost: x\r\n"
				+ "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
				+ "Sec-WebSocket-Key: short\r\n\r\n")) {
			assertThat(client.status).isEqualTo(400);
		}
		try (RawWsClient client = RawWsClient.handshake(server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\n"
				+ "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
				+ "Sec-WebSocket-Key: " + RawWsClient.KEY + "\r\nContent-Length: 0\r\n\r\n")) {
			assertThat(client.status).isEqualTo(405);
			assertThat(client.header("Allow")).isEqualTo("GET");
		}
		try (RawWsClient client = server.connect("/nowhere")) {
			assertThat(client.status).isEqualTo(404);
		}
	}

	// --- frame rules -------------------------------------------------------------------------------

	static Stream<Arguments> violations() {
		byte[] bigLength = new byte[] { (byte) (FIN | Opcode.BINARY), (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0,
				0, 1, 2, 3, 4 };
		return Stream.of(
				Arguments.of("unmasked frame", frame(FIN | Opcode.TEXT, utf8("hi"), ClientFrames.Length.MINIMAL, false), 1002),
				Arguments.of("RSV1 set", frame(FIN | 0x40 | Opcode.TEXT, "hi"), 1002),
				Arguments.of("RSV3 set", frame(FIN | 0x10 | Opcode.TEXT, "hi"), 1002),
				Arguments.of("reserved opcode 0x3", frame(FIN | 0x3, "hi"), 1002),
				Arguments.of("reserved control opcode 0xB", frame(FIN | 0xB, "hi"), 1002),
				Arguments.of("64-bit length with MSB set", bigLength, 1002),
				Arguments.of("ping without FIN", frame(Opcode.PING, "hi"), 1002),
				Arguments.of("ping of 126 bytes", frame(FIN | Opcode.PING, new byte[126]), 1002),
				Arguments.of("continuation with no message", frame(FIN | Opcode.CONTINUATION, "hi"), 1002),
				Arguments.of("text while a message is open", concat(frame(Opcode.TEXT, "a"), frame(FIN | Opcode.TEXT, "b")), 1002),
				Arguments.of("close with a 1-byte payload", frame(FIN | Opcode.CLOSE, bytes(3)), 1002),
				Arguments.of("close code 1005", ClientFrames.close(1005, new byte[0]), 1002),
				Arguments.of("close code 999", ClientFrames.close(999, new byte[0]), 1002),
				Arguments.of("close code 2000", ClientFrames.close(2000, new byte[0]), 1002),
				Arguments.of("close code 5000", ClientFrames.close(5000, new byte[0]), 1002),
				Arguments.of("close reason not UTF-8", ClientFrames.close(1000, bytes(0xFF)), 1007),
				Arguments.of("text not UTF-8", frame(FIN | Opcode.TEXT, bytes(0xCE, 0xBA, 0xE1, 0xBD)), 1007),
				Arguments.of("surrogate in text", frame(FIN | Opcode.TEXT, bytes(0xED, 0xA0, 0x80)), 1007),
				Arguments.of("text ends in a code point", concat(frame(Opcode.TEXT, bytes(0xE2, 0x82)),
						frame(FIN | Opcode.CONTINUATION, new byte[0])), 1007),
				Arguments.of("text over 64 KiB", frame(FIN | Opcode.TEXT, new byte[64 * 1024 + 1]), 1009),
				Arguments.of("huge frame announced", ClientFrames.header(FIN | Opcode.BINARY, 1L << 40), 1009));
	}

	@ParameterizedTest(name = "{0} -> {2}")
	@MethodSource("violations")
	void everyFrameRuleIsAnsweredWithItsCloseCodeAndTheSocketCloses(String name, byte[] input, int code)
			throws Exception {
		try (RawWsClient client = server.connect("/echo")) {
			expect("open");
			client.send(input);
			Frame close = client.next();
			assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
			assertThat(close.closeCode()).isEqualTo(code);
			assertThat(client.closedByServer()).isTrue();
			expect("error:ProtocolException");
			expect("close:" + code + ":");
		}
	}

	// --- messages ----------------------------------------------------------------------------------

	@Test
	void fragmentsPingsAndTheCloseHandshake() throws Exception {
		try (RawWsClient client = server.connect("/echo")) {
			client.send(frame(Opcode.TEXT, "Hel"), frame(FIN | Opcode.PING, "ping"), frame(Opcode.CONTINUATION, "lo, "),
					frame(FIN | Opcode.CONTINUATION, "wörld"));
			Frame pong = client.next();
			assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
			assertThat(pong.text()).isEqualTo("ping");
			Frame text = client.next();
			assertThat(text.opcode()).isEqualTo(Opcode.TEXT);
			assertThat(text.text()).isEqualTo("Hello, wörld");
			client.send(frame(FIN | Opcode.PONG, "unsolicited"));
			client.send(ClientFrames.close(4001, utf8("done")));
			Frame close = client.next();
			assertThat(close.closeCode()).isEqualTo(4001);
			assertThat(client.closedByServer()).isTrue();
			expect("open");
			expect("pong:unsolicited");
			expect("close:4001:done");
		}
	}

	@Test
	void pathTemplatesExactPathsAndPrimitiveParameters() throws Exception {
		try (RawWsClient client = server.connect("/chat/kitchen?user=ann")) {
			client.send(frame(FIN | Opcode.TEXT, "hi"));
			assertThat(client.next().text()).isEqualTo("kitchen:hi:user=ann:{room=kitchen}");
		}
		try (RawWsClient client = server.connect("/chat/lobby")) {
			client.send(frame(FIN | Opcode.TEXT, "hi"));
			assertThat(client.next().text()).isEqualTo("lobby:hi");
		}
		try (RawWsClient client = server.connect("/double/3")) {
			client.send(frame(FIN | Opcode.TEXT, "14"));
			assertThat(client.next().text()).isEqualTo("42");
		}
	}

	@Test
	void decodersAndEncodersWithInitAndDestroy() throws Exception {
		int initialized = TestEndpoints.PointDecoder.initialized.get();
		int destroyed = TestEndpoints.PointDecoder.destroyed.get();
		try (RawWsClient client = server.connect("/points")) {
			client.send(frame(FIN | Opcode.TEXT, "1,2"));
			assertThat(client.next().text()).isEqualTo("(2|1)");
			Frame binary = client.next();
			assertThat(binary.opcode()).isEqualTo(Opcode.BINARY);
			assertThat(binary.payload()).containsExactly(0, 0, 0, 1, 0, 0, 0, 2);
			client.send(frame(FIN | Opcode.TEXT, "no comma"));
			assertThat(client.next().text()).isEqualTo("error:DecodeException");
			assertThat(TestEndpoints.PointDecoder.initialized.get()).isEqualTo(initialized + 1);
			client.send(ClientFrames.close(1000, new byte[0]));
			assertThat(client.next().closeCode()).isEqualTo(1000);
			assertThat(client.closedByServer()).isTrue();
		}
		// destroyed when the session ends on the server, which may be just after the client saw the close
		await().atMost(PATIENCE).until(() -> TestEndpoints.PointDecoder.destroyed.get() != destroyed);
		assertThat(TestEndpoints.PointDecoder.destroyed.get()).isEqualTo(destroyed + 1);
	}

	@Test
	void asyncSendsCompleteTheirHandlers() throws Exception {
		try (RawWsClient client = server.connect("/async")) {
			assertThat(client.next().text()).isEqualTo("async 1");
			assertThat(client.next().text()).isEqualTo("async 2");
			assertThat(client.next().text()).isEqualTo("async 3");
			client.send(frame(FIN | Opcode.TEXT, "count"));
			assertThat(client.next().text()).isEqualTo("completed 3");
		}
	}

	/** Echoes text with the extensions its session negotiated; its configurator declines them all. */
	public static class PlainEcho extends Endpoint {

		@Override
		public void onOpen(Session session, EndpointConfig config) {
			session.addMessageHandler(String.class,
					text -> session.getAsyncRemote().sendText("negotiated " + session.getNegotiatedExtensions() + " " + text));
		}

	}

	public static class Idle extends Endpoint {

		@Override
		public void onOpen(Session session, EndpointConfig config) {
			session.setMaxIdleTimeout(300);
			session.addMessageHandler(String.class, text -> TestEndpoints.events.add("idle-text:" + text));
		}

		@Override
		public void onClose(Session session, CloseReason reason) {
			TestEndpoints.events.add("idle-close:" + reason.getCloseCode().getCode());
		}

	}

	@Test
	void anIdleSessionIsClosedWithGoingAway() throws Exception {
		// From before the connection: the session's idle time starts after it opened. (A lower
		// bound only: a loaded machine makes the close later, never sooner.)
		long start = System.nanoTime();
		try (RawWsClient client = server.connect("/idle")) {
			Frame close = client.next();
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
			assertThat(close.closeCode()).isEqualTo(1001);
			expect("idle-close:1001");
			client.send(ClientFrames.close(1001, new byte[0]));
			assertThat(client.closedByServer()).isTrue();
		}
	}

	/** Upgrades as Spring's StandardWebSocketUpgradeStrategy does: its own config, subprotocols [null]. */
	static final class SpringLikeServlet extends HttpServlet {

		private final StarletServerContainer container;

		SpringLikeServlet(StarletServerContainer container) {
			this.container = container;
		}

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			Endpoint endpoint = new Endpoint() {

				@Override
				public void onOpen(Session session, EndpointConfig config) {
					session.addMessageHandler(new MessageHandler.Whole<String>() {

						@Override
						public void onMessage(String message) {
							session.getAsyncRemote().sendText(message + " from " + session.getRequestURI().getPath()
									+ " as " + session.getUserProperties().get("modified"));
						}

					});
				}

			};
			ServerEndpointConfig.Configurator configurator = new ServerEndpointConfig.Configurator() {

				@Override
				@SuppressWarnings("unchecked")
				public <T> T getEndpointInstance(Class<T> endpointClass) {
					return (T) endpoint;
				}

				@Override
				public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
					// The API's Configurator finds the container's default through ServiceLoader.
					super.modifyHandshake(sec, request, response);
					sec.getUserProperties().put("modified", request.getHeaders().get("X-Test"));
				}

			};
			List<String> subprotocols = new ArrayList<>();
			subprotocols.add(null);
			ServerEndpointConfig config = ServerEndpointConfig.Builder.create(endpoint.getClass(), request.getRequestURI())
				.subprotocols(subprotocols)
				.configurator(configurator)
				.build();
			try {
				this.container.upgradeHttpToWebSocket(request, response, config, Map.of());
			}
			catch (DeploymentException ex) {
				throw new IOException(ex);
			}
		}

	}

	@Test
	void upgradeHttpToWebSocketFromAServletAsSpringCallsIt() throws Exception {
		try (RawWsClient client = server.connect("/spring", "X-Test", "yes", "Sec-WebSocket-Protocol", "v12.stomp")) {
			assertThat(client.status).isEqualTo(101);
			assertThat(client.header("Sec-WebSocket-Protocol")).isNull();
			client.send(frame(FIN | Opcode.TEXT, "hello"));
			assertThat(client.next().text()).isEqualTo("hello from /spring as [yes]");
		}
	}

	@Test
	void openSocketsHoldNoWorker() throws Exception {
		List<RawWsClient> clients = new ArrayList<>();
		try {
			for (int i = 0; i < 20; i++) {
				clients.add(server.connect("/echo"));
			}
			for (int i = 0; i < clients.size(); i++) {
				clients.get(i).send(frame(FIN | Opcode.TEXT, "n" + i));
			}
			for (int i = 0; i < clients.size(); i++) {
				assertThat(clients.get(i).next().text()).isEqualTo("n" + i);
			}
			assertThat(server.server.stats().upgradedConnections()).isGreaterThanOrEqualTo(20);
			// Every socket is open and waiting, and no worker is busy: the acceptor holds them all.
			await().atMost(PATIENCE).until(() -> server.server.stats().busyWorkers() == 0);
			assertThat(server.server.stats().maxWorkers()).isEqualTo(2);
			assertThat(server.websocket.getOpenSessionCount()).isGreaterThanOrEqualTo(20);
		}
		finally {
			for (RawWsClient client : clients) {
				client.close();
			}
		}
	}

	@Test
	void stopSendsGoingAwayThenCloses() throws Exception {
		try (WsServer own = WsServer.start(2, (servlets, websocket) -> websocket.addEndpoint(TestEndpoints.Echo.class));
				RawWsClient client = own.connect("/echo")) {
			client.send(frame(FIN | Opcode.TEXT, "before"));
			assertThat(client.next().text()).isEqualTo("before");
			CompletableFuture<Void> stopping = CompletableFuture.runAsync(own::close);
			Frame close = client.next();
			assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
			assertThat(close.closeCode()).isEqualTo(1001);
			assertThat(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8))
				.isEqualTo("Server stopping");
			assertThat(client.closedByServer()).isTrue();
			stopping.get(10, TimeUnit.SECONDS);
		}
	}

}
