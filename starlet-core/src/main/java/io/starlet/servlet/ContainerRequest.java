package io.starlet.servlet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.security.Principal;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.starlet.Exchange;
import io.starlet.http.Fields;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestAttributeEvent;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.Part;

/**
 * The {@link HttpServletRequest} over one {@link Exchange}. The path-related state (dispatcher
 * type, request URI, servlet path, path info, mapping, parameters) belongs to the current
 * dispatch: {@link ContainerDispatcher} saves it, changes it for a forward, include, error or
 * async dispatch, and restores it afterwards, so wrappers that applications put around this
 * request see the dispatch they are in.
 *
 * <p>Jobs with logic of their own live elsewhere: {@link RequestBody} (stream, reader, charset),
 * {@link RequestParameters} (query and form parsing), {@link RequestSession} (finding,
 * creating and renaming the session), {@link RequestParts} (multipart parts),
 * {@link RequestConnection} (the forwarded-header view of client and host),
 * {@link RequestAttributes} and {@link MultipartParser}. The class stays longer than most because
 * {@code HttpServletRequest} has some eighty methods, each a few lines or a delegation.
 */
final class ContainerRequest implements HttpServletRequest {

	final ContainerContext context;

	final Exchange exchange;

	final ServletContainer container;

	ContainerResponse response;

	// --- per-dispatch state ---------------------------------------------------------------------

	DispatcherType dispatcherType = DispatcherType.REQUEST;

	String requestURI;

	String servletPath = "";

	String pathInfo;

	ServletMapping mapping;

	String queryString;

	/** Null until first asked for, and after a dispatch with a query: then see pendingQuery. */
	Map<String, String[]> parameters;

	/** A dispatch query merged on the first parameter access ({@link ContainerDispatcher#addQuery}). */
	ContainerDispatcher.PendingQuery pendingQuery;

	boolean asyncSupported = true;

	// --- request state --------------------------------------------------------------------------

	private final RequestAttributes attributes = new RequestAttributes();

	private final RequestBody body;

	private Cookie[] cookies;

	private List<Locale> locales;

	/** Created when first asked for: many requests read no parameter. */
	private RequestParameters baseParameters;

	private final RequestConnection connection;

	/** Created when first asked for: most requests have no session. */
	private RequestSession session;

	// --- async and multipart ---------------------------------------------------------------------

	ContainerAsyncContext asyncContext;

	/** Created when first asked for: few requests are multipart. */
	private RequestParts parts;

	ClientInfo client() {
		return this.connection.client();
	}

	ContainerRequest(ServletContainer container, Exchange exchange) {
		this.container = container;
		this.context = container.context();
		this.exchange = exchange;
		this.connection = new RequestConnection(exchange, container.forwardedHeaders());
		this.body = new RequestBody(exchange, this.context);
		this.requestURI = exchange.path();
		this.queryString = exchange.query();
		io.starlet.WorkerInfo worker = exchange.worker();
		if (worker != null) {
			this.attributes.put(ServletContainer.WORKER_ATTRIBUTE, worker);
		}
	}

	/** The container's own request behind any wrappers, or null if there is none. */
	static ContainerRequest unwrap(ServletRequest request) {
		ServletRequest current = request;
		for (int i = 0; i < 64 && current != null; i++) {
			if (current instanceof ContainerRequest containerRequest) {
				return containerRequest;
			}
			if (current instanceof ServletRequestWrapper wrapper) {
				current = wrapper.getRequest();
			}
			else {
				return null;
			}
		}
		return null;
	}

	// --- attributes ---------------------------------------------------------------------------

	@Override
	public Object getAttribute(String name) {
		if (name == null) {
			return null;
		}
		return this.attributes.get(name);
	}

	@Override
	public Enumeration<String> getAttributeNames() {
		return Collections.enumeration(this.attributes.names());
	}

	@Override
	public void setAttribute(String name, Object value) {
		if (name == null) {
			throw new IllegalArgumentException("Attribute name must not be null");
		}
		if (value == null) {
			removeAttribute(name);
			return;
		}
		Object old = this.attributes.put(name, value);
		List<ServletRequestAttributeListener> listeners = this.context.requestAttributeListeners();
		if (!listeners.isEmpty()) {
			for (ServletRequestAttributeListener listener : listeners) {
				if (old == null) {
					listener.attributeAdded(new ServletRequestAttributeEvent(this.context, this, name, value));
				}
				else {
					listener.attributeReplaced(new ServletRequestAttributeEvent(this.context, this, name, old));
				}
			}
		}
	}

	@Override
	public void removeAttribute(String name) {
		if (name == null) {
			return;
		}
		Object old = this.attributes.remove(name);
		List<ServletRequestAttributeListener> listeners = this.context.requestAttributeListeners();
		if (old != null && !listeners.isEmpty()) {
			for (ServletRequestAttributeListener listener : listeners) {
				listener.attributeRemoved(new ServletRequestAttributeEvent(this.context, this, name, old));
			}
		}
	}

	/** Sets or removes an attribute without telling listeners (container bookkeeping). */
	void setAttributeQuietly(String name, Object value) {
		if (value == null) {
			this.attributes.remove(name);
		}
		else {
			this.attributes.put(name, value);
		}
	}

	// --- character encoding and body ----------------------------------------------------------

	@Override
	public String getCharacterEncoding() {
		return this.body.characterEncoding(getContentType());
	}

	@Override
	public void setCharacterEncoding(String encoding) throws UnsupportedEncodingException {
		this.body.setCharacterEncoding(encoding);
	}

	@Override
	public void setCharacterEncoding(Charset encoding) {
		this.body.setCharacterEncoding(encoding);
	}

	/** The charset to decode the body with: the declared one, else UTF-8. */
	Charset bodyCharset() {
		return this.body.charset(getContentType());
	}

	@Override
	public int getContentLength() {
		long length = getContentLengthLong();
		return (length > Integer.MAX_VALUE) ? -1 : (int) length;
	}

	@Override
	public long getContentLengthLong() {
		if (!this.exchange.requestHeaders().contains("Content-Length")) {
			return -1;
		}
		return this.exchange.requestContentLength();
	}

	@Override
	public String getContentType() {
		return this.exchange.requestHeaders().get("Content-Type");
	}

	/** Cuts the request's streams off the engine once the exchange is over. */
	void abandonStreams() {
		this.body.abandon();
		this.response.output().abandon();
	}

	RequestInput input() {
		return this.body.input();
	}

	@Override
	public ServletInputStream getInputStream() throws IOException {
		return this.body.inputStream();
	}

	@Override
	public BufferedReader getReader() throws IOException {
		return this.body.reader(getContentType());
	}

	// --- parameters ---------------------------------------------------------------------------

	Map<String, String[]> parameters() {
		if (this.parameters == null) {
			if (this.pendingQuery == null) {
				this.parameters = baseParameters();
			}
			else {
				this.parameters = this.pendingQuery.parameters(this);
				this.pendingQuery = null;
			}
		}
		return this.parameters;
	}

	/** Query and form parameters of the request as received (parsed once). */
	Map<String, String[]> baseParameters() {
		if (this.baseParameters == null) {
			this.baseParameters = new RequestParameters(this);
		}
		return this.baseParameters.get();
	}

	/** Whether the application took the body as a stream or reader (a form body is then its own). */
	boolean bodyStreamTaken() {
		return this.body.taken();
	}

	boolean isMultipart() {
		String type = getContentType();
		return type != null && HeaderValues.mediaType(type).equals("multipart/form-data");
	}

	@Override
	public String getParameter(String name) {
		String[] values = parameters().get(name);
		return (values != null && values.length > 0) ? values[0] : null;
	}

	@Override
	public Enumeration<String> getParameterNames() {
		return Collections.enumeration(parameters().keySet());
	}

	@Override
	public String[] getParameterValues(String name) {
		String[] values = parameters().get(name);
		return (values != null) ? values.clone() : null;
	}

	@Override
	public Map<String, String[]> getParameterMap() {
		return Collections.unmodifiableMap(parameters());
	}

	// --- request line and headers -------------------------------------------------------------

	@Override
	public String getMethod() {
		return this.exchange.method();
	}

	@Override
	public String getProtocol() {
		return this.exchange.protocol();
	}

	@Override
	public String getRequestURI() {
		return this.requestURI;
	}

	@Override
	public StringBuffer getRequestURL() {
		StringBuffer url = new StringBuffer(64);
		String scheme = getScheme();
		int port = getServerPort();
		url.append(scheme).append("://").append(getServerName());
		if (port > 0 && !(("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443))) {
			url.append(':').append(port);
		}
		url.append(getRequestURI());
		return url;
	}

	/**
	 * The context path as the request URI spells it (the specification: "not decoded"), which is
	 * not always the configured one: {@code /%61pp/x}, {@code /app;p=1/x} and {@code /./app/x} all
	 * reach context {@code /app}. Spring MVC requires the request URI to start with the context
	 * path, and fails such requests with a 500 otherwise.
	 */
	@Override
	public String getContextPath() {
		String contextPath = this.context.getContextPath();
		String uri = this.requestURI;
		int length = contextPath.length();
		if (length == 0 || (uri.startsWith(contextPath) && (uri.length() == length || uri.charAt(length) == '/'))) {
			return contextPath;
		}
		return RequestPath.rawContextPath(uri, contextPath);
	}

	@Override
	public String getServletPath() {
		return this.servletPath;
	}

	@Override
	public String getPathInfo() {
		return this.pathInfo;
	}

	@Override
	public String getPathTranslated() {
		return (this.pathInfo != null) ? this.context.getRealPath(this.pathInfo) : null;
	}

	@Override
	public String getQueryString() {
		return this.queryString;
	}

	@Override
	public HttpServletMapping getHttpServletMapping() {
		return this.mapping;
	}

	@Override
	public DispatcherType getDispatcherType() {
		return this.dispatcherType;
	}

	Fields headers() {
		return this.exchange.requestHeaders();
	}

	@Override
	public String getHeader(String name) {
		return (name != null) ? headers().get(name) : null;
	}

	@Override
	public Enumeration<String> getHeaders(String name) {
		return (name != null) ? Collections.enumeration(headers().getAll(name)) : Collections.emptyEnumeration();
	}

	@Override
	public Enumeration<String> getHeaderNames() {
		return Collections.enumeration(headers().names());
	}

	@Override
	public long getDateHeader(String name) {
		String value = getHeader(name);
		if (value == null) {
			return -1;
		}
		long date = HttpDates.parse(value);
		if (date < 0) {
			throw new IllegalArgumentException("Header " + name + " is not an HTTP date: " + value);
		}
		return date;
	}

	@Override
	public int getIntHeader(String name) {
		String value = getHeader(name);
		return (value != null) ? Integer.parseInt(value.trim()) : -1;
	}

	@Override
	public Cookie[] getCookies() {
		if (this.cookies == null) {
			List<String> values = headers().getAll("Cookie");
			this.cookies = values.isEmpty() ? new Cookie[0] : Cookies.parse(values).toArray(new Cookie[0]);
		}
		return (this.cookies.length == 0) ? null : this.cookies.clone();
	}

	@Override
	public Map<String, String> getTrailerFields() {
		if (!isTrailerFieldsReady()) {
			throw new IllegalStateException("Trailer fields are not ready: the body has not been read to its end");
		}
		Fields trailers = this.exchange.requestTrailers();
		Map<String, String> result = new LinkedHashMap<>();
		for (int i = 0; i < trailers.size(); i++) {
			result.merge(trailers.name(i).toLowerCase(Locale.ROOT), trailers.value(i), (a, b) -> a + "," + b);
		}
		return result;
	}

	@Override
	public boolean isTrailerFieldsReady() {
		return this.exchange.requestContentLength() >= 0 || this.body.isFinished();
	}

	// --- locales ------------------------------------------------------------------------------

	@Override
	public Locale getLocale() {
		return locales().get(0);
	}

	@Override
	public Enumeration<Locale> getLocales() {
		return Collections.enumeration(locales());
	}

	private List<Locale> locales() {
		if (this.locales == null) {
			List<Locale> parsed = HeaderValues.acceptLanguage(headers().getAll("Accept-Language"));
			this.locales = parsed.isEmpty() ? List.of(Locale.getDefault()) : parsed;
		}
		return this.locales;
	}

	// --- connection ---------------------------------------------------------------------------

	@Override
	public String getScheme() {
		return client().scheme();
	}

	@Override
	public boolean isSecure() {
		return "https".equals(getScheme());
	}

	@Override
	public String getServerName() {
		return client().serverName();
	}

	@Override
	public int getServerPort() {
		return client().serverPort();
	}

	@Override
	public String getRemoteAddr() {
		return this.connection.remoteAddr();
	}

	@Override
	public String getRemoteHost() {
		return getRemoteAddr();
	}

	@Override
	public int getRemotePort() {
		return this.connection.remotePort();
	}

	@Override
	public String getLocalName() {
		return this.connection.localName();
	}

	@Override
	public String getLocalAddr() {
		return this.connection.localAddr();
	}

	@Override
	public int getLocalPort() {
		return this.connection.localPort();
	}

	@Override
	public ServletContext getServletContext() {
		return this.context;
	}

	@Override
	public String getRequestId() {
		return Long.toString(this.exchange.requestId());
	}

	@Override
	public String getProtocolRequestId() {
		return "";
	}

	@Override
	public ServletConnection getServletConnection() {
		return this.connection.servletConnection();
	}

	// --- dispatching --------------------------------------------------------------------------

	@Override
	public RequestDispatcher getRequestDispatcher(String path) {
		if (path == null) {
			return null;
		}
		if (path.startsWith("/")) {
			return this.context.getRequestDispatcher(path);
		}
		String current = this.servletPath + ((this.pathInfo != null) ? this.pathInfo : "");
		if (this.dispatcherType == DispatcherType.INCLUDE) {
			Object includeServletPath = getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH);
			Object includePathInfo = getAttribute(RequestDispatcher.INCLUDE_PATH_INFO);
			if (includeServletPath != null) {
				current = includeServletPath + ((includePathInfo != null) ? includePathInfo.toString() : "");
			}
		}
		int slash = current.lastIndexOf('/');
		String base = (slash >= 0) ? current.substring(0, slash + 1) : "/";
		return this.context.getRequestDispatcher(base + path);
	}

	// --- async --------------------------------------------------------------------------------

	@Override
	public AsyncContext startAsync() {
		return startAsync(this, this.response);
	}

	@Override
	public AsyncContext startAsync(ServletRequest servletRequest, ServletResponse servletResponse) {
		if (!isAsyncSupported()) {
			throw new IllegalStateException("Async is not supported by every filter and servlet of this request");
		}
		if (this.asyncContext == null) {
			this.asyncContext = new ContainerAsyncContext(this, this.response);
		}
		this.attributes.share();
		this.asyncContext.start(servletRequest, servletResponse,
				servletRequest == this && servletResponse == this.response);
		return this.asyncContext;
	}

	@Override
	public boolean isAsyncStarted() {
		return this.asyncContext != null && this.asyncContext.isStarted();
	}

	@Override
	public boolean isAsyncSupported() {
		return this.asyncSupported;
	}

	@Override
	public AsyncContext getAsyncContext() {
		if (!isAsyncStarted()) {
			throw new IllegalStateException("The request is not in async mode");
		}
		return this.asyncContext;
	}

	// --- security (no realm) ------------------------------------------------------------------

	@Override
	public String getAuthType() {
		return null;
	}

	@Override
	public String getRemoteUser() {
		return null;
	}

	@Override
	public boolean isUserInRole(String role) {
		return false;
	}

	@Override
	public Principal getUserPrincipal() {
		return null;
	}

	@Override
	public boolean authenticate(HttpServletResponse response) throws IOException, ServletException {
		if (response.isCommitted()) {
			throw new IllegalStateException("The response has already been committed");
		}
		response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
		return false;
	}

	@Override
	public void login(String username, String password) throws ServletException {
		throw new ServletException("login: Starlet has no realm configured; use an application-level security framework");
	}

	@Override
	public void logout() {
		// no container authentication, so there is no identity to clear
	}

	// --- sessions -----------------------------------------------------------------------------

	private RequestSession session() {
		if (this.session == null) {
			this.session = new RequestSession(this);
		}
		return this.session;
	}

	@Override
	public String getRequestedSessionId() {
		return session().requested().id();
	}

	@Override
	public HttpSession getSession(boolean create) {
		return session().get(create);
	}

	@Override
	public HttpSession getSession() {
		return getSession(true);
	}

	@Override
	public String changeSessionId() {
		return session().changeId();
	}

	/** The request's session if it has a valid one, without looking it up or creating it. */
	ContainerSession currentSession() {
		return (this.session != null) ? this.session.current() : null;
	}

	@Override
	public boolean isRequestedSessionIdValid() {
		return session().requestedIsValid();
	}

	@Override
	public boolean isRequestedSessionIdFromCookie() {
		return session().requested().fromCookie();
	}

	@Override
	public boolean isRequestedSessionIdFromURL() {
		return session().requested().fromUrl();
	}

	// --- multipart and upgrade ----------------------------------------------------------------

	@Override
	public Collection<Part> getParts() throws IOException, ServletException {
		if (this.parts == null) {
			this.parts = new RequestParts(this);
		}
		return this.parts.get();
	}

	@Override
	public Part getPart(String name) throws IOException, ServletException {
		for (Part part : getParts()) {
			if (part.getName().equals(name)) {
				return part;
			}
		}
		return null;
	}

	@Override
	public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws IOException, ServletException {
		return UpgradedWebConnection.upgrade(this, handlerClass);
	}

	@Override
	public String toString() {
		return "ContainerRequest[" + getMethod() + " " + this.requestURI + "]";
	}

}
