package io.starlet.servlet;

import java.net.InetAddress;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.servlet.http.Cookie;

import io.starlet.Clock;

/**
 * What a {@link ServletContainer} is configured with, beyond the registrations its
 * {@code ServletContext} takes: context path, error pages, MIME table, static files, session
 * store, compression, forwarded headers and the access log. Immutable: built once with
 * {@link #builder()} and given to {@link ServletContainer#ServletContainer(ContainerSettings)},
 * so every request sees the same values without locks.
 */
public final class ContainerSettings {

	private final String contextPath;

	private final String displayName;

	private final ClassLoader classLoader;

	private final ErrorPages errorPages;

	private final MimeTypes mimeTypes;

	private final Map<Locale, Charset> localeCharsets;

	private final int sessionTimeoutSeconds;

	private final Path sessionStore;

	private final Path documentRoot;

	private final boolean useRelativeRedirects;

	private final boolean defaultServletEnabled;

	private final Function<Cookie, String> sameSiteResolver;

	private final Compression compression;

	private final ForwardedHeaders forwardedHeaders;

	private final AccessLog accessLog;

	private final Clock clock;

	private ContainerSettings(Builder builder) {
		this.contextPath = builder.contextPath;
		this.displayName = builder.displayName;
		this.classLoader = builder.classLoader;
		this.errorPages = new ErrorPages(builder.exceptionPages, builder.statusPages, builder.globalErrorPage);
		this.mimeTypes = new MimeTypes(builder.mimeMappings);
		this.localeCharsets = Map.copyOf(builder.localeCharsets);
		this.sessionTimeoutSeconds = builder.sessionTimeoutSeconds;
		this.sessionStore = builder.sessionStore;
		this.documentRoot = builder.documentRoot;
		this.useRelativeRedirects = builder.useRelativeRedirects;
		this.defaultServletEnabled = builder.defaultServletEnabled;
		this.sameSiteResolver = builder.sameSiteResolver;
		this.compression = builder.compression;
		this.forwardedHeaders = builder.forwardedHeaders;
		this.clock = Objects.requireNonNull(builder.clock, "clock");
		this.accessLog = new AccessLog(builder.accessLog, this.clock);
	}

	public static Builder builder() {
		return new Builder();
	}

	/** "" for the root context, else a path such as {@code /app}. */
	public String contextPath() {
		return this.contextPath;
	}

	public String displayName() {
		return this.displayName;
	}

	/** The application's class loader; null = the thread's context class loader. */
	public ClassLoader classLoader() {
		return this.classLoader;
	}

	/** The extension to MIME type table in use: extension (lower case, no dot) to type. */
	public Map<String, String> mimeMappings() {
		return this.mimeTypes.toMap();
	}

	/** Static files are served from here (and from {@code META-INF/resources}); may be null. */
	public Path documentRoot() {
		return this.documentRoot;
	}

	/** The session store file; null = sessions in memory only. */
	public Path sessionStore() {
		return this.sessionStore;
	}

	public boolean useRelativeRedirects() {
		return this.useRelativeRedirects;
	}

	public boolean defaultServletEnabled() {
		return this.defaultServletEnabled;
	}

	ErrorPages errorPages() {
		return this.errorPages;
	}

	MimeTypes mimeTypes() {
		return this.mimeTypes;
	}

	Map<Locale, Charset> localeCharsets() {
		return this.localeCharsets;
	}

	/** Seconds of inactivity before a session expires; 0 = never. */
	int sessionTimeoutSeconds() {
		return this.sessionTimeoutSeconds;
	}

	Function<Cookie, String> sameSiteResolver() {
		return this.sameSiteResolver;
	}

	/** Null when compression was never configured. */
	Compression compression() {
		return this.compression;
	}

	ForwardedHeaders forwardedHeaders() {
		return this.forwardedHeaders;
	}

	AccessLog accessLog() {
		return this.accessLog;
	}

	/**
	 * The clock of session times and expiry, cookie expiry, the resource cache's TTL and the
	 * access log: {@link Clock#SYSTEM} unless a test set one.
	 */
	public Clock clock() {
		return this.clock;
	}

	/** Collects the settings; each method's default is the container's. */
	public static final class Builder {

		private String contextPath = "";

		private String displayName = "application";

		private ClassLoader classLoader;

		private final Map<Class<?>, String> exceptionPages = new LinkedHashMap<>();

		private final Map<Integer, String> statusPages = new LinkedHashMap<>();

		private String globalErrorPage;

		private final Map<String, String> mimeMappings = new HashMap<>(MimeTypes.DEFAULTS);

		private final Map<Locale, Charset> localeCharsets = new LinkedHashMap<>();

		private int sessionTimeoutSeconds = 30 * 60;

		private Path sessionStore;

		private Path documentRoot;

		private boolean useRelativeRedirects;

		private boolean defaultServletEnabled = true;

		private Function<Cookie, String> sameSiteResolver;

		private Compression compression;

		private ForwardedHeaders forwardedHeaders = ForwardedHeaders.DISABLED;

		private boolean accessLog;

		private Clock clock = Clock.SYSTEM;

		private Builder() {
		}

		/** "" for the root context, else a path such as {@code /app}: starts with '/', no trailing '/'. */
		public Builder contextPath(String contextPath) {
			String path = (contextPath != null) ? contextPath : "";
			if (!path.isEmpty() && (!path.startsWith("/") || path.endsWith("/"))) {
				throw new IllegalArgumentException(
						"Context path must be empty or start with '/' and not end with '/': '" + contextPath + "'");
			}
			this.contextPath = path;
			return this;
		}

		public Builder displayName(String displayName) {
			this.displayName = displayName;
			return this;
		}

		public Builder classLoader(ClassLoader classLoader) {
			this.classLoader = classLoader;
			return this;
		}

		public Builder errorPage(int status, String location) {
			this.statusPages.put(status, ErrorPages.checkLocation(location));
			return this;
		}

		public Builder errorPage(Class<? extends Throwable> exceptionType, String location) {
			this.exceptionPages.put(Objects.requireNonNull(exceptionType, "exceptionType"),
					ErrorPages.checkLocation(location));
			return this;
		}

		/** The page for every error that no exception or status page matches. */
		public Builder globalErrorPage(String location) {
			this.globalErrorPage = (location != null) ? ErrorPages.checkLocation(location) : null;
			return this;
		}

		public Builder mimeMapping(String extension, String mimeType) {
			this.mimeMappings.put(MimeTypes.normalize(Objects.requireNonNull(extension, "extension")),
					Objects.requireNonNull(mimeType, "mimeType"));
			return this;
		}

		/**
		 * Replaces the whole extension to MIME type table, the built-in entries included, with
		 * {@code mappings} (extension without the dot, case-insensitive). Without this call the
		 * container uses its own table of common web types.
		 */
		public Builder mimeMappings(Map<String, String> mappings) {
			Objects.requireNonNull(mappings, "mappings");
			this.mimeMappings.clear();
			mappings.forEach(this::mimeMapping);
			return this;
		}

		public Builder localeCharset(Locale locale, Charset charset) {
			this.localeCharsets.put(Objects.requireNonNull(locale, "locale"), Objects.requireNonNull(charset, "charset"));
			return this;
		}

		/** Inactivity before a session expires; null, zero or negative = never. */
		public Builder sessionTimeout(Duration timeout) {
			long seconds = (timeout == null || timeout.isZero() || timeout.isNegative()) ? 0
					: Math.max(1, timeout.toSeconds());
			this.sessionTimeoutSeconds = (int) Math.min(seconds, Integer.MAX_VALUE);
			return this;
		}

		/**
		 * Keeps sessions across restarts in this file: they are written when the container is
		 * destroyed and read back (then the file is deleted) when the next container with the same
		 * file starts its context. Attribute values must be {@link java.io.Serializable}; those that
		 * are not are left out with a warning. The file must be in a directory only the application
		 * can write: it is read with Java deserialization. Null (the default) keeps sessions in
		 * memory only.
		 */
		public Builder sessionStore(Path file) {
			this.sessionStore = file;
			return this;
		}

		/** Static files are served from here (and from {@code META-INF/resources}); may be null. */
		public Builder documentRoot(Path documentRoot) {
			this.documentRoot = documentRoot;
			return this;
		}

		/**
		 * Whether {@code sendRedirect} may send a relative {@code Location} as given. Off by default:
		 * Servlet 6.1 makes relative targets absolute from the request's scheme, host and port (which
		 * behind a proxy are right only with forwarded headers on).
		 */
		public Builder useRelativeRedirects(boolean useRelativeRedirects) {
			this.useRelativeRedirects = useRelativeRedirects;
			return this;
		}

		/**
		 * Whether requests no servlet is mapped to are served from the document root and
		 * {@code META-INF/resources}, by a servlet named {@code default} that
		 * {@code getNamedDispatcher("default")} finds (on by default). Off, they get 404 and there is
		 * no {@code default} servlet, as on a Tomcat context without one.
		 */
		public Builder defaultServletEnabled(boolean enabled) {
			this.defaultServletEnabled = enabled;
			return this;
		}

		/** Decides the SameSite attribute of cookies that do not set one: "Lax", "Strict", "None" or null. */
		public Builder cookieSameSite(Function<Cookie, String> sameSiteResolver) {
			this.sameSiteResolver = sameSiteResolver;
			return this;
		}

		/**
		 * Gzip compression of responses whose media type is in {@code mimeTypes} ({@code text/*}
		 * style wildcards allowed), at least {@code minResponseSize} bytes long, for clients that
		 * accept gzip and whose User-Agent matches none of {@code excludedUserAgents} (regular
		 * expressions). Compressible responses carry {@code Vary: Accept-Encoding}.
		 */
		public Builder compression(boolean enabled, Collection<String> mimeTypes, int minResponseSize,
				Collection<String> excludedUserAgents) {
			this.compression = Compression.of(enabled, List.copyOf(mimeTypes), minResponseSize,
					(excludedUserAgents != null) ? List.copyOf(excludedUserAgents) : List.of());
			return this;
		}

		/**
		 * Takes client address, scheme, host and port from {@code Forwarded} or
		 * {@code X-Forwarded-For/-Proto/-Host/-Port} when the peer is a trusted proxy.
		 * @param trustedProxies which peers to trust; null = loopback and private networks
		 */
		public Builder forwardedHeaders(boolean enabled, Predicate<InetAddress> trustedProxies) {
			this.forwardedHeaders = enabled ? new ForwardedHeaders(true, trustedProxies) : ForwardedHeaders.DISABLED;
			return this;
		}

		/** Logs each request in the combined format on the SLF4J logger {@code starlet.access}. */
		public Builder accessLog(boolean enabled) {
			this.accessLog = enabled;
			return this;
		}

		/**
		 * For tests; default the system clock ({@link Clock#SYSTEM}). Session times and expiry,
		 * cookie expiry, the resource cache's TTL and the access log read it. Give the server the
		 * same one ({@code StarletConfig.Builder.clock}) to drive its deadlines too.
		 */
		public Builder clock(Clock clock) {
			this.clock = clock;
			return this;
		}

		public ContainerSettings build() {
			return new ContainerSettings(this);
		}

	}

}
