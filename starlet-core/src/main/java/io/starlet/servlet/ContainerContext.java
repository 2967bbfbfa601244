package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.Charset;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

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
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.SessionTrackingMode;
import jakarta.servlet.descriptor.JspConfigDescriptor;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link ServletContext} of a {@link ServletContainer}: registrations, listeners,
 * attributes, init parameters, resources and the container-wide settings.
 *
 * <p>Lifecycle: configurable until {@link #start()}; from then on registration methods throw
 * {@link IllegalStateException} as the specification says, and the servlet mapping is frozen.
 */
final class ContainerContext implements ServletContext {

	static final String SERVER_INFO = "Starlet/0.1";

	private static final Logger logger = LoggerFactory.getLogger(ServletContext.class);

	private static final Set<Class<? extends EventListener>> LISTENER_TYPES = Set.of(ServletContextListener.class,
			ServletContextAttributeListener.class, ServletRequestListener.class, ServletRequestAttributeListener.class,
			HttpSessionListener.class, HttpSessionAttributeListener.class, HttpSessionIdListener.class);

	// --- settings -----------------------------------------------------------------------------

	String contextPath = "";

	String displayName = "application";

	ClassLoader classLoader;

	final MimeTypes mimeTypes = new MimeTypes();

	final Map<Locale, Charset> localeCharsets = new ConcurrentHashMap<>();

	Path documentRoot;

	private final ResourceCache classPathResources = new ResourceCache("META-INF/resources");

	Function<Cookie, String> sameSiteResolver;

	volatile boolean useRelativeRedirects;

	/** False: nothing serves static files, unmapped requests get 404 and there is no "default" servlet. */
	volatile boolean defaultServletEnabled = true;

	final ErrorPages errorPages = new ErrorPages();

	private volatile int sessionTimeoutMinutes = 30;

	private volatile String requestCharacterEncoding;

	private volatile String responseCharacterEncoding;

	private final SessionCookieSettings sessionCookieConfig = new SessionCookieSettings(this);

	/** As Tomcat: the defaults until the application sets its own. */
	private volatile Set<SessionTrackingMode> sessionTrackingModes = defaultTrackingModes();

	// --- registrations ------------------------------------------------------------------------

	private final Map<String, ServletHolder> servlets = new LinkedHashMap<>();

	private final Map<String, FilterHolder> filters = new LinkedHashMap<>();

	private final List<FilterMapping> filterMappings = new CopyOnWriteArrayList<>();

	/** Where the next isMatchAfter=false mapping goes: after earlier "before" ones, before the rest. */
	private int filterInsertPoint;

	private final List<EventListener> listeners = new CopyOnWriteArrayList<>();

	private final Map<Class<?>, List<?>> listenersByType = new ConcurrentHashMap<>();

	private final List<ServletHolder> initializedServlets = new CopyOnWriteArrayList<>();

	private final Map<String, Object> attributes = new ConcurrentHashMap<>();

	private final Map<String, String> initParameters = new ConcurrentHashMap<>();

	private final ServletHolder fallbackServlet;

	private volatile ServletMapper mapper;

	private volatile boolean started;

	private volatile boolean destroyed;

	private Path temporaryDocumentRoot;

	private Path workDirectory;

	private int servletOrder;

	ContainerContext() {
		this.fallbackServlet = new ServletHolder(this, "default", DefaultServlet.class.getName(),
				new DefaultServlet(), Integer.MAX_VALUE);
		this.fallbackServlet.addMapping("/");
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

	void start() throws ServletException {
		if (this.started) {
			return;
		}
		List<ServletHolder> holders;
		synchronized (this.servlets) {
			holders = new ArrayList<>(this.servlets.values());
		}
		this.mapper = new ServletMapper(holders, this.fallbackServlet);
		if (getAttribute(TEMPDIR) == null) {
			try {
				this.workDirectory = Files.createTempDirectory("starlet-work");
				this.attributes.put(TEMPDIR, this.workDirectory.toFile());
			}
			catch (IOException ex) {
				logger.warn("Cannot create a work directory for {}: {}", TEMPDIR, ex.getMessage());
			}
		}
		ServletContextEvent event = new ServletContextEvent(this);
		for (EventListener listener : this.listeners) {
			if (listener instanceof ServletContextListener contextListener) {
				contextListener.contextInitialized(event);
			}
		}
		this.started = true;
		List<FilterHolder> filterHolders;
		synchronized (this.filters) {
			filterHolders = new ArrayList<>(this.filters.values());
		}
		for (FilterHolder filter : filterHolders) {
			filter.init();
		}
	}

	void initServlets() throws ServletException {
		List<ServletHolder> toLoad = new ArrayList<>();
		synchronized (this.servlets) {
			for (ServletHolder holder : this.servlets.values()) {
				if (holder.getLoadOnStartup() >= 0) {
					toLoad.add(holder);
				}
			}
		}
		toLoad.sort((a, b) -> (a.getLoadOnStartup() != b.getLoadOnStartup())
				? Integer.compare(a.getLoadOnStartup(), b.getLoadOnStartup()) : Integer.compare(a.order(), b.order()));
		for (ServletHolder holder : toLoad) {
			holder.servlet();
		}
	}

	void destroy() {
		if (this.destroyed) {
			return;
		}
		this.destroyed = true;
		// servlets go in the reverse order of their initialisation
		List<ServletHolder> holders = new ArrayList<>(this.initializedServlets);
		Collections.reverse(holders);
		holders.forEach(ServletHolder::destroy);
		List<FilterHolder> filterHolders;
		synchronized (this.filters) {
			filterHolders = new ArrayList<>(this.filters.values());
		}
		Collections.reverse(filterHolders);
		filterHolders.forEach(FilterHolder::destroy);
		List<EventListener> reversed = new ArrayList<>(this.listeners);
		Collections.reverse(reversed);
		ServletContextEvent event = new ServletContextEvent(this);
		for (EventListener listener : reversed) {
			if (listener instanceof ServletContextListener contextListener) {
				try {
					contextListener.contextDestroyed(event);
				}
				catch (RuntimeException ex) {
					log("contextDestroyed failed", ex);
				}
			}
		}
		deleteQuietly(this.temporaryDocumentRoot);
		deleteQuietly(this.workDirectory);
	}

	/** Deletes a directory the container created, with whatever was left in it. */
	private static void deleteQuietly(Path directory) {
		if (directory == null) {
			return;
		}
		try (java.util.stream.Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | RuntimeException ex) {
			// best effort: it lives under the temp directory
		}
	}

	void servletInitialized(ServletHolder holder) {
		this.initializedServlets.add(holder);
	}

	ServletMapper mapper() {
		ServletMapper current = this.mapper;
		if (current == null) {
			throw new IllegalStateException("The servlet context has not been started");
		}
		return current;
	}

	// --- filters ------------------------------------------------------------------------------

	void addFilterMapping(FilterMapping mapping, boolean isMatchAfter) {
		synchronized (this.filterMappings) {
			if (isMatchAfter) {
				this.filterMappings.add(mapping);
			}
			else {
				this.filterMappings.add(this.filterInsertPoint++, mapping);
			}
		}
	}

	List<FilterMapping> filterMappings() {
		return this.filterMappings;
	}

	/** The filters for a dispatch: URL-pattern mappings first, then servlet-name ones (Servlet §6.2.4). */
	List<FilterHolder> filtersFor(jakarta.servlet.DispatcherType type, String path, String servletName) {
		List<FilterHolder> chain = null;
		for (FilterMapping mapping : this.filterMappings) {
			if (mapping.urlPattern() != null && path != null && mapping.appliesTo(type, path, servletName)) {
				chain = add(chain, mapping.filter());
			}
		}
		for (FilterMapping mapping : this.filterMappings) {
			if (mapping.servletName() != null && mapping.appliesTo(type, path, servletName)) {
				chain = add(chain, mapping.filter());
			}
		}
		return (chain != null) ? chain : Collections.emptyList();
	}

	private static List<FilterHolder> add(List<FilterHolder> chain, FilterHolder filter) {
		List<FilterHolder> list = (chain != null) ? chain : new ArrayList<>(8);
		list.add(filter);
		return list;
	}

	ServletHolder servletMappedTo(String pattern) {
		synchronized (this.servlets) {
			for (ServletHolder holder : this.servlets.values()) {
				if (holder.getMappings().contains(pattern)) {
					return holder;
				}
			}
		}
		return null;
	}

	ServletHolder servletNamed(String name) {
		synchronized (this.servlets) {
			ServletHolder holder = this.servlets.get(name);
			if (holder == null && "default".equals(name) && this.defaultServletEnabled) {
				return this.fallbackServlet;
			}
			return holder;
		}
	}

	// --- listeners ----------------------------------------------------------------------------

	/**
	 * The listeners of a type, in registration order (unmodifiable). Cached per type: requests
	 * ask for them on every request and every attribute change, and the set is fixed once the
	 * context has started.
	 */
	@SuppressWarnings("unchecked")
	<T extends EventListener> List<T> listeners(Class<T> type) {
		List<?> cached = this.listenersByType.get(type);
		if (cached == null) {
			List<T> result = new ArrayList<>(2);
			for (EventListener listener : this.listeners) {
				if (type.isInstance(listener)) {
					result.add(type.cast(listener));
				}
			}
			cached = result.isEmpty() ? List.of() : Collections.unmodifiableList(result);
			this.listenersByType.put(type, cached);
		}
		return (List<T>) cached;
	}

	boolean hasListeners(Class<? extends EventListener> type) {
		return !listeners(type).isEmpty();
	}

	// --- ServletContext: basics ---------------------------------------------------------------

	@Override
	public String getContextPath() {
		return this.contextPath;
	}

	@Override
	public ServletContext getContext(String uripath) {
		if (uripath == null || !uripath.startsWith("/")) {
			return null;
		}
		if (this.contextPath.isEmpty() || uripath.equals(this.contextPath)
				|| uripath.startsWith(this.contextPath + "/")) {
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
		return this.mimeTypes.forFileName(file);
	}

	@Override
	public String getServerInfo() {
		return SERVER_INFO;
	}

	@Override
	public String getServletContextName() {
		return this.displayName;
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
		ClassLoader loader = this.classLoader;
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

	// --- servlets -----------------------------------------------------------------------------

	@Override
	public ServletRegistration.Dynamic addServlet(String servletName, String className) {
		return addServlet(servletName, className, null);
	}

	@Override
	public ServletRegistration.Dynamic addServlet(String servletName, Servlet servlet) {
		if (servlet == null) {
			throw new IllegalArgumentException("servlet must not be null");
		}
		return addServlet(servletName, servlet.getClass().getName(), servlet);
	}

	@Override
	public ServletRegistration.Dynamic addServlet(String servletName, Class<? extends Servlet> servletClass) {
		if (servletClass == null) {
			throw new IllegalArgumentException("servletClass must not be null");
		}
		return addServlet(servletName, servletClass.getName(), null);
	}

	private ServletRegistration.Dynamic addServlet(String servletName, String className, Servlet instance) {
		if (servletName == null || servletName.isEmpty()) {
			throw new IllegalArgumentException("Servlet name must not be null or empty");
		}
		checkNotStarted("addServlet");
		synchronized (this.servlets) {
			if (this.servlets.containsKey(servletName)) {
				return null;
			}
			ServletHolder holder = new ServletHolder(this, servletName, className, instance, this.servletOrder++);
			this.servlets.put(servletName, holder);
			return holder;
		}
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
		synchronized (this.servlets) {
			return this.servlets.get(servletName);
		}
	}

	@Override
	public Map<String, ? extends ServletRegistration> getServletRegistrations() {
		synchronized (this.servlets) {
			return Collections.unmodifiableMap(new LinkedHashMap<>(this.servlets));
		}
	}

	// --- filters ------------------------------------------------------------------------------

	@Override
	public FilterRegistration.Dynamic addFilter(String filterName, String className) {
		return addFilter(filterName, className, null);
	}

	@Override
	public FilterRegistration.Dynamic addFilter(String filterName, Filter filter) {
		if (filter == null) {
			throw new IllegalArgumentException("filter must not be null");
		}
		return addFilter(filterName, filter.getClass().getName(), filter);
	}

	@Override
	public FilterRegistration.Dynamic addFilter(String filterName, Class<? extends Filter> filterClass) {
		if (filterClass == null) {
			throw new IllegalArgumentException("filterClass must not be null");
		}
		return addFilter(filterName, filterClass.getName(), null);
	}

	private FilterRegistration.Dynamic addFilter(String filterName, String className, Filter instance) {
		if (filterName == null || filterName.isEmpty()) {
			throw new IllegalArgumentException("Filter name must not be null or empty");
		}
		checkNotStarted("addFilter");
		synchronized (this.filters) {
			if (this.filters.containsKey(filterName)) {
				return null;
			}
			FilterHolder holder = new FilterHolder(this, filterName, className, instance);
			this.filters.put(filterName, holder);
			return holder;
		}
	}

	@Override
	public <T extends Filter> T createFilter(Class<T> clazz) throws ServletException {
		return instantiate(clazz);
	}

	@Override
	public FilterRegistration getFilterRegistration(String filterName) {
		synchronized (this.filters) {
			return this.filters.get(filterName);
		}
	}

	@Override
	public Map<String, ? extends FilterRegistration> getFilterRegistrations() {
		synchronized (this.filters) {
			return Collections.unmodifiableMap(new LinkedHashMap<>(this.filters));
		}
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
		checkListenerType(listener.getClass());
		this.listeners.add(listener);
		this.listenersByType.clear();
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
		checkListenerType(clazz);
		return instantiate(clazz);
	}

	private static void checkListenerType(Class<?> type) {
		for (Class<?> supported : LISTENER_TYPES) {
			if (supported.isAssignableFrom(type)) {
				return;
			}
		}
		throw new IllegalArgumentException(type.getName() + " implements no supported listener interface");
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
		return this.sessionTimeoutMinutes;
	}

	@Override
	public void setSessionTimeout(int sessionTimeout) {
		checkNotStarted("setSessionTimeout");
		setSessionTimeoutSeconds((sessionTimeout <= 0) ? 0 : sessionTimeout * 60);
	}

	/** Seconds of inactivity before a session expires; ≤ 0 never. */
	int sessionTimeoutSeconds() {
		return this.sessionTimeoutSeconds;
	}

	private volatile int sessionTimeoutSeconds = 30 * 60;

	void setSessionTimeoutSeconds(int seconds) {
		this.sessionTimeoutSeconds = seconds;
		this.sessionTimeoutMinutes = (seconds <= 0) ? 0 : Math.max(1, (seconds + 59) / 60);
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
		ServletHolder holder = servletNamed(name);
		return (holder != null) ? ContainerDispatcher.forServlet(this, holder) : null;
	}

	// --- resources ----------------------------------------------------------------------------

	/** The file for a context-relative path under the document root, or null. */
	Path documentFile(String path) {
		if (this.documentRoot == null || path == null || !path.startsWith("/")) {
			return null;
		}
		String normalized = RequestPath.normalize(path);
		if (normalized == null) {
			return null;
		}
		Path root = this.documentRoot.toAbsolutePath().normalize();
		Path file = root.resolve(normalized.substring(1)).normalize();
		if (!file.startsWith(root) || !Files.exists(file)) {
			return null;
		}
		try {
			// no symbolic link may lead out of the document root (as Tomcat without allowLinking)
			return file.toRealPath().startsWith(root.toRealPath()) ? file : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** {@code META-INF/resources} + a normalised path on the class path, or null (cached: see ResourceCache). */
	URL classPathResource(String normalized) {
		return this.classPathResources.find(getClassLoader(), normalized);
	}

	@Override
	public URL getResource(String path) throws MalformedURLException {
		if (path == null || !path.startsWith("/")) {
			throw new MalformedURLException("Resource path must start with '/': " + path);
		}
		Path file = documentFile(path);
		if (file != null) {
			return file.toUri().toURL();
		}
		String normalized = RequestPath.normalize(path);
		if (normalized == null) {
			return null;
		}
		URL url = classPathResource(normalized);
		if (url != null) {
			return url;
		}
		if (normalized.equals("/")) {
			return temporaryDocumentRoot().toUri().toURL();
		}
		return null;
	}

	private synchronized Path temporaryDocumentRoot() throws MalformedURLException {
		if (this.documentRoot != null) {
			return this.documentRoot;
		}
		if (this.temporaryDocumentRoot == null) {
			try {
				this.temporaryDocumentRoot = Files.createTempDirectory("starlet-docbase");
				this.temporaryDocumentRoot.toFile().deleteOnExit();
			}
			catch (IOException ex) {
				throw new MalformedURLException("Cannot create a document root: " + ex.getMessage());
			}
		}
		return this.temporaryDocumentRoot;
	}

	@Override
	public InputStream getResourceAsStream(String path) {
		try {
			URL url = getResource(path);
			if (url == null) {
				return null;
			}
			if ("file".equals(url.getProtocol()) && Files.isDirectory(Path.of(url.toURI()))) {
				return null;
			}
			return url.openStream();
		}
		catch (IOException | java.net.URISyntaxException ex) {
			return null;
		}
	}

	@Override
	public Set<String> getResourcePaths(String path) {
		if (path == null || !path.startsWith("/")) {
			return null;
		}
		String dir = path.endsWith("/") ? path : path + "/";
		Set<String> result = new TreeSet<>();
		Path file = documentFile(dir);
		if (file != null && Files.isDirectory(file)) {
			try (DirectoryStream<Path> entries = Files.newDirectoryStream(file)) {
				for (Path entry : entries) {
					result.add(dir + entry.getFileName() + (Files.isDirectory(entry) ? "/" : ""));
				}
			}
			catch (IOException ex) {
				// unreadable directory: report what we have
			}
		}
		try {
			Enumeration<URL> urls = getClassLoader().getResources("META-INF/resources" + dir);
			while (urls.hasMoreElements()) {
				URL url = urls.nextElement();
				if ("file".equals(url.getProtocol())) {
					try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(url.toURI()))) {
						for (Path entry : entries) {
							result.add(dir + entry.getFileName() + (Files.isDirectory(entry) ? "/" : ""));
						}
					}
				}
			}
		}
		catch (IOException | java.net.URISyntaxException | RuntimeException ex) {
			// class path entries we cannot list are skipped
		}
		return result.isEmpty() ? null : new LinkedHashSet<>(result);
	}

	@Override
	public String getRealPath(String path) {
		if (this.documentRoot == null || path == null) {
			return null;
		}
		String p = path.startsWith("/") ? path : "/" + path;
		String normalized = RequestPath.normalize(p);
		if (normalized == null) {
			return null;
		}
		Path root = this.documentRoot.toAbsolutePath().normalize();
		Path file = root.resolve(normalized.substring(1)).normalize();
		return file.startsWith(root) ? file.toString() : null;
	}

	Charset charsetForLocale(Locale locale) {
		if (this.localeCharsets.isEmpty() || locale == null) {
			return null;
		}
		Charset charset = this.localeCharsets.get(locale);
		if (charset == null) {
			charset = this.localeCharsets.get(Locale.forLanguageTag(locale.getLanguage()));
		}
		return charset;
	}

}
