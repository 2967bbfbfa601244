package io.starlet.boot.application;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starlet.websocket.StarletServerContainer;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.standard.ServerEndpointExporter;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an application using {@code spring-boot-starter-websocket} gets on Starlet, through the
 * JDK's WebSocket client: Spring's {@code @EnableWebSocket} handlers, {@code @ServerEndpoint}
 * classes exported by {@code ServerEndpointExporter}, limits set through Spring's
 * {@code ServletServerContainerFactoryBean}, and the WebSocket meters.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { SecurityTests.WITHOUT_SECURITY,
		"server.address=127.0.0.1", "starlet.signals=false", "starlet.max-workers=2" })
@Timeout(60)
class WebSocketApplicationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private WebApplicationContext context;

	@Autowired
	private MeterRegistry registry;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@Test
	void springHandlerAnswers() throws Exception {
		Client socket = connect("/spring-echo");
		socket.ws.sendText("ping?", true).get(10, TimeUnit.SECONDS);
		assertThat(socket.next()).isEqualTo("spring: ping?");
		socket.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
	}

	@Test
	void exportedServerEndpointGetsItsPathParameter() throws Exception {
		Client socket = connect("/rooms/blue");
		socket.ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
		assertThat(socket.next()).isEqualTo("blue: hello");
		socket.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
	}

	@Test
	void limitsSetThroughSpringReachTheServer() throws Exception {
		ServerContainer container = (ServerContainer) this.context.getServletContext()
			.getAttribute(ServerContainer.class.getName());
		assertThat(container).isInstanceOf(StarletServerContainer.class);
		assertThat(container.getDefaultMaxTextMessageBufferSize()).isEqualTo(1024);
		Client socket = connect("/spring-echo");
		socket.ws.sendText("x".repeat(2000), true).get(10, TimeUnit.SECONDS);
		assertThat(socket.next()).isEqualTo("closed 1009");
	}

	@Test
	void messagesAndSessionsAreMeasured() throws Exception {
		double before = this.registry.get("starlet.websocket.messages").tag("direction", "in").functionCounter().count();
		Client socket = connect("/spring-echo");
		socket.ws.sendText("counted", true).get(10, TimeUnit.SECONDS);
		assertThat(socket.next()).isEqualTo("spring: counted");
		assertThat(this.registry.get("starlet.websocket.messages").tag("direction", "in").functionCounter().count())
			.isGreaterThanOrEqualTo(before + 1);
		assertThat(this.registry.get("starlet.websocket.messages").tag("direction", "out").functionCounter().count())
			.isGreaterThanOrEqualTo(1);
		assertThat(this.registry.get("starlet.websocket.sessions").gauge().value()).isGreaterThanOrEqualTo(1);
		socket.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
	}

	@Test
	void springNegotiatesPermessageDeflateThroughTheContainer() throws Exception {
		// Spring's handshake handler asks the container for its extensions and passes the offer on;
		// the JDK's client offers none, so this one is written by hand
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET /spring-repeat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
					+ "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
					+ "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			DataInputStream in = new DataInputStream(socket.getInputStream());
			String head = readHead(in);
			assertThat(head).startsWith("HTTP/1.1 101")
				.containsIgnoringCase("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover");
			String message = "{\"spring\":\"websocket\"}".repeat(30);
			byte[] compressed = deflate(message.getBytes(StandardCharsets.UTF_8));
			// FIN, RSV1 (compressed), text; masked with a zero key, which leaves the payload as is
			out.write(new byte[] { (byte) 0xC1, (byte) (0x80 | 126), (byte) (compressed.length >> 8),
					(byte) compressed.length, 0, 0, 0, 0 });
			out.write(compressed);
			int b0 = in.readUnsignedByte();
			assertThat(b0 & 0x40).as("the answer is compressed too (RSV1)").isEqualTo(0x40);
			int length = in.readUnsignedByte() & 0x7F;
			if (length == 126) {
				length = in.readUnsignedShort();
			}
			byte[] payload = new byte[length];
			in.readFully(payload);
			assertThat(new String(inflate(payload), StandardCharsets.UTF_8)).isEqualTo((message + "\n").repeat(3));
		}
	}

	@Test
	void sockJsServesItsHttpTransportsAndItsWebSocket() throws Exception {
		String base = "http://127.0.0.1:" + this.port + "/sockjs-echo";
		HttpResponse<String> info = this.client.send(HttpRequest.newBuilder(URI.create(base + "/info")).build(),
				BodyHandlers.ofString());
		assertThat(info.statusCode()).isEqualTo(200);
		assertThat(info.body()).contains("\"websocket\":true");
		// xhr polling: open, send, poll
		assertThat(post(base + "/000/polling/xhr", "").body()).isEqualTo("o\n");
		assertThat(post(base + "/000/polling/xhr_send", "[\"hello\"]").statusCode()).isEqualTo(204);
		assertThat(post(base + "/000/polling/xhr", "").body()).isEqualTo("a[\"sockjs: hello\"]\n");
		// xhr streaming: an async response that stays open, each message flushed as it comes
		HttpResponse<InputStream> streaming = this.client.send(
				HttpRequest.newBuilder(URI.create(base + "/000/streaming/xhr_streaming"))
					.POST(HttpRequest.BodyPublishers.noBody())
					.build(),
				BodyHandlers.ofInputStream());
		try (BufferedReader lines = new BufferedReader(new InputStreamReader(streaming.body(), StandardCharsets.UTF_8))) {
			assertThat(lines.readLine()).as("the prelude").matches("h{2048}");
			assertThat(lines.readLine()).isEqualTo("o");
			assertThat(post(base + "/000/streaming/xhr_send", "[\"streamed\"]").statusCode()).isEqualTo(204);
			assertThat(lines.readLine()).isEqualTo("a[\"sockjs: streamed\"]");
		}
		// and the WebSocket transport
		Client socket = new Client();
		socket.ws = this.client.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/sockjs-echo/000/ws/websocket"), socket)
			.get(10, TimeUnit.SECONDS);
		assertThat(socket.next()).isEqualTo("o");
		socket.ws.sendText("[\"over ws\"]", true).get(10, TimeUnit.SECONDS);
		assertThat(socket.next()).isEqualTo("a[\"sockjs: over ws\"]");
		socket.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
	}

	private HttpResponse<String> post(String uri, String body) throws Exception {
		return this.client.send(HttpRequest.newBuilder(URI.create(uri))
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.timeout(Duration.ofSeconds(10))
			.build(), BodyHandlers.ofString());
	}

	private static String readHead(DataInputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			head.append((char) in.readUnsignedByte());
		}
		return head.toString();
	}

	private static byte[] deflate(byte[] message) {
		Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
		deflater.setInput(message);
		byte[] out = new byte[message.length + 64];
		int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
		deflater.end();
		return Arrays.copyOf(out, n - 4); // without the 00 00 FF FF a message ends with (RFC 7692 §7.2.1)
	}

	private static byte[] inflate(byte[] payload) throws DataFormatException {
		Inflater inflater = new Inflater(true);
		byte[] input = Arrays.copyOf(payload, payload.length + 4);
		input[payload.length + 2] = (byte) 0xFF;
		input[payload.length + 3] = (byte) 0xFF;
		inflater.setInput(input);
		byte[] out = new byte[64 * 1024];
		int n = inflater.inflate(out);
		inflater.end();
		return Arrays.copyOf(out, n);
	}

	private Client connect(String path) throws Exception {
		Client listener = new Client();
		listener.ws = this.client.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + this.port + path), listener)
			.get(10, TimeUnit.SECONDS);
		return listener;
	}

	/** Collects whole text messages, and the close code as "closed N". */
	static final class Client implements WebSocket.Listener {

		final BlockingQueue<String> received = new LinkedBlockingQueue<>();

		private final StringBuilder text = new StringBuilder();

		WebSocket ws;

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
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.received.add("closed " + statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.received.add("error " + error);
		}

		String next() throws InterruptedException {
			String message = this.received.poll(20, TimeUnit.SECONDS);
			assertThat(message).as("a message within 20 s").isNotNull();
			return message;
		}

	}

	@ServerEndpoint("/rooms/{room}")
	public static class RoomEndpoint {

		@OnMessage
		public String onMessage(String message, @PathParam("room") String room, Session session) {
			return room + ": " + message;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebSocket
	static class Application implements WebSocketConfigurer {

		@Override
		public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
			registry.addHandler(new TextWebSocketHandler() {
				@Override
				protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
					session.sendMessage(new TextMessage("spring: " + message.getPayload()));
				}
			}, "/spring-echo");
			registry.addHandler(new TextWebSocketHandler() {
				@Override
				protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
					session.sendMessage(new TextMessage((message.getPayload() + "\n").repeat(3)));
				}
			}, "/spring-repeat");
			registry.addHandler(new TextWebSocketHandler() {
				@Override
				protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
					session.sendMessage(new TextMessage("sockjs: " + message.getPayload()));
				}
			}, "/sockjs-echo").withSockJS();
		}

		@Bean
		ServerEndpointExporter serverEndpointExporter() {
			ServerEndpointExporter exporter = new ServerEndpointExporter();
			exporter.setAnnotatedEndpointClasses(RoomEndpoint.class);
			return exporter;
		}

		@Bean
		ServletServerContainerFactoryBean webSocketContainer() {
			ServletServerContainerFactoryBean factory = new ServletServerContainerFactoryBean();
			factory.setMaxTextMessageBufferSize(1024);
			return factory;
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
