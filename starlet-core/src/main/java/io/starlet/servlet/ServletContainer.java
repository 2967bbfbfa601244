package io.starlet.servlet;

import java.net.InetAddress;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

import io.starlet.Exchange;
import io.starlet.Handler;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;

/**
 * A Servlet 6.1 container with one context, served by a {@link io.starlet.server.StarletServer}.
 *
 * <pre>{@code
 * ServletContainer container = new ServletContainer();
 * container.getServletContext().addServlet("hello", new HelloServlet()).addMapping("/hello");
 * container.startContext();
 * container.initServlets();
 * StarletServer server = new StarletServer(config, container);
 * server.start();
 * }</pre>
 *
 * <p>Lifecycle: configure (setters and {@link #getServletContext()} registrations) →
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

	private final ContainerContext context = new ContainerContext();

	private final SessionManager sessions = new SessionManager(this.context);

	private final RequestProcessor processor;

	private volatile Compression compression;

	private volatile ForwardedHeaders forwardedHeaders = ForwardedHeaders.DISABLED;

	private volatile AccessLog accessLog = new AccessLog(false);

	private volatile ExecutorService asyncExecutor;

	private volatile boolean servletsInitialized;

	private volatile boolean destroyed;

	/** What ends the upgraded connections of stopped servers, run after contextDestroyed. */
	private final java.util.List<Runnable> upgradedToEnd = new java.util.ArrayList<>();

	public ServletContainer() {
		this.processor = new RequestProcessor(this);
	}

	// --- configuration ------------------------------------------------------------------------

	/** "" for the root context, else a path such as {@code /app}: starts with '/', no trailing '/'. */
	public void setContextPath(String contextPath) {
		this.context.checkNotStarted("setContextPath");
		String path = (contextPath != null) ? contextPath : "";
		if (!path.isEmpty() && (!path.startsWith("/") || path.endsWith("/"))) {
			throw new IllegalArgumentException(
					"Context path must be empty or start with '/' and not end with '/': '" + contextPath + "'");
		}
		this.context.contextPath = path;
	}

	public void setDisplayName(String displayName) {
		this.context.displayName = displayName;
	}

	public void setClassLoader(ClassLoader classLoader) {
		this.context.classLoader = classLoader;
	}

	public void addErrorPage(int status, String location) {
		this.context.errorPages.add(status, location);
	}

	public void addErrorPage(Class<? extends Throwable> exceptionType, String location) {
		this.context.errorPages.add(Objects.requireNonNull(exceptionType, "exceptionType"), location);
	}

	/** The page for every error that no exception or status page matches. */
	public void setGlobalErrorPage(String location) {
		this.context.errorPages.setGlobal(location);
	}

	public void addMimeMapping(String extension, String mimeType) {
		this.context.mimeTypes.add(Objects.requireNonNull(extension, "extension"),
				Objects.requireNonNull(mimeType, "mimeType"));
	}

	/**
	 * Replaces the whole extension to MIME type table, the built-in entries included, with
	 * {@code mappings} (extension without the dot, case-insensitive). Without this call the
	 * container uses its own table of common web types.
	 */
	public void setMimeMappings(Map<String, String> mappings) {
		Objects.requireNonNull(mappings, "mappings").forEach((extension, mimeType) -> {
			Objects.requireNonNull(extension, "extension");
			Objects.requireNonNull(mimeType, "mimeType");
		});
		this.context.mimeTypes.replaceAll(mappings);
	}

	/** The extension to MIME type table in use: extension (lower case, no dot) to type. */
	public Map<String, String> getMimeMappings() {
		return this.context.mimeTypes.toMap();
	}

	public void addLocaleCharsetMapping(Locale locale, Charset charset) {
		this.context.localeCharsets.put(Objects.requireNonNull(locale, "locale"),
				Objects.requireNonNull(charset, "charset"));
	}

	/** Inactivity before a session expires; null, zero or negative = never. */
	public void setSessionTimeout(Duration timeout) {
		long seconds = (timeout == null || timeout.isZero() || timeout.isNegative()) ? 0 : Math.max(1, timeout.toSeconds());
		this.context.setSessionTimeoutSeconds((int) Math.min(seconds, Integer.MAX_VALUE));
	}

	/**
	 * Keeps sessions across restarts in this file: they are written when the container is
	 * destroyed and read back (then the file is deleted) when the next container with the same
	 * file starts its context. Attribute values must be {@link java.io.Serializable}; those that
	 * are not are left out with a warning. The file must be in a directory only the application
	 * can write: it is read with Java deserialization. Null (the default) keeps sessions in
	 * memory only.
	 */
	public void setSessionStore(Path file) {
		this.context.checkNotStarted("setSessionStore");
		this.sessions.setStore((file != null) ? new SessionStore(file) : null);
	}

	/** Static files are served from here (and from {@code META-INF/resources}); may be null. */
	public void setDocumentRoot(Path documentRoot) {
		this.context.documentRoot = documentRoot;
	}

	/**
	 * Whether {@code sendRedirect} may send a relative {@code Location} as given. Off by default:
	 * Servlet 6.1 makes relative targets absolute from the request's scheme, host and port (which
	 * behind a proxy are right only with forwarded headers on).
	 */
	public void setUseRelativeRedirects(boolean useRelativeRedirects) {
		this.context.useRelativeRedirects = useRelativeRedirects;
	}

	/**
	 * Whether requests no servlet is mapped to are served from the document root and
	 * {@code META-INF/resources}, by a servlet named {@code default} that
	 * {@code getNamedDispatcher("default")} finds (on by default). Off, they get 404 and there is
	 * no {@code default} servlet, as on a Tomcat context without one.
	 */
	public void setDefaultServletEnabled(boolean enabled) {
		this.context.checkNotStarted("setDefaultServletEnabled");
		this.context.defaultServletEnabled = enabled;
	}

	/** Decides the SameSite attribute of cookies that do not set one: "Lax", "Strict", "None" or null. */
	public void setCookieSameSite(Function<Cookie, String> sameSiteResolver) {
		this.context.sameSiteResolver = sameSiteResolver;
	}

	/**
	 * Gzip compression of responses whose media type is in {@code mimeTypes} ({@code text/*}
	 * style wildcards allowed), at least {@code minResponseSize} bytes long, for clients that
	 * accept gzip and whose User-Agent matches none of {@code excludedUserAgents} (regular
	 * expressions). Compressible responses carry {@code Vary: Accept-Encoding}.
	 */
	public void setCompression(boolean enabled, Collection<String> mimeTypes, int minResponseSize,
			Collection<String> excludedUserAgents) {
		this.compression = Compression.of(enabled, List.copyOf(mimeTypes), minResponseSize,
				(excludedUserAgents != null) ? List.copyOf(excludedUserAgents) : List.of());
	}

	/**
	 * Takes client address, scheme, host and port from {@code Forwarded} or
	 * {@code X-Forwarded-For/-Proto/-Host/-Port} when the peer is a trusted proxy.
	 * @param trustedProxies which peers to trust; null = loopback and private networks
	 */
	public void setForwardedHeaders(boolean enabled, Predicate<InetAddress> trustedProxies) {
		this.forwardedHeaders = enabled ? new ForwardedHeaders(true, trustedProxies) : ForwardedHeaders.DISABLED;
	}

	/** Logs each request in the combined format on the SLF4J logger {@code starlet.access}. */
	public void setAccessLogEnabled(boolean enabled) {
		this.accessLog = new AccessLog(enabled);
	}

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
	 * Stores (see {@link #setSessionStore}) or invalidates the sessions, destroys servlets and
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
		List<Runnable> actions;
		synchronized (this.upgradedToEnd) {
			actions = List.copyOf(this.upgradedToEnd);
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
		return this.compression;
	}

	ForwardedHeaders forwardedHeaders() {
		return this.forwardedHeaders;
	}

	AccessLog accessLog() {
		return this.accessLog;
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
