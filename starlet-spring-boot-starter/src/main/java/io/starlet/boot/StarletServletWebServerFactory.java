package io.starlet.boot;

import java.io.File;
import java.net.InetAddress;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

import io.starlet.Listen;
import io.starlet.StarletConfig;
import io.starlet.servlet.ContainerSettings;
import io.starlet.servlet.ServletContainer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.web.error.ErrorPage;
import org.springframework.boot.web.server.AbstractConfigurableWebServerFactory;
import org.springframework.boot.web.server.Compression;
import org.springframework.boot.web.server.Cookie.SameSite;
import org.springframework.boot.web.server.MimeMappings;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerException;
import org.springframework.boot.web.server.servlet.ConfigurableServletWebServerFactory;
import org.springframework.boot.web.server.servlet.CookieSameSiteSupplier;
import org.springframework.boot.web.server.servlet.DocumentRoot;
import org.springframework.boot.web.server.servlet.ServletContextInitializers;
import org.springframework.boot.web.server.servlet.ServletWebServerSettings;
import org.springframework.boot.web.server.servlet.Session;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * A {@link ConfigurableServletWebServerFactory} that creates {@link StarletWebServer}s: Spring
 * Boot's servlet applications served by Starlet's worker pool and Servlet container.
 *
 * <p>{@code server.*} settings arrive through the setters Boot calls; Starlet's own options
 * ({@code starlet.*}) through {@link StarletServerCustomizer}s. Settings Starlet does not serve
 * (TLS, HTTP/2, JSP) make
 * {@link #getWebServer} fail with a message saying so, rather than being ignored.
 *
 * <p>Unless configured otherwise the server listens on port 8080 of every interface. Under
 * Server::Starter ({@code SERVER_STARTER_PORT} set) it adopts the listening socket passed on fd 0
 * instead of binding {@code server.port}.
 */
public class StarletServletWebServerFactory extends AbstractConfigurableWebServerFactory
		implements ConfigurableServletWebServerFactory, ResourceLoaderAware {

	private static final Log logger = LogFactory.getLog(StarletServletWebServerFactory.class);

	private static final String DEFAULT_SESSION_COOKIE_NAME = "JSESSIONID";

	/** In the session store directory; not Tomcat's SESSIONS.ser, whose format is Tomcat's own. */
	static final String SESSION_STORE_FILE = "starlet-sessions.bin";

	private final ServletWebServerSettings settings = new ServletWebServerSettings();

	private final List<StarletServerCustomizer> serverCustomizers = new ArrayList<>();

	private ResourceLoader resourceLoader;

	private boolean useForwardHeaders;

	private Predicate<InetAddress> trustedProxies;

	private boolean accessLogEnabled;

	private boolean useRelativeRedirects;

	private Function<String, String> environment = System::getenv;

	public StarletServletWebServerFactory() {
	}

	public StarletServletWebServerFactory(int port) {
		super(port);
	}

	@Override
	public ServletWebServerSettings getSettings() {
		return this.settings;
	}

	@Override
	public void setResourceLoader(ResourceLoader resourceLoader) {
		this.resourceLoader = resourceLoader;
	}

	/** The customizers applied, in order, to the engine configuration of each new server. */
	public List<StarletServerCustomizer> getServerCustomizers() {
		return this.serverCustomizers;
	}

	public void setServerCustomizers(Collection<? extends StarletServerCustomizer> customizers) {
		Assert.notNull(customizers, "'customizers' must not be null");
		this.serverCustomizers.clear();
		this.serverCustomizers.addAll(customizers);
	}

	public void addServerCustomizers(StarletServerCustomizer... customizers) {
		Assert.notNull(customizers, "'customizers' must not be null");
		this.serverCustomizers.addAll(Arrays.asList(customizers));
	}

	public boolean isUseForwardHeaders() {
		return this.useForwardHeaders;
	}

	/**
	 * Whether to take the client's address, the scheme, host and port from {@code Forwarded} or
	 * {@code X-Forwarded-*} headers sent by a trusted proxy
	 * ({@code server.forward-headers-strategy=native}).
	 */
	public void setUseForwardHeaders(boolean useForwardHeaders) {
		this.useForwardHeaders = useForwardHeaders;
	}

	/**
	 * Which peers are trusted to send forwarded headers; {@code null} (the default) trusts
	 * loopback and private-network addresses.
	 */
	public void setTrustedProxies(Predicate<InetAddress> trustedProxies) {
		this.trustedProxies = trustedProxies;
	}

	public boolean isAccessLogEnabled() {
		return this.accessLogEnabled;
	}

	/** Whether to log each request in the combined format on the logger {@code starlet.access}. */
	public void setAccessLogEnabled(boolean accessLogEnabled) {
		this.accessLogEnabled = accessLogEnabled;
	}

	public boolean isUseRelativeRedirects() {
		return this.useRelativeRedirects;
	}

	/**
	 * Whether {@code sendRedirect} may send a relative {@code Location} as given
	 * ({@code starlet.use-relative-redirects}); by default it is made absolute, as Servlet 6.1
	 * and Tomcat do.
	 */
	public void setUseRelativeRedirects(boolean useRelativeRedirects) {
		this.useRelativeRedirects = useRelativeRedirects;
	}

	@Override
	public WebServer getWebServer(ServletContextInitializer... initializers) {
		rejectUnsupportedSettings();
		StarletConfig config = createStarletConfig();
		ServletContainer container = new ServletContainer(createContainerSettings());
		try {
			ServletContext servletContext = container.getServletContext();
			for (String listenerClassName : this.settings.getWebListenerClassNames()) {
				servletContext.addListener(listenerClassName);
			}
			for (ServletContextInitializer initializer : ServletContextInitializers.from(this.settings, initializers)) {
				initializer.onStartup(servletContext);
			}
			container.startContext();
		}
		catch (ServletException | RuntimeException ex) {
			container.destroy();
			throw new WebServerException("Unable to start the Starlet servlet context", ex);
		}
		return new StarletWebServer(container, config, getShutdown(), this.settings.getContextPath().toString());
	}

	/**
	 * Builds the engine configuration: the listen address from {@code server.port} and
	 * {@code server.address}, the {@code Server} header, then every {@link StarletServerCustomizer}.
	 * A negative port adds no listener from {@code server.port} (as with Boot's other servers, the
	 * server then does not listen unless a customizer adds an address). When the listening socket
	 * is inherited on fd 0 (Server::Starter's {@code SERVER_STARTER_PORT} is set, or
	 * {@code inheritedChannel} is configured) it replaces the {@code server.port} listener, which
	 * the supervisor already holds.
	 * @return the configuration the next server from {@link #getWebServer} will run with
	 */
	public StarletConfig createStarletConfig() {
		StarletConfig.Builder builder = StarletConfig.builder();
		Listen main = null;
		if (getPort() >= 0) {
			InetAddress address = getAddress();
			main = Listen.tcp((address != null) ? address.getHostAddress() : null, getPort());
			builder.listen(main);
		}
		builder.serverHeader(getServerHeader());
		for (StarletServerCustomizer customizer : this.serverCustomizers) {
			customizer.customize(builder);
		}
		StarletConfig config = builder.build();
		boolean inherited = config.inheritsChannel(this.environment);
		if (!inherited || main == null || config.listen().isEmpty() || !config.listen().get(0).equals(main)) {
			return config;
		}
		StarletConfig.Builder withoutMain = config.toBuilder().clearListen().inheritedChannel(true);
		config.listen().subList(1, config.listen().size()).forEach(withoutMain::listen);
		return withoutMain.build();
	}

	/** For tests: where {@code SERVER_STARTER_PORT} is read from. */
	void setEnvironment(Function<String, String> environment) {
		this.environment = environment;
	}

	/** The servlet container's settings, from Boot's {@code server.servlet.*} and this factory. */
	ContainerSettings createContainerSettings() {
		ContainerSettings.Builder container = ContainerSettings.builder();
		if (this.resourceLoader != null && this.resourceLoader.getClassLoader() != null) {
			container.classLoader(this.resourceLoader.getClassLoader());
		}
		container.contextPath(this.settings.getContextPath().toString());
		if (this.settings.getDisplayName() != null) {
			container.displayName(this.settings.getDisplayName());
		}
		for (ErrorPage errorPage : getErrorPages()) {
			if (errorPage.isGlobal()) {
				container.globalErrorPage(errorPage.getPath());
			}
			else if (errorPage.getException() != null) {
				container.errorPage(errorPage.getException(), errorPage.getPath());
			}
			else {
				container.errorPage(errorPage.getStatusCode(), errorPage.getPath());
			}
		}
		// Boot's table replaces the container's own, as on Tomcat: MimeMappings.DEFAULT unless set
		Map<String, String> mimeMappings = new HashMap<>();
		for (MimeMappings.Mapping mapping : this.settings.getMimeMappings()) {
			mimeMappings.put(mapping.getExtension(), mapping.getMimeType());
		}
		container.mimeMappings(mimeMappings);
		container.defaultServletEnabled(this.settings.isRegisterDefaultServlet());
		container.useRelativeRedirects(this.useRelativeRedirects);
		for (Map.Entry<Locale, Charset> mapping : this.settings.getLocaleCharsetMappings().entrySet()) {
			container.localeCharset(mapping.getKey(), mapping.getValue());
		}
		Duration sessionTimeout = this.settings.getSession().getTimeout();
		if (sessionTimeout != null) {
			container.sessionTimeout(sessionTimeout);
		}
		if (this.settings.getSession().isPersistent()) {
			// server.servlet.session.store-dir, else Boot's per-application temporary directory, as Tomcat and Jetty.
			File storeDir = this.settings.getSession().getSessionStoreDirectory().getValidDirectory(true);
			container.sessionStore(new File(storeDir, SESSION_STORE_FILE).toPath());
		}
		DocumentRoot documentRoot = new DocumentRoot(logger);
		documentRoot.setDirectory(this.settings.getDocumentRoot());
		File root = documentRoot.getValidDirectory();
		if (root != null) {
			container.documentRoot(root.toPath());
		}
		Compression compression = getCompression();
		if (compression != null && compression.getEnabled()) {
			String[] excludedUserAgents = compression.getExcludedUserAgents();
			container.compression(true, Arrays.asList(compression.getAllMimeTypes()),
					(int) Math.min(Integer.MAX_VALUE, compression.getMinResponseSize().toBytes()),
					(excludedUserAgents != null) ? Arrays.asList(excludedUserAgents) : List.of());
		}
		container.forwardedHeaders(this.useForwardHeaders, this.trustedProxies);
		container.accessLog(this.accessLogEnabled);
		List<CookieSameSiteSupplier> sameSiteSuppliers = sameSiteSuppliers();
		if (!sameSiteSuppliers.isEmpty()) {
			container.cookieSameSite(sameSiteResolver(sameSiteSuppliers));
		}
		return container.build();
	}

	/** The session cookie's own SameSite first (as Tomcat does), then the supplier beans. */
	private List<CookieSameSiteSupplier> sameSiteSuppliers() {
		List<CookieSameSiteSupplier> suppliers = new ArrayList<>();
		org.springframework.boot.web.server.Cookie sessionCookie = this.settings.getSession().getCookie();
		SameSite sessionSameSite = sessionCookie.getSameSite();
		if (sessionSameSite != null) {
			String name = (sessionCookie.getName() != null) ? sessionCookie.getName() : DEFAULT_SESSION_COOKIE_NAME;
			suppliers.add(CookieSameSiteSupplier.of(sessionSameSite).whenHasName(name));
		}
		suppliers.addAll(this.settings.getCookieSameSiteSuppliers());
		return suppliers;
	}

	private static Function<Cookie, String> sameSiteResolver(List<CookieSameSiteSupplier> suppliers) {
		return (cookie) -> {
			for (CookieSameSiteSupplier supplier : suppliers) {
				SameSite sameSite = supplier.getSameSite(cookie);
				if (sameSite != null) {
					return sameSite.attributeValue();
				}
			}
			return null;
		};
	}

	/**
	 * Fails for the first setting Starlet does not serve: TLS, HTTP/2, JSP.
	 * Called again by {@link #getWebServer}.
	 * @throws StarletConfigurationException naming the setting and what to do instead
	 */
	public void rejectUnsupportedSettings() {
		if (Ssl.isEnabled(getSsl())) {
			throw unsupported("server.ssl.enabled=true",
					"Starlet serves plain HTTP/1.1 behind a reverse proxy: terminate TLS at the proxy");
		}
		if (getHttp2() != null && getHttp2().isEnabled()) {
			throw unsupported("server.http2.enabled=true", "Starlet speaks HTTP/1.1 only; let the proxy speak HTTP/2");
		}
		if (this.settings.getJsp().getRegistered()
				&& ClassUtils.isPresent(this.settings.getJsp().getClassName(), getClass().getClassLoader())) {
			throw unsupported("server.servlet.jsp.registered=true with " + this.settings.getJsp().getClassName()
					+ " on the class path", "Starlet does not run JSPs; set server.servlet.jsp.registered=false");
		}
		Set<Session.SessionTrackingMode> trackingModes = this.settings.getSession().getTrackingModes();
		if (trackingModes != null && trackingModes.contains(Session.SessionTrackingMode.SSL)) {
			throw unsupported("server.servlet.session.tracking-modes=ssl",
					"SSL session tracking needs TLS, which Starlet leaves to the proxy: terminate TLS at the proxy"
							+ " and track sessions with a cookie");
		}
	}

	private static StarletConfigurationException unsupported(String setting, String advice) {
		return new StarletConfigurationException("Starlet does not support " + setting + ".", advice + ".");
	}

}
