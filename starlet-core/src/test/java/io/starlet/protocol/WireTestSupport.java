package io.starlet.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.http.Fields;
import io.starlet.server.StarletServer;

/**
 * A real server on 127.0.0.1, port 0, with one worker (so "the next connection is served"
 * means the same worker survived), keep-alive allowed, and an echo handler whose behaviour the
 * request picks with an {@code X-Mode} header.
 */
abstract class WireTestSupport {

	private StarletServer server;

	/** Every request the handler saw, as "METHOD target": shows what was (not) executed. */
	final List<String> executed = new CopyOnWriteArrayList<>();

	/**
	 * Echoes "METHOD target protocol body=... trailers=... fields=N" with a Content-Length.
	 * X-Mode: {@code no-read} answers without touching the body; {@code fail} throws before
	 * reading; {@code unknown-length} writes the body without committing a length;
	 * {@code both-framing} sets Content-Length and Transfer-Encoding itself; {@code half-read}
	 * reads one byte of the body.
	 */
	final Handler echo = this::echo;

	StarletConfig.Builder config() {
		return StarletConfig.builder()
			.maxWorkers(1)
			.maxKeepaliveReqs(1000)
			.keepaliveTimeout(Duration.ofSeconds(5))
			.requestHeadTimeout(Duration.ofSeconds(5))
			.timeout(Duration.ofSeconds(5));
	}

	int start(StarletConfig.Builder config, Handler handler) throws IOException {
		this.server = new StarletServer(config.listen("127.0.0.1", 0).build(), handler);
		this.server.start();
		return this.server.port();
	}

	/** The running server's counters. */
	io.starlet.ServerStats stats() {
		return this.server.stats();
	}

	int start() throws IOException {
		return start(config(), this.echo);
	}

	@AfterEach
	void stopServer() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private void echo(Exchange exchange) throws IOException {
		this.executed.add(exchange.method() + " " + exchange.target());
		String mode = exchange.requestHeaders().get("X-Mode");
		mode = (mode != null) ? mode : "";
		if (mode.equals("fail")) {
			throw new IllegalStateException("handler failed on purpose");
		}
		String body = "";
		if (mode.equals("half-read")) {
			body = String.valueOf((char) exchange.requestBody().read());
		}
		else if (!mode.equals("no-read")) {
			InputStream in = exchange.requestBody();
			body = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
		}
		Fields trailers = exchange.requestTrailers();
		String text = exchange.method() + " " + exchange.target() + " " + exchange.protocol() + " body=" + body
				+ " trailers=" + trailers.size() + " fields=" + exchange.requestHeaders().size()
				+ ((exchange.requestHeaders().get("X-Secret") != null) ? " secret" : "");
		byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
		exchange.responseHeaders().set("Content-Type", "text/plain");
		if (mode.equals("unknown-length")) {
			exchange.responseBody().write(bytes);
			return;
		}
		if (mode.equals("both-framing")) {
			exchange.responseHeaders().set("Content-Length", "3").set("Transfer-Encoding", "chunked");
			exchange.responseBody().write(bytes);
			return;
		}
		exchange.commit(bytes.length);
		exchange.responseBody().write(bytes);
	}

}
