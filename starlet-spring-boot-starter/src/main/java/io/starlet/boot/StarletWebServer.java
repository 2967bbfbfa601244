package io.starlet.boot;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import io.starlet.ListenBindException;
import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;
import io.starlet.servlet.ServletContainer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.web.server.GracefulShutdownCallback;
import org.springframework.boot.web.server.GracefulShutdownResult;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerException;
import org.springframework.util.StringUtils;

/**
 * A {@link WebServer} running one {@link ServletContainer} on a {@link StarletServer}.
 *
 * <p>Lifecycle, as Spring Boot drives it: created configured but unbound (the servlet context is
 * already initialised) → {@link #start()} initialises load-on-startup servlets once, binds and
 * spawns the workers → {@link #shutDownGracefully} stops accepting and drains → {@link #stop()}
 * (idempotent; aborts a drain; the server may be started again) → {@link #destroy()} ends the
 * servlet context for good. While the server runs, a non-daemon thread keeps the JVM alive, so an
 * application does not exit when its main method returns.
 */
public class StarletWebServer implements WebServer {

	private static final Log logger = LogFactory.getLog(StarletWebServer.class);

	private final Object monitor = new Object();

	private final ServletContainer container;

	private final StarletServer server;

	private final Shutdown shutdown;

	private final String contextPath;

	private boolean servletsInitialized;

	private boolean destroyed;

	private GracefulShutdown gracefulShutdown;

	private CountDownLatch keepAlive;

	/**
	 * @param container the servlet container, its context already started
	 * @param config the engine configuration
	 * @param shutdown how {@link #shutDownGracefully} behaves
	 * @param contextPath the context path, for the log ({@code ""} for the root)
	 */
	public StarletWebServer(ServletContainer container, StarletConfig config, Shutdown shutdown, String contextPath) {
		this.container = container;
		this.server = new StarletServer(config, container);
		this.shutdown = (shutdown != null) ? shutdown : Shutdown.IMMEDIATE;
		this.contextPath = contextPath;
	}

	@Override
	public void start() throws WebServerException {
		synchronized (this.monitor) {
			if (this.destroyed) {
				throw new WebServerException("Starlet web server has been destroyed and cannot be started again", null);
			}
			if (this.server.isRunning()) {
				return;
			}
			try {
				if (!this.servletsInitialized) {
					this.container.initServlets();
					this.servletsInitialized = true;
				}
				if (!isListening()) {
					logger.info("Starlet not started: server.port is negative and starlet.listen is empty");
					return;
				}
				this.server.start();
			}
			catch (Exception ex) {
				this.server.stop();
				ListenBindException failed = bindFailure(ex);
				if (failed != null && failed.listen().isUnix()) {
					throw new WebServerException("Unable to start Starlet: " + failed.getMessage(), ex);
				}
				PortInUseException.throwIfPortBindingException(ex,
						() -> (failed != null) ? failed.listen().port() : -1);
				throw new WebServerException("Unable to start Starlet", ex);
			}
			keepJvmAlive();
			logger.info(startedLogMessage());
		}
	}

	private boolean isListening() {
		StarletConfig config = this.server.config();
		return !config.listen().isEmpty() || config.inheritedChannel();
	}

	/** The engine names the address it could not bind; a UNIX socket path has no port to report. */
	private static ListenBindException bindFailure(Exception failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof ListenBindException bind) {
				return bind;
			}
		}
		return null;
	}

	String startedLogMessage() {
		List<SocketAddress> addresses = this.server.boundAddresses();
		StringBuilder message = new StringBuilder("Starlet started on ");
		if (this.server.config().inheritedChannel()) {
			message.append("the inherited listening socket, ");
		}
		message.append((addresses.size() == 1) ? "port " : "ports ");
		for (int i = 0; i < addresses.size(); i++) {
			if (i > 0) {
				message.append(", ");
			}
			SocketAddress address = addresses.get(i);
			message.append((address instanceof InetSocketAddress inet) ? String.valueOf(inet.getPort()) : address)
				.append(" (http/1.1)");
		}
		message.append(" with context path '")
			.append(StringUtils.hasLength(this.contextPath) ? this.contextPath : "/")
			.append("'");
		int workers = this.server.config().maxWorkers();
		message.append((workers == 0) ? " serving on a single thread (starlet.max-workers=0)"
				: " and " + workers + ((workers == 1) ? " worker" : " workers"));
		return message.toString();
	}

	/**
	 * Worker threads may be daemons; a Boot application must not exit while its server runs, so a
	 * non-daemon thread waits until {@link #stop()}.
	 */
	private void keepJvmAlive() {
		CountDownLatch latch = new CountDownLatch(1);
		Thread thread = new Thread(() -> {
			try {
				latch.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, "starlet-keep-alive");
		thread.setDaemon(false);
		thread.start();
		this.keepAlive = latch;
	}

	@Override
	public void stop() throws WebServerException {
		GracefulShutdown drain;
		synchronized (this.monitor) {
			drain = this.gracefulShutdown;
			this.gracefulShutdown = null;
		}
		if (drain != null) {
			drain.complete(GracefulShutdownResult.REQUESTS_ACTIVE);
		}
		synchronized (this.monitor) {
			this.server.stop();
			if (this.keepAlive != null) {
				this.keepAlive.countDown();
				this.keepAlive = null;
			}
		}
	}

	@Override
	public void destroy() {
		synchronized (this.monitor) {
			stop();
			if (!this.destroyed) {
				this.destroyed = true;
				this.container.destroy();
			}
		}
	}

	/** The bound port of the first TCP listener, or -1 when not listening. */
	@Override
	public int getPort() {
		return this.server.port();
	}

	/**
	 * Stops accepting and lets the requests in flight finish (they are answered with
	 * {@code Connection: close}); the callback then gets {@link GracefulShutdownResult#IDLE}. A
	 * {@link #stop()} during the drain ends it with {@link GracefulShutdownResult#REQUESTS_ACTIVE}.
	 * With {@code server.shutdown=immediate} the callback gets
	 * {@link GracefulShutdownResult#IMMEDIATE} at once.
	 */
	@Override
	public void shutDownGracefully(GracefulShutdownCallback callback) {
		if (this.shutdown != Shutdown.GRACEFUL) {
			callback.shutdownComplete(GracefulShutdownResult.IMMEDIATE);
			return;
		}
		GracefulShutdown drain = new GracefulShutdown(callback);
		CompletableFuture<Void> drained;
		synchronized (this.monitor) {
			if (!this.server.isRunning()) {
				drained = CompletableFuture.completedFuture(null);
			}
			else {
				logger.info("Commencing graceful shutdown. Waiting for active requests to complete");
				this.gracefulShutdown = drain;
				drained = this.server.shutdownGracefully();
			}
		}
		drained.whenComplete((result, ex) -> {
			if (ex != null) {
				logger.warn("Graceful shutdown failed", ex);
			}
			drain.complete((ex != null) ? GracefulShutdownResult.REQUESTS_ACTIVE : GracefulShutdownResult.IDLE);
		});
	}

	/** The engine, for health and metrics. */
	public StarletServer getStarletServer() {
		return this.server;
	}

	/** The servlet container this server runs. */
	public ServletContainer getServletContainer() {
		return this.container;
	}

	/** One drain; whichever of its end and an abort comes first reaches the callback, once. */
	private static final class GracefulShutdown {

		private final GracefulShutdownCallback callback;

		private final AtomicBoolean completed = new AtomicBoolean();

		GracefulShutdown(GracefulShutdownCallback callback) {
			this.callback = callback;
		}

		void complete(GracefulShutdownResult result) {
			if (this.completed.compareAndSet(false, true)) {
				if (result == GracefulShutdownResult.IDLE) {
					logger.info("Graceful shutdown complete");
				}
				else {
					logger.info("Graceful shutdown aborted with one or more requests still active");
				}
				this.callback.shutdownComplete(result);
			}
		}

	}

}
