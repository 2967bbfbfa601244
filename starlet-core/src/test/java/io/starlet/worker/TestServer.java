package io.starlet.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;

/**
 * A {@link StarletServer} on 127.0.0.1, any port, stopped after each test. Use with
 * {@code @RegisterExtension final TestServer server = new TestServer();}.
 */
final class TestServer implements AfterEachCallback {

	/** Answers {@code Hello, World!} with a Content-Length. */
	static final Handler HELLO = exchange -> text(exchange, "Hello, World!");

	private StarletServer server;

	/** Starts a server with this configuration (plus a loopback listener); returns its port. */
	int start(StarletConfig.Builder config, Handler handler) throws IOException {
		this.server = new StarletServer(config.listen("127.0.0.1", 0).build(), handler);
		this.server.start();
		return this.server.port();
	}

	StarletServer get() {
		return this.server;
	}

	static void text(Exchange exchange, String text) throws IOException {
		byte[] body = text.getBytes(StandardCharsets.UTF_8);
		exchange.responseHeaders().set("Content-Type", "text/plain; charset=UTF-8");
		exchange.commit(body.length);
		exchange.responseBody().write(body);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (this.server != null) {
			this.server.stop();
		}
	}

}
