package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.EventListener;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.SessionTrackingMode;
import jakarta.servlet.descriptor.JspConfigDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link ServletContext} of a {@link ServletContainer}. Its own jobs are the context's
 * life ({@link #start()}, {@link #destroy()}), attributes and init parameters, and what the
 * application may still set through the API (session timeout and tracking, default encodings);
 * the rest is delegated: {@link ContainerSettings} (immutable, from the embedder),
 * {@link Registrations} (servlets, filters, mappings), {@link ContextListeners},
 * {@link ContextResources} and {@link WorkDirectories}.
 *
 * <p>Longer than most classes here because {@code ServletContext} has some sixty methods; each
 * is a few lines or a delegation.
 *
 * <p>Lifecycle: configurable until {@link #start()}; from then on registration methods throw
 * {@link IllegalStateException} as the specification says, and the servlet mapping is frozen.
 */
final class ContainerContext implements ServletContext {

	static final String SERVER_INFO = "Starlet/0.1";

	private static final Logger logger = LoggerFactory.getLogger(ServletContext.class);

	final ContainerSettings settings;

	final Registrations registrations = new Registrations(this);

	private final ContextListeners listeners = new ContextListeners();

	private final WorkDirectories workDirectories = new WorkDirectories();

	private final ContextResources resources;

	private final SessionCookieSettings sessionCookieConfig = new SessionCookieSettings(this);

	private final Map<String, Object> attributes = new ConcurrentHashMap<>();

	private final Map<String, String> initParameters = new ConcurrentHashMap<>();

	// What the application may still change through the ServletContext API until start.

	private volatile int sessionTimeoutSeconds;

	private volatile String requestCharacterEncoding;

	private volatile String responseCharacterEncoding;

	/** As Tomcat: the defaults until the application sets its own. */
	private volatile Set<SessionTrackingMode> sessionTrackingModes = defaultTrackingModes();

	private volatile boolean started;

	private volatile boolean destroyed;

	ContainerContext(ContainerSettings settings) {
		this.settings = settings;
		this.sessionTimeoutSeconds = settings.sessionTimeoutSeconds();
		this.resources = new ContextResources(settings.documentRoot(), this::getClassLoader, this.workDirectories,
				settings.clock());
	}

	// --- lifecycle ----------------------------------------------------------------------------

	void checkNotStarted(String operation) {
		if (this.started) {
			throw new IllegalStateException(operation + " is not allowed: the servlet context has already been initialized");
		}
	}

	boolean isStarted() {
		return this.started;
	}

	/** Freezes the mapping, runs {@code contextInitialized}, then initialises the filters. */
	void start() throws ServletException {
		if (this.started) {
			return;
		}
		this.registrations.freeze();
		if (getAttribute(TEMPDIR) == null) {
			try {
				this.attributes.put(TEMPDIR, this.workDirectories.createWorkDirectory().toFile());
			}
			catch (IOException ex) {
				logger.warn("Cannot create a work directory for {}: {}", TEMPDIR, ex.getMessage());
			}
		}
		ServletContextEvent event = new ServletContextEvent(this);
		for (ServletContextListener listener : this.listeners.of(ServletContextListener.class)) {
			listener.contextInitialized(event);
		}
		this.started = true;
		this.registrations.initFilters();
	}

	void initServlets() throws ServletException {
		this.registrations.initServlets();
	}

	/** Servlets and filters, then {@code contextDestroyed} in reverse order, then the temp directories. */
	void destroy() {
		if (this.destroyed) {
			return;
		}
		this.destroyed = true;
		this.registrations.destroy();
		ServletContextEvent event = new ServletContextEvent(this);
		for (ServletContextListener listener : this.listeners.reversed(ServletContextListener.class)) {
			try {
				listener.contextDestroyed(event);
			}
			catch (RuntimeException ex) {
				log("contextDestroyed failed", ex);
			}
		}
		this.workDirectories.deleteAll();
	}

	ServletMapper mapper() {
		return this.registrations.mapper();
	}

	List<FilterHolder> filtersFor(jakarta.servlet.DispatcherType type, String path, String servletName) {
		return this.registrations.filtersFor(type, path, servletName);
	}

	/** The listeners of a type, in registration order (unmodifiable, cached). */
	<T extends EventListener> List<T> listeners(Class<T> type) {
		return this.listeners.of(type);
	}

	boolean hasListeners(Class<? extends EventListener> type) {
		return !this.listeners.of(type).isEmpty();
	}

	/** {@code listeners(ServletRequestAttributeListener.class)}, read from a field. */
	List<ServletRequestAttributeListener> requestAttributeListeners() {
		return this.listeners.requestAttribute();
	}

	// --- ServletContext: basics ---------------------------------------------------------------

	@Override
	public String getContextPath() {
		return this.settings.contextPath();
	}

	@Override
	public ServletContext getContext(String uripath) {
		if (uripath == null || !uripath.startsWith("/")) {
			return null;
		}
		String contextPath = this.settings.contextPath();
		if (contextPath.isEmpty() || uripath.equals(contextPath) || uripath.startsWith(contextPath + "/")) {
			return this;
		}
		return null;
	}

	@Override
	public int getMajorVersion() {
		return 6;
	}

	@Override
	public int getMinorVersion() {
		return 1;
	}

	@Override
	public int getEffectiveMajorVersion() {
		return 6;
	}

	@Override
	public int getEffectiveMinorVersion() {
		return 1;
	}

	@Override
	public String getMimeType(String file) {
		return this.settings.mimeTypes().forFileName(file);
	}

	@Override
	public String getServerInfo() {
		return SERVER_INFO;
	}

	@Override
	public String getServletContextName() {
		return this.settings.displayName();
	}

	@Override
	public void log(String msg) {
		logger.info(msg);
	}

	@Override
	public void log(String message, Throwable throwable) {
		logger.error(message, throwable);
	}

	@Override
	public ClassLoader getClassLoader() {
		ClassLoader loader = this.settings.classLoader();
		if (loader == null) {
			loader = Thread.currentThread().getContextClassLoader();
		}
		return (loader != null) ? loader : ContainerContext.class.getClassLoader();
	}

	@Override
	public void declareRoles(String... roleNames) {
		checkNotStarted("declareRoles");
	}

	@Override
	public String getVirtualServerName() {
		return "starlet";
	}

	@Override
	public JspConfigDescriptor getJspConfigDescriptor() {
		return null;
	}

	// --- init parameters and attributes -------------------------------------------------------

	@Override
	public String getInitParameter(String name) {
		if (name == null) {
			throw new NullPointerException("Init parameter name must not be null");
		}
		return this.initParameters.get(name);
	}

	@Override
	public Enumeration<String> getInitParameterNames() {
		return Collections.enumeration(new ArrayList<>(this.initParameters.keySet()));
	}

	@Override
	public boolean setInitParameter(String name, String value) {
		if (name == null) {
			throw new NullPointerException("Init parameter name must not be null");
		}
		checkNotStarted("setInitParameter");
		return this.initParameters.putIfAbsent(name, value) == null;
	}

	@Override
	public Object getAttribute(String name) {
		if (name == null) {
			throw new NullPointerException("Attribute name must not be null");
		}
		return this.attributes.get(name);
	}

	@Override
	public Enumeration<String> getAttributeNames() {
		return Collections.enumeration(new ArrayList<>(this.attributes.keySet()));
	}

	@Override
	public void setAttribute(String name, Object object) {
		if (name == null) {
			throw new NullPointerException("Attribute name must not be null");
		}
		if (object == null) {
			removeAttribute(name);
			return;
		}
		Object old = this.attributes.put(name, object);
		if (hasListeners(ServletContextAttributeListener.class)) {
			for (ServletContextAttributeListener listener : listeners(ServletContextAttributeListener.class)) {
				if (old == null) {
					listener.attributeAdded(new ServletContextAttributeEvent(this, name, object));
				}
				else {
					listener.attributeReplaced(new ServletContextAttributeEvent(this, name, old));
				}
			}
		}
	}

	@Override
	public void removeAttribute(String name) {
		if (name == null) {
			throw new NullPointerException("Attribute name must not be null");
		}
		Object old = this.attributes.remove(name);
		if (old != null && hasListeners(ServletContextAttributeListener.class)) {
			for (ServletContextAttributeListener listener : listeners(ServletContextAttributeListener.class)) {
				listener.attributeRemoved(new ServletContextAttributeEvent(this, name, old));
			}
		}
	}

	// --- servlets and filters (Registrations) ------------------------------------------------

	@Override
	public ServletRegistration.Dynamic addServlet(String servletName, String className) {
		return this.registrations.addServlet(servletName, className, null);
	}

	@Override
	public ServletRegistration.Dynamic addServlet(String servletName, Servlet servlet) {
		return this.registrations.addServlet(servletName, Registrations.classOf(servlet, "servlet"), servlet);
	}

	@Override
	public ServletRegistration.Dynamic addServlet(String servletName, Class<? extends Servlet> servletClass) {
		return this.registrations.addServlet(servletName, Registrations.nameOf(servletClass, "servletClass"), null);
	}

	@Override
	public ServletRegistration.Dynamic addJspFile(String servletName, String jspFile) {
		throw new UnsupportedOperationException("addJspFile: Starlet has no JSP engine");
	}

	@Override
	public <T extends Servlet> T createServlet(Class<T> clazz) throws ServletException {
		return instantiate(clazz);
	}

	@Override
	public ServletRegistration getServletRegistration(String servletName) {
		return this.registrations.servlet(servletName);
	}

	@Override
	public Map<String, ? extends ServletRegistration> getServletRegistrations() {
		return this.registrations.servlets();
	}

	@Override
	public FilterRegistration.Dynamic addFilter(String filterName, String className) {
		return this.registrations.addFilter(filterName, className, null);
	}

	@Override
	public FilterRegistration.Dynamic addFilter(String filterName, Filter filter) {
		return this.registrations.addFilter(filterName, Registrations.classOf(filter, "filter"), filter);
	}

	@Override
	public FilterRegistration.Dynamic addFilter(String filterName, Class<? extends Filter> filterClass) {
		return this.registrations.addFilter(filterName, Registrations.nameOf(filterClass, "filterClass"), null);
	}

	@Override
	public <T extends Filter> T createFilter(Class<T> clazz) throws ServletException {
		return instantiate(clazz);
	}

	@Override
	public FilterRegistration getFilterRegistration(String filterName) {
		return this.registrations.filter(filterName);
	}

	@Override
	public Map<String, ? extends FilterRegistration> getFilterRegistrations() {
		return this.registrations.filters();
	}

	// --- listeners ----------------------------------------------------------------------------

	@Override
	public void addListener(String className) {
		checkNotStarted("addListener");
		try {
			Class<?> type = Class.forName(className, true, getClassLoader());
			if (!EventListener.class.isAssignableFrom(type)) {
				throw new IllegalArgumentException(className + " is not an EventListener");
			}
			addListener(type.asSubclass(EventListener.class));
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalArgumentException("Cannot load listener class " + className, ex);
		}
	}

	@Override
	public <T extends EventListener> void addListener(T listener) {
		if (listener == null) {
			throw new IllegalArgumentException("listener must not be null");
		}
		checkNotStarted("addListener");
		this.listeners.add(listener);
	}

	@Override
	public void addListener(Class<? extends EventListener> listenerClass) {
		try {
			addListener(createListener(listenerClass));
		}
		catch (ServletException ex) {
			throw new IllegalArgumentException("Cannot create listener " + listenerClass.getName(), ex);
		}
	}

	@Override
	public <T extends EventListener> T createListener(Class<T> clazz) throws ServletException {
		ContextListeners.checkType(clazz);
		return instantiate(clazz);
	}

	/** Creates an application object (servlet, filter, listener, upgrade handler) by its no-arg constructor. */
	<T> T instantiate(Class<T> clazz) throws ServletException {
		try {
			return clazz.getDeclaredConstructor().newInstance();
		}
		catch (InvocationTargetException ex) {
			throw new ServletException("Cannot instantiate " + clazz.getName(), ex.getTargetException());
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			throw new ServletException("Cannot instantiate " + clazz.getName(), ex);
		}
	}

	// --- sessions and encodings ---------------------------------------------------------------

	@Override
	public SessionCookieConfig getSessionCookieConfig() {
		return this.sessionCookieConfig;
	}

	@Override
	public void setSessionTrackingModes(Set<SessionTrackingMode> sessionTrackingModes) {
		checkNotStarted("setSessionTrackingModes");
		if (sessionTrackingModes.contains(SessionTrackingMode.SSL)) {
			throw new IllegalArgumentException("SSL session tracking is not supported");
		}
		this.sessionTrackingModes = sessionTrackingModes.isEmpty() ? EnumSet.noneOf(SessionTrackingMode.class)
				: EnumSet.copyOf(sessionTrackingModes);
	}

	@Override
	public Set<SessionTrackingMode> getDefaultSessionTrackingModes() {
		return defaultTrackingModes();
	}

	private static Set<SessionTrackingMode> defaultTrackingModes() {
		return EnumSet.of(SessionTrackingMode.COOKIE, SessionTrackingMode.URL);
	}

	@Override
	public Set<SessionTrackingMode> getEffectiveSessionTrackingModes() {
		return EnumSet.copyOf(this.sessionTrackingModes.isEmpty() ? EnumSet.noneOf(SessionTrackingMode.class)
				: this.sessionTrackingModes);
	}

	boolean isCookieTracking() {
		return this.sessionTrackingModes.contains(SessionTrackingMode.COOKIE);
	}

	boolean isUrlTracking() {
		return this.sessionTrackingModes.contains(SessionTrackingMode.URL);
	}

	@Override
	public int getSessionTimeout() {
		int seconds = this.sessionTimeoutSeconds;
		return (seconds <= 0) ? 0 : Math.max(1, (seconds + 59) / 60);
	}

	@Override
	public void setSessionTimeout(int sessionTimeout) {
		checkNotStarted("setSessionTimeout");
		this.sessionTimeoutSeconds = (sessionTimeout <= 0) ? 0 : sessionTimeout * 60;
	}

	/** Seconds of inactivity before a session expires; ≤ 0 never. */
	int sessionTimeoutSeconds() {
		return this.sessionTimeoutSeconds;
	}

	@Override
	public String getRequestCharacterEncoding() {
		return this.requestCharacterEncoding;
	}

	@Override
	public void setRequestCharacterEncoding(String encoding) {
		checkNotStarted("setRequestCharacterEncoding");
		this.requestCharacterEncoding = encoding;
	}

	@Override
	public String getResponseCharacterEncoding() {
		return this.responseCharacterEncoding;
	}

	@Override
	public void setResponseCharacterEncoding(String encoding) {
		checkNotStarted("setResponseCharacterEncoding");
		this.responseCharacterEncoding = encoding;
	}

	// --- dispatchers --------------------------------------------------------------------------

	@Override
	public RequestDispatcher getRequestDispatcher(String path) {
		if (path == null || !path.startsWith("/")) {
			return null;
		}
		return ContainerDispatcher.forPath(this, path);
	}

	@Override
	public RequestDispatcher getNamedDispatcher(String name) {
		if (name == null) {
			return null;
		}
		ServletHolder holder = this.registrations.servletNamed(name);
		return (holder != null) ? ContainerDispatcher.forServlet(this, holder) : null;
	}

	// --- resources (ContextResources) --------------------------------------------------------

	/** The file for a context-relative path under the document root, or null. */
	Path documentFile(String path) {
		return this.resources.documentFile(path);
	}

	/** {@code META-INF/resources} + a normalised path on the class path, or null. */
	URL classPathResource(String normalized) {
		return this.resources.classPathResource(normalized);
	}

	@Override
	public URL getResource(String path) throws MalformedURLException {
		return this.resources.resource(path);
	}

	@Override
	public InputStream getResourceAsStream(String path) {
		return this.resources.resourceAsStream(path);
	}

	@Override
	public Set<String> getResourcePaths(String path) {
		return this.resources.resourcePaths(path);
	}

	@Override
	public String getRealPath(String path) {
		return this.resources.realPath(path);
	}

	Charset charsetForLocale(Locale locale) {
		Map<Locale, Charset> localeCharsets = this.settings.localeCharsets();
		if (localeCharsets.isEmpty() || locale == null) {
			return null;
		}
		Charset charset = localeCharsets.get(locale);
		if (charset == null) {
			charset = localeCharsets.get(Locale.forLanguageTag(locale.getLanguage()));
		}
		return charset;
	}

}
