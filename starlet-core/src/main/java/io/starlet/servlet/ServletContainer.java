package io.starlet.servlet;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.starlet.Exchange;
import io.starlet.Handler;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;

/**
 * A Servlet 6.1 container with one context, served by a {@link io.starlet.server.StarletServer}.
 *
 * <pre>{@code
 * ServletContainer container = new ServletContainer(ContainerSettings.builder().contextPath("/app").build());
 * container.getServletContext().addServlet("hello", new HelloServlet()).addMapping("/hello");
 * container.startContext();
 * container.initServlets();
 * StarletServer server = new StarletServer(config, container);
 * server.start();
 * }</pre>
 *
 * <p>Lifecycle: configure ({@link ContainerSettings}, given once to the constructor, and
 * {@link #getServletContext()} registrations) →
 * {@link #startContext()} (context listeners, filter init; registrations are frozen) →
 * {@link #initServlets()} (load-on-startup servlets) → serve → {@link #destroy()} (servlets,
 * filters, sessions, then {@code contextDestroyed}). The server can stop and start again in
 * between without the context being destroyed.
 */
public final class ServletContainer implements Handler {

	/**
	 * Request attribute: set it to {@link Boolean#TRUE} and the worker serving the request retires
	 * after the response (Starlet's "harakiri": it answers with {@code Connection: close}, runs its
	 * child-exit hooks and is replaced), for example after a request that left a lot of garbage.
	 */
	public static final String HARAKIRI_ATTRIBUTE = "io.starlet.harakiri";

	/** Request attribute (read-only): the {@link io.starlet.WorkerInfo} of the worker serving the request. */
	public static final String WORKER_ATTRIBUTE = "io.starlet.worker";

	private final ContainerContext context;

	private final SessionManager sessions;

	private final RequestProcessor processor;

	private volatile ExecutorService asyncExecutor;

	private volatile boolean servletsInitialized;

	private volatile boolean destroyed;

	/** What ends the upgraded connections of stopped servers, run after contextDestroyed. */
	private final java.util.List<Runnable> upgradedToEnd = new java.util.ArrayList<>();

	/** A container with the default settings. */
	public ServletContainer() {
		this(ContainerSettings.builder().build());
	}

	public ServletContainer(ContainerSettings settings) {
		this.context = new ContainerContext(settings);
		this.sessions = new SessionManager(this.context,
				(settings.sessionStore() != null) ? new SessionStore(settings.sessionStore()) : null);
		this.processor = new RequestProcessor(this);
	}

	// --- configuration ------------------------------------------------------------------------

	public ContainerSettings settings() {
		return this.context.settings;
	}

	/** Where servlets, filters and listeners are registered until {@link #startContext()}. */
	public ServletContext getServletContext() {
		return this.context;
	}

	// --- lifecycle ----------------------------------------------------------------------------

	/** Runs {@code contextInitialized} and initialises the filters; registrations are frozen after it. */
	public void startContext() throws ServletException {
		if (this.destroyed) {
			throw new IllegalStateException("The servlet container has been destroyed");
		}
		withClassLoader(() -> {
			this.context.start();
			this.sessions.restore();
			return null;
		});
	}

	/** Initialises the load-on-startup servlets in order. Idempotent. */
	public void initServlets() throws ServletException {
		if (this.servletsInitialized) {
			return;
		}
		withClassLoader(() -> {
			this.context.initServlets();
			return null;
		});
		this.servletsInitialized = true;
	}

	/**
	 * Stores (see {@link ContainerSettings.Builder#sessionStore}) or invalidates the sessions, destroys servlets and
	 * filters, then runs {@code contextDestroyed}.
	 */
	public void destroy() {
		if (this.destroyed) {
			return;
		}
		this.destroyed = true;
		try {
			withClassLoader(() -> {
				this.sessions.storeOrInvalidateAll();
				this.context.destroy();
				return null;
			});
		}
		catch (ServletException ex) {
			this.context.log("Destroying the servlet context failed", ex);
		}
		endUpgradedConnections();
		ExecutorService executor = this.asyncExecutor;
		if (executor != null) {
			executor.shutdownNow();
		}
	}

	@Override
	public void handle(Exchange exchange) throws Exception {
		if (!this.context.isStarted() || this.destroyed) {
			byte[] body = "Service Unavailable\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
			exchange.setStatus(503);
			exchange.responseHeaders().set("Content-Type", "text/plain;charset=utf-8");
			exchange.commit(body.length);
			exchange.responseBody().write(body);
			return;
		}
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(this.context.getClassLoader());
		try {
			this.processor.process(exchange);
		}
		finally {
			thread.setContextClassLoader(previous);
		}
	}

	/**
	 * The server stopped: its upgraded connections (WebSocket) stay open, writable, until
	 * {@link #destroy()} has run {@code contextDestroyed} (where a WebSocket layer says goodbye);
	 * then they are flushed, closed and their handlers destroyed. After destroy, at once.
	 */
	@Override
	public void serverStopped(Runnable endUpgradedConnections) {
		synchronized (this.upgradedToEnd) {
			if (!this.destroyed) {
				this.upgradedToEnd.add(endUpgradedConnections);
				return;
			}
		}
		endUpgradedConnections.run();
	}

	private void endUpgradedConnections() {
		java.util.List<Runnable> actions;
		synchronized (this.upgradedToEnd) {
			actions = java.util.List.copyOf(this.upgradedToEnd);
			this.upgradedToEnd.clear();
		}
		for (Runnable action : actions) {
			try {
				action.run();
			}
			catch (RuntimeException ex) {
				this.context.log("Ending the upgraded connections failed", ex);
			}
		}
	}

	// --- internals ----------------------------------------------------------------------------

	private interface ServletAction {

		Void run() throws ServletException;

	}

	private void withClassLoader(ServletAction action) throws ServletException {
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(this.context.getClassLoader());
		try {
			action.run();
		}
		finally {
			thread.setContextClassLoader(previous);
		}
	}

	ContainerContext context() {
		return this.context;
	}

	SessionManager sessions() {
		return this.sessions;
	}

	Compression compression() {
		return this.context.settings.compression();
	}

	ForwardedHeaders forwardedHeaders() {
		return this.context.settings.forwardedHeaders();
	}

	AccessLog accessLog() {
		return this.context.settings.accessLog();
	}

	ExecutorService asyncExecutor() {
		ExecutorService executor = this.asyncExecutor;
		if (executor == null) {
			synchronized (this) {
				executor = this.asyncExecutor;
				if (executor == null) {
					AtomicInteger count = new AtomicInteger();
					executor = Executors.newCachedThreadPool((runnable) -> {
						Thread thread = new Thread(runnable, "starlet-async-" + count.incrementAndGet());
						thread.setDaemon(true);
						return thread;
					});
					this.asyncExecutor = executor;
				}
			}
		}
		return executor;
	}

}
