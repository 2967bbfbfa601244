package io.starlet.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.starlet.Handler;
import io.starlet.ListenBindException;
import io.starlet.ServerStats;
import io.starlet.StarletConfig;
import io.starlet.worker.WorkerPool;

/**
 * A Starlet HTTP/1.1 server: listeners, an acceptor and a pool of {@code max-workers} workers
 * that run one {@link Handler}.
 *
 * <pre>{@code
 * StarletServer server = new StarletServer(StarletConfig.builder().listen("127.0.0.1", 8080).build(),
 *         exchange -> exchange.responseBody().write("Hello".getBytes()));
 * server.start();
 * }</pre>
 *
 * <p>Lifecycle: {@code new} → {@link #start()} (binds, spawns workers) →
 * {@link #shutdownGracefully()} and/or {@link #stop()}. A stopped server may be started again.
 */
public final class StarletServer implements AutoCloseable {

	private final StarletConfig config;

	private final Handler handler;

	private WorkerPool pool;

	public StarletServer(StarletConfig config, Handler handler) {
		this.config = Objects.requireNonNull(config, "config");
		this.handler = Objects.requireNonNull(handler, "handler");
	}

	public StarletConfig config() {
		return this.config;
	}

	/**
	 * Binds every listener and starts the workers.
	 * @throws ListenBindException when an address cannot be bound (in use, or not on this host)
	 * @throws IOException on other listener failures
	 * @throws IllegalStateException when already running
	 */
	public synchronized void start() throws IOException {
		if (this.pool != null && this.pool.isRunning()) {
			throw new IllegalStateException("Starlet is already running");
		}
		WorkerPool newPool = new WorkerPool(this.config, this.handler);
		newPool.start();
		this.pool = newPool;
	}

	public synchronized boolean isRunning() {
		return this.pool != null && this.pool.isRunning();
	}

	/** The bound port of the first TCP listener, or -1 when not running. */
	public synchronized int port() {
		return (this.pool != null && this.pool.isRunning()) ? this.pool.port() : -1;
	}

	/** Every bound address (TCP and UNIX), empty when not running. */
	public synchronized List<SocketAddress> boundAddresses() {
		return (this.pool != null && this.pool.isRunning()) ? this.pool.boundAddresses() : List.of();
	}

	/**
	 * Stops accepting at once; requests in flight finish (with {@code Connection: close}),
	 * a request already received on a kept-alive connection is still served, idle connections
	 * are closed. The future completes when no request is active; {@link #stop()} then releases
	 * the workers.
	 */
	public synchronized CompletableFuture<Void> shutdownGracefully() {
		if (this.pool == null) {
			return CompletableFuture.completedFuture(null);
		}
		return this.pool.shutdownGracefully();
	}

	/**
	 * Stops now: closes listeners and connections and interrupts workers. Returns within about a
	 * second even when a handler is stuck. Idempotent.
	 */
	public synchronized void stop() {
		if (this.pool != null) {
			this.pool.stop();
		}
	}

	/** Retires every worker gracefully and replaces it (what SIGHUP does). */
	public synchronized void recycleWorkers() {
		if (this.pool != null) {
			this.pool.recycleWorkers();
		}
	}

	/** A snapshot of the pool: workers, busy, connections, retirements. */
	public synchronized ServerStats stats() {
		return (this.pool != null) ? this.pool.stats() : ServerStats.EMPTY;
	}

	@Override
	public void close() {
		stop();
	}

}
