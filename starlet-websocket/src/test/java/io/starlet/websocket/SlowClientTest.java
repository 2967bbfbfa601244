package io.starlet.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.StarletConfig;

import static io.starlet.websocket.ClientFrames.FIN;
import static io.starlet.websocket.ClientFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading while an application thread sends to it: the blocking sends wait
 * without a worker, then the engine's write timeout closes the connection, the waiting send fails
 * with an IOException, and the endpoint sees onError and onClose 1006. Nothing hangs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowClientTest {

	static final BlockingQueue<String> events = new LinkedBlockingQueue<>();

	/** On "go", an application thread sends 1 MiB messages until a send fails (200 at most). */
	public static class Flood extends Endpoint {

		@Override
		public void onOpen(Session session, EndpointConfig config) {
			session.addMessageHandler(String.class, text -> {
				Thread sender = new Thread(() -> {
					ByteBuffer chunk = ByteBuffer.allocate(1024 * 1024);
					int sent = 0;
					try {
						for (; sent < 200; sent++) {
							session.getBasicRemote().sendBinary(chunk.duplicate());
						}
						events.add("all sent");
					}
					catch (IOException | IllegalStateException ex) {
						events.add("send failed after " + sent + ": " + ex.getClass().getSimpleName());
					}
				}, "flood");
				sender.setDaemon(true);
				sender.start();
			});
		}

		@Override
		public void onError(Session session, Throwable error) {
			events.add("error:" + error.getClass().getSimpleName());
		}

		@Override
		public void onClose(Session session, CloseReason reason) {
			events.add("close:" + reason.getCloseCode().getCode());
		}

	}

	/** Every event until one starting with {@code last} and the sender's failure came (30 s at most), in order. */
	static java.util.List<String> until(String last) throws InterruptedException {
		java.util.List<String> seen = new java.util.ArrayList<>();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (System.nanoTime() < deadline) {
			String event = events.poll(100, TimeUnit.MILLISECONDS);
			if (event != null) {
				seen.add(event);
				if (seen.stream().anyMatch(e -> e.startsWith(last))
						&& seen.stream().anyMatch(e -> e.startsWith("send failed"))) {
					return seen;
				}
			}
		}
		throw new AssertionError("events within 30 s: " + seen);
	}

	@Test
	void aClientThatStopsReadingIsClosedAfterTheWriteTimeout() throws Exception {
		try (WsServer server = WsServer.start(StarletConfig.builder().maxWorkers(2).timeout(Duration.ofSeconds(1)),
				(servlets, websocket) -> websocket.addEndpoint(ServerEndpointConfig.Builder.create(Flood.class, "/flood").build()));
				RawWsClient client = server.connect("/flood")) {
			client.send(frame(FIN | Opcode.TEXT, "go"));
			java.util.List<String> seen = until("close:");
			// The engine's write timeout, as the waiting send's IOException, onError, then onClose.
			assertThat(seen).anyMatch(event -> event.matches("send failed after \\d+: SocketTimeoutException"));
			assertThat(seen).containsSubsequence("error:SocketTimeoutException", "close:1006");
			// No worker stays held: the last callback (the onClose above) lets go of its worker
			// right after it returns, so wait for that rather than catch it mid-way.
			await().atMost(Duration.ofSeconds(20)).until(() -> server.server.stats().busyWorkers() == 0);
		}
	}

}
