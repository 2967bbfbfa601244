package io.starlet.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;
import io.starlet.testing.ManualClock;

/**
 * A {@link StarletServer} on 127.0.0.1, any port, stopped after each test. Use with
 * {@code @RegisterExtension final TestServer server = new TestServer();}. Configured with a
 * {@link ManualClock}, the server re-checks its deadlines on every move of the clock, before the
 * move returns.
 */
final class TestServer implements AfterEachCallback {

	/** Answers {@code Hello, World!} with a Content-Length. */
	static final Handler HELLO = exchange -> text(exchange, "Hello, World!");

	private StarletServer server;

	/** Stops the clock's moves from reaching a stopped server. */
	private Runnable clockListener = () -> {
	};

	/** Starts a server with this configuration (plus a loopback listener); returns its port. */
	int start(StarletConfig.Builder config, Handler handler) throws IOException {
		StarletConfig built = config.listen("127.0.0.1", 0).build();
		this.server = new StarletServer(built, handler);
		this.server.start();
		if (built.clock() instanceof ManualClock clock) {
			WorkerPool pool = pool();
			this.clockListener = clock.onMove(() -> {
				try {
					pool.clockMoved();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}
		return this.server.port();
	}

	StarletServer get() {
		return this.server;
	}

	/** The engine behind the server, for its package-private hooks (not part of the API). */
	WorkerPool pool() {
		try {
			var field = StarletServer.class.getDeclaredField("pool");
			field.setAccessible(true);
			return (WorkerPool) field.get(this.server);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static void text(Exchange exchange, String text) throws IOException {
		byte[] body = text.getBytes(StandardCharsets.UTF_8);
		exchange.responseHeaders().set("Content-Type", "text/plain; charset=UTF-8");
		exchange.commit(body.length);
		exchange.responseBody().write(body);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.clockListener.run();
		if (this.server != null) {
			this.server.stop();
		}
	}

}
