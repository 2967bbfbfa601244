package io.starlet.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's WebSocket endpoints through the JDK's WebSocket client: the echo handler, a STOMP
 * round trip through Spring's broker, and the Starlet model with 10 workers: idle sockets hold no
 * worker, and 100 sockets sending at once all get their answers.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "starlet.max-workers=10")
@Timeout(120)
class WebSocketTests {

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(20))
		.build();

	@LocalServerPort
	private int port;

	private URI ws(String path) {
		return URI.create("ws://127.0.0.1:" + this.port + path);
	}

	@Test
	void echoesTextAndBinary() throws Exception {
		WebSocketClient socket = WebSocketClient.open(this.client, ws("/ws/echo"));
		socket.sendText("héllo, wörld");
		assertThat(socket.nextText()).isEqualTo("héllo, wörld");
		byte[] bytes = new byte[60_000];
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] = (byte) i;
		}
		socket.sendBinary(bytes);
		assertThat(socket.next()).isEqualTo(bytes);
		socket.close();
		// the server answers the close handshake with the same code
		assertThat(socket.next()).isInstanceOfSatisfying(WebSocketClient.Closed.class,
				(closed) -> assertThat(closed.code()).isEqualTo(1000));
	}

	@Test
	void stompMessageReachesTheSubscriber() throws Exception {
		WebSocketClient socket = WebSocketClient.open(this.client, ws("/chat"), "v12.stomp");
		socket.sendText(stomp("CONNECT", "accept-version:1.2\nhost:localhost", ""));
		assertThat(socket.nextText()).startsWith("CONNECTED\n");
		// (the sample keeps a session's frames in order, so the subscription is in place before SEND)
		socket.sendText(stomp("SUBSCRIBE", "id:sub-0\ndestination:/topic/chat", ""));
		socket.sendText(stomp("SEND", "destination:/app/chat\ncontent-type:application/json",
				"{\"from\":\"ada\",\"text\":\"hi all\"}"));
		String message = socket.nextText();
		assertThat(message).startsWith("MESSAGE\n")
			.contains("destination:/topic/chat")
			.contains("{\"from\":\"ada\",\"text\":\"hi all\"}");
		socket.close();
	}

	private static String stomp(String command, String headers, String body) {
		return command + "\n" + headers + "\n\n" + body + "\0";
	}

	@Test
	void aThousandIdleSocketsDoNotDelayAFreshRequest() throws Exception {
		List<CompletableFuture<WebSocketClient>> opening = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			opening.add(WebSocketClient.connect(this.client, ws("/ws/echo")));
		}
		List<WebSocketClient> sockets = new ArrayList<>();
		for (CompletableFuture<WebSocketClient> future : opening) {
			sockets.add(future.get(60, TimeUnit.SECONDS));
		}
		// Each socket is open and answered, so each holds its connection on the server now.
		sockets.get(0).sendText("still here");
		assertThat(sockets.get(0).nextText()).isEqualTo("still here");

		// A fresh client on a new connection: the best of a few tries, to keep a GC pause or a
		// busy neighbour on this 2-core machine from deciding the result.
		long best = Long.MAX_VALUE;
		for (int attempt = 0; attempt < 5; attempt++) {
			long start = System.nanoTime();
			HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
			var response = fresh.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/hello"))
				.timeout(Duration.ofSeconds(10))
				.build(), BodyHandlers.ofString());
			assertThat(response.statusCode()).isLessThan(500);
			best = Math.min(best, System.nanoTime() - start);
		}
		assertThat(Duration.ofNanos(best)).isLessThan(Duration.ofMillis(100));

		// And the sockets still work.
		WebSocketClient last = sockets.get(sockets.size() - 1);
		last.sendText("last");
		assertThat(last.nextText()).isEqualTo("last");
		for (WebSocketClient socket : sockets) {
			socket.ws().abort();
		}
	}

	@Test
	void aHundredSocketsSendingAHundredMessagesEachGetEveryEcho() throws Exception {
		List<WebSocketClient> sockets = new ArrayList<>();
		List<CompletableFuture<WebSocketClient>> opening = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			opening.add(WebSocketClient.connect(this.client, ws("/ws/echo")));
		}
		for (CompletableFuture<WebSocketClient> future : opening) {
			sockets.add(future.get(60, TimeUnit.SECONDS));
		}
		ExecutorService senders = Executors.newFixedThreadPool(20);
		try {
			List<Future<Integer>> results = new ArrayList<>();
			for (int s = 0; s < sockets.size(); s++) {
				WebSocketClient socket = sockets.get(s);
				int id = s;
				results.add(senders.submit(() -> {
					int echoed = 0;
					for (int m = 0; m < 100; m++) {
						String message = "socket " + id + " message " + m;
						socket.sendText(message);
						assertThat(socket.nextText()).isEqualTo(message);
						echoed++;
					}
					return echoed;
				}));
			}
			int total = 0;
			for (Future<Integer> result : results) {
				total += result.get(100, TimeUnit.SECONDS);
			}
			assertThat(total).isEqualTo(100 * 100);
		}
		finally {
			senders.shutdownNow();
			for (WebSocketClient socket : sockets) {
				socket.ws().abort();
			}
		}
	}

}
