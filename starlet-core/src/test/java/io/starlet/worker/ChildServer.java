package io.starlet.worker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;

/**
 * A Starlet server in its own JVM, for tests of what only a process has: signals, an inherited
 * socket on fd 0, Server::Starter generations. Answers {@code pid worker} on every path. Prints
 * {@code STARTED <port>} when it serves; SIGTERM shuts it down gracefully.
 *
 * <p>Options as system properties: {@code listen} (default 127.0.0.1:0; "none" for the inherited
 * socket only), {@code workers}, {@code spawnInterval} (ms).
 */
public final class ChildServer {

	private ChildServer() {
	}

	public static void main(String[] args) throws Exception {
		StarletConfig.Builder config = StarletConfig.builder()
			.signals(true)
			.maxWorkers(Integer.getInteger("workers", 2))
			.maxReqsPerChild(1_000_000);
		String listen = System.getProperty("listen", "127.0.0.1:0");
		if (!listen.equals("none")) {
			config.listen(listen);
		}
		Long spawnInterval = Long.getLong("spawnInterval");
		if (spawnInterval != null) {
			config.spawnInterval(Duration.ofMillis(spawnInterval));
		}
		long pid = ProcessHandle.current().pid();
		// The live-worker count lets the parent test wait for spawning rather than for time.
		AtomicReference<StarletServer> self = new AtomicReference<>();
		StarletServer server = new StarletServer(config.build(), exchange -> TestServer.text(exchange,
				pid + " " + exchange.worker().name() + " " + self.get().stats().liveWorkers()));
		self.set(server);
		try {
			server.start();
		}
		catch (Exception ex) {
			System.err.println("FAILED " + ex.getMessage());
			System.exit(3);
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				server.shutdownGracefully().get(10, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				// stop anyway
			}
			server.stop();
		}));
		System.out.println("STARTED " + server.port());
		System.out.flush();
	}

}
