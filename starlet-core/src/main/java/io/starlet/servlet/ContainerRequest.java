package io.starlet.servlet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.security.Principal;
import java.util.ArrayList;
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
 */
final class ContainerRequest implements HttpServletRequest {

	/** The most bytes of an {@code application/x-www-form-urlencoded} body parsed as parameters. */
	static final int MAX_FORM_SIZE = 2 * 1024 * 1024;

	static final int MAX_PARAMETERS = 10_000;

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

	Map<String, String[]> parameters;

	boolean asyncSupported = true;

	// --- request state --------------------------------------------------------------------------

	private final RequestAttributes attributes = new RequestAttributes();

	private String characterEncoding;

	private boolean characterEncodingResolved;

	private RequestInput input;

	private boolean inputStreamUsed;

	private BufferedReader reader;

	private Cookie[] cookies;

	private List<Locale> locales;

	private Map<String, String[]> baseParameters;

	/** Resolved on first use: most requests never ask for the client or the addressed host. */
	private ClientInfo client;

	// --- sessions ---------------------------------------------------------------------------------

	private String requestedSessionId;

	private boolean requestedSessionIdFromCookie;

	private boolean requestedSessionIdFromUrl;

	private boolean sessionIdResolved;

	private ContainerSession session;

	// --- async and multipart ---------------------------------------------------------------------

	ContainerAsyncContext asyncContext;

	private Collection<Part> parts;

	private Exception partsFailure;

	ClientInfo client() {
		ClientInfo c = this.client;
		if (c == null) {
			// a race between two threads of an async request computes the same value twice
			c = this.container.forwardedHeaders().resolve(this.exchange);
			this.client = c;
		}
		return c;
	}

	ContainerRequest(ServletContainer container, Exchange exchange) {
		this.container = container;
		this.context = container.context();
		this.exchange = exchange;
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
		if (this.context.hasListeners(ServletRequestAttributeListener.class)) {
			for (ServletRequestAttributeListener listener : this.context
				.listeners(ServletRequestAttributeListener.class)) {
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
		if (old != null && this.context.hasListeners(ServletRequestAttributeListener.class)) {
			for (ServletRequestAttributeListener listener : this.context
				.listeners(ServletRequestAttributeListener.class)) {
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
		if (!this.characterEncodingResolved) {
			this.characterEncodingResolved = true;
			String fromHeader = HeaderValues.parameter(getContentType(), "charset");
			if (fromHeader != null) {
				this.characterEncoding = fromHeader;
			}
			else {
				this.characterEncoding = this.context.getRequestCharacterEncoding();
			}
		}
		return this.characterEncoding;
	}

	@Override
	public void setCharacterEncoding(String encoding) throws UnsupportedEncodingException {
		if (this.reader != null) {
			return;
		}
		if (encoding == null) {
			this.characterEncoding = null;
			this.characterEncodingResolved = false;
			return;
		}
		try {
			Charset.forName(encoding);
		}
		catch (IllegalCharsetNameException | UnsupportedCharsetException ex) {
			throw new UnsupportedEncodingException(encoding);
		}
		this.characterEncoding = encoding;
		this.characterEncodingResolved = true;
	}

	@Override
	public void setCharacterEncoding(Charset encoding) {
		if (this.reader != null) {
			return;
		}
		this.characterEncoding = (encoding != null) ? encoding.name() : null;
		this.characterEncodingResolved = encoding != null;
	}

	/** The charset to decode the body with: the declared one, else UTF-8. */
	Charset bodyCharset() {
		String encoding = getCharacterEncoding();
		if (encoding != null) {
			try {
				return Charset.forName(encoding);
			}
			catch (IllegalCharsetNameException | UnsupportedCharsetException ex) {
				// fall back below
			}
		}
		return StandardCharsets.UTF_8;
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
		if (this.input != null) {
			this.input.abandon();
		}
		this.response.output().abandon();
	}

	RequestInput input() {
		if (this.input == null) {
			this.input = new RequestInput(this.exchange.requestBody(), this.exchange::requestBodyRemaining);
		}
		return this.input;
	}

	@Override
	public ServletInputStream getInputStream() throws IOException {
		if (this.reader != null) {
			throw new IllegalStateException("getReader() has already been called for this request");
		}
		this.inputStreamUsed = true;
		return input();
	}

	@Override
	public BufferedReader getReader() throws IOException {
		if (this.reader == null) {
			if (this.input != null && this.inputStreamUsed) {
				throw new IllegalStateException("getInputStream() has already been called for this request");
			}
			this.reader = new BufferedReader(new InputStreamReader(input(), bodyCharset()));
		}
		return this.reader;
	}

	// --- parameters ---------------------------------------------------------------------------

	Map<String, String[]> parameters() {
		if (this.parameters == null) {
			this.parameters = baseParameters();
		}
		return this.parameters;
	}

	/** Query and form parameters of the request as received (parsed once). */
	Map<String, String[]> baseParameters() {
		if (this.baseParameters == null) {
			Map<String, List<String>> collected = new LinkedHashMap<>();
			try {
				UrlEncoded.parse(this.exchange.query(), queryCharset(), collected);
				if (isFormPost()) {
					parseFormBody(collected);
				}
				else if (isMultipart()) {
					collectMultipartParameters(collected);
				}
				this.baseParameters = toArrays(collected);
			}
			catch (BadRequestParametersException ex) {
				// report once; the error page that follows sees no parameters rather than the same failure
				this.baseParameters = new LinkedHashMap<>();
				throw ex;
			}
		}
		return this.baseParameters;
	}

	private Charset queryCharset() {
		return StandardCharsets.UTF_8;
	}

	private boolean isFormPost() {
		if (!"POST".equals(getMethod()) || this.reader != null || this.inputStreamUsed) {
			return false;
		}
		String type = getContentType();
		return type != null && HeaderValues.mediaType(type).equals("application/x-www-form-urlencoded");
	}

	boolean isMultipart() {
		String type = getContentType();
		return type != null && HeaderValues.mediaType(type).equals("multipart/form-data");
	}

	private void parseFormBody(Map<String, List<String>> collected) {
		long length = getContentLengthLong();
		if (length > MAX_FORM_SIZE) {
			throw new BadRequestParametersException("Form body of " + length + " bytes exceeds the limit of "
					+ MAX_FORM_SIZE + " bytes", null);
		}
		try {
			byte[] body = input().readNBytes(MAX_FORM_SIZE + 1);
			if (body.length > MAX_FORM_SIZE) {
				throw new BadRequestParametersException("Form body exceeds the limit of " + MAX_FORM_SIZE + " bytes",
						null);
			}
			UrlEncoded.parse(new String(body, bodyCharset()), bodyCharset(), collected);
		}
		catch (IOException ex) {
			throw new BadRequestParametersException("Cannot read the form body: " + ex.getMessage(), ex);
		}
	}

	private void collectMultipartParameters(Map<String, List<String>> collected) {
		try {
			for (Part part : getParts()) {
				if (part.getSubmittedFileName() == null && part instanceof MultipartPart multipartPart) {
					collected.computeIfAbsent(part.getName(), (k) -> new ArrayList<>(1))
						.add(multipartPart.text(bodyCharset()));
				}
			}
		}
		catch (IOException | ServletException | IllegalStateException ex) {
			// parameters stay as they are; getParts() reports the failure to whoever calls it
		}
	}

	static Map<String, String[]> toArrays(Map<String, List<String>> collected) {
		Map<String, String[]> result = new LinkedHashMap<>(collected.size() * 2);
		int count = 0;
		for (Map.Entry<String, List<String>> entry : collected.entrySet()) {
			count += entry.getValue().size();
			if (count > MAX_PARAMETERS) {
				throw new BadRequestParametersException("More than " + MAX_PARAMETERS + " request parameters", null);
			}
			result.put(entry.getKey(), entry.getValue().toArray(new String[0]));
		}
		return result;
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

	@Override
	public String getContextPath() {
		return this.context.getContextPath();
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
		return Collections.enumeration(headers().getAll(name));
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
		return this.exchange.requestContentLength() >= 0 || (this.input != null && this.input.isFinished());
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
		// Spring MVC asks on every request (its request-handled event): without forwarded
		// headers the answer is the socket's peer, with no need to resolve the rest
		if (this.client == null && !this.container.forwardedHeaders().enabled()) {
			return ForwardedHeaders.peerAddress(this.exchange.remoteAddress());
		}
		return client().remoteAddr();
	}

	@Override
	public String getRemoteHost() {
		return getRemoteAddr();
	}

	@Override
	public int getRemotePort() {
		if (this.client == null && !this.container.forwardedHeaders().enabled()) {
			return ForwardedHeaders.peerPort(this.exchange.remoteAddress());
		}
		return client().remotePort();
	}

	@Override
	public String getLocalName() {
		SocketAddress local = this.exchange.localAddress();
		return (local instanceof InetSocketAddress inet) ? inet.getHostString() : "localhost";
	}

	@Override
	public String getLocalAddr() {
		SocketAddress local = this.exchange.localAddress();
		return (local instanceof InetSocketAddress inet && inet.getAddress() != null)
				? inet.getAddress().getHostAddress() : "127.0.0.1";
	}

	@Override
	public int getLocalPort() {
		SocketAddress local = this.exchange.localAddress();
		return (local instanceof InetSocketAddress inet) ? inet.getPort() : 0;
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
		long connectionId = this.exchange.connectionId();
		String protocol = this.exchange.protocol().toLowerCase(Locale.ROOT);
		return new ServletConnection() {

			@Override
			public String getConnectionId() {
				return Long.toString(connectionId);
			}

			@Override
			public String getProtocol() {
				return protocol;
			}

			@Override
			public String getProtocolConnectionId() {
				return "";
			}

			@Override
			public boolean isSecure() {
				return false;
			}

		};
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

	private void resolveRequestedSessionId() {
		if (this.sessionIdResolved) {
			return;
		}
		this.sessionIdResolved = true;
		SessionManager sessions = this.container.sessions();
		if (this.context.isCookieTracking()) {
			String cookieName = this.context.getSessionCookieConfig().getName();
			Cookie[] all = getCookies();
			if (all != null) {
				String firstSeen = null;
				for (Cookie cookie : all) {
					if (cookie.getName().equals(cookieName)) {
						if (firstSeen == null) {
							firstSeen = cookie.getValue();
						}
						if (sessions.find(cookie.getValue()) != null) {
							firstSeen = cookie.getValue();
							break;
						}
					}
				}
				if (firstSeen != null) {
					this.requestedSessionId = firstSeen;
					this.requestedSessionIdFromCookie = true;
					return;
				}
			}
		}
		if (this.context.isUrlTracking()) {
			String fromUrl = RequestPath.sessionIdParameter(this.exchange.path());
			if (fromUrl != null) {
				this.requestedSessionId = fromUrl;
				this.requestedSessionIdFromUrl = true;
			}
		}
	}

	@Override
	public String getRequestedSessionId() {
		resolveRequestedSessionId();
		return this.requestedSessionId;
	}

	@Override
	public HttpSession getSession(boolean create) {
		if (this.session != null && this.session.isValid()) {
			return this.session;
		}
		this.session = null;
		resolveRequestedSessionId();
		SessionManager sessions = this.container.sessions();
		if (this.requestedSessionId != null) {
			ContainerSession existing = sessions.find(this.requestedSessionId);
			if (existing != null) {
				existing.access();
				this.session = existing;
				return existing;
			}
		}
		if (!create) {
			return null;
		}
		if (this.response.isCommitted() && this.context.isCookieTracking()) {
			throw new IllegalStateException("Cannot create a session after the response has been committed");
		}
		this.session = sessions.create();
		this.response.addSessionCookie(this.session.getId());
		return this.session;
	}

	@Override
	public HttpSession getSession() {
		return getSession(true);
	}

	@Override
	public String changeSessionId() {
		HttpSession current = getSession(false);
		if (current == null) {
			throw new IllegalStateException("The request has no session");
		}
		String newId = this.container.sessions().changeId(this.session);
		this.response.addSessionCookie(newId);
		return newId;
	}

	ContainerSession currentSession() {
		return (this.session != null && this.session.isValid()) ? this.session : null;
	}

	@Override
	public boolean isRequestedSessionIdValid() {
		resolveRequestedSessionId();
		if (this.requestedSessionId == null) {
			return false;
		}
		ContainerSession found = this.container.sessions().find(this.requestedSessionId);
		return found != null;
	}

	@Override
	public boolean isRequestedSessionIdFromCookie() {
		resolveRequestedSessionId();
		return this.requestedSessionIdFromCookie;
	}

	@Override
	public boolean isRequestedSessionIdFromURL() {
		resolveRequestedSessionId();
		return this.requestedSessionIdFromUrl;
	}

	// --- multipart and upgrade ----------------------------------------------------------------

	@Override
	public Collection<Part> getParts() throws IOException, ServletException {
		if (!isMultipart()) {
			throw new ServletException("The request is not multipart/form-data (Content-Type: " + getContentType() + ")");
		}
		if (this.partsFailure != null) {
			if (this.dispatcherType == DispatcherType.ERROR) {
				// the error page reports the failure; failing it again would hide the application's error page
				return Collections.emptyList();
			}
			rethrowPartsFailure();
		}
		if (this.parts == null) {
			ServletHolder servlet = (this.mapping != null) ? this.mapping.servlet() : null;
			jakarta.servlet.MultipartConfigElement config = (servlet != null) ? servlet.getMultipartConfig() : null;
			if (config == null) {
				throw new IllegalStateException("Unable to process parts: no multipart config was provided for servlet "
						+ ((servlet != null) ? servlet.getName() : "?"));
			}
			try {
				this.parts = Collections.unmodifiableList(new MultipartParser(this, config).parse());
				this.response.cleanupOnComplete(this.parts);
			}
			catch (IOException | ServletException | RuntimeException ex) {
				this.partsFailure = ex;
				throw ex;
			}
		}
		return this.parts;
	}

	private void rethrowPartsFailure() throws IOException, ServletException {
		Exception failure = this.partsFailure;
		if (failure instanceof IOException io) {
			throw io;
		}
		if (failure instanceof ServletException se) {
			throw se;
		}
		throw (RuntimeException) failure;
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
		throw new UnsupportedOperationException("upgrade: Starlet does not support HTTP upgrade (WebSocket, h2c)");
	}

	@Override
	public String toString() {
		return "ContainerRequest[" + getMethod() + " " + this.requestURI + "]";
	}

}
