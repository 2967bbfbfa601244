package io.starlet.servlet;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.starlet.Exchange;
import io.starlet.http.HttpFields;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;

/**
 * The {@link HttpServletResponse} over one {@link Exchange}. Headers live in the exchange's
 * response headers, except {@code Content-Type} and {@code Content-Length}, which are kept here
 * and written when the response commits.
 */
final class ContainerResponse implements HttpServletResponse {

	static final int DEFAULT_BUFFER_SIZE = 8192;

	private final ContainerRequest request;

	private final Exchange exchange;

	private final ContainerContext context;

	private final ServletContainer container;

	private final ResponseOutput output;

	private int status = SC_OK;

	private String mediaType;

	private String characterEncoding;

	private boolean characterEncodingExplicit;

	private Locale locale;

	private long contentLength = -1;

	/** 0 = neither, 1 = output stream, 2 = writer. */
	private int outputMode;

	private PrintWriter writer;

	private ResponseWriter responseWriter;

	/** Set by sendError and sendRedirect: the application may not write any more. */
	private boolean suspended;

	private int errorStatus = -1;

	private String errorMessage;

	private int includeDepth;

	private String sessionCookie;

	private boolean clientAborted;

	private boolean compressed;

	private Supplier<java.util.Map<String, String>> trailerFields;

	private List<Part> partsToClean;

	ContainerResponse(ContainerRequest request, Exchange exchange) {
		this.request = request;
		this.exchange = exchange;
		this.container = request.container;
		this.context = request.context;
		this.output = new ResponseOutput(this, exchange, DEFAULT_BUFFER_SIZE);
	}

	static ContainerResponse unwrap(ServletResponse response) {
		ServletResponse current = response;
		for (int i = 0; i < 64 && current != null; i++) {
			if (current instanceof ContainerResponse containerResponse) {
				return containerResponse;
			}
			if (current instanceof ServletResponseWrapper wrapper) {
				current = wrapper.getResponse();
			}
			else {
				return null;
			}
		}
		return null;
	}

	private HttpFields headers() {
		return this.exchange.responseHeaders();
	}

	ResponseOutput output() {
		return this.output;
	}

	// --- state used by the container ----------------------------------------------------------

	boolean isSuspended() {
		return this.suspended;
	}

	int errorStatus() {
		return this.errorStatus;
	}

	String errorMessage() {
		return this.errorMessage;
	}

	void clearError() {
		this.errorStatus = -1;
		this.errorMessage = null;
	}

	void enterInclude() {
		this.includeDepth++;
	}

	void exitInclude() {
		this.includeDepth--;
	}

	private boolean isIncluding() {
		return this.includeDepth > 0;
	}

	long declaredContentLength() {
		return this.contentLength;
	}

	boolean bodyless() {
		return this.status == SC_NO_CONTENT || this.status == SC_NOT_MODIFIED || (this.status >= 100 && this.status < 200);
	}

	boolean isClientAborted() {
		return this.clientAborted;
	}

	IOException clientAborted(IOException cause) {
		this.clientAborted = true;
		return (cause instanceof ClientAbortException) ? cause : new ClientAbortException(cause);
	}

	void addSessionCookie(String sessionId) {
		if (!this.context.isCookieTracking()) {
			return;
		}
		SessionCookieSettings config = (SessionCookieSettings) this.context.getSessionCookieConfig();
		Cookie cookie = new Cookie(config.getName(), sessionId);
		config.getAttributes().forEach(cookie::setAttribute);
		if (config.getPath() == null) {
			String path = this.context.getContextPath();
			cookie.setPath(path.isEmpty() ? "/" : path);
		}
		String value = Cookies.format(cookie, this.context.sameSiteResolver);
		if (this.sessionCookie != null) {
			removeSetCookie(this.sessionCookie);
		}
		this.sessionCookie = value;
		if (!this.output.isCommitted()) {
			headers().add("Set-Cookie", value);
		}
	}

	private void removeSetCookie(String value) {
		HttpFields fields = headers();
		List<String> kept = new ArrayList<>();
		for (String v : fields.getAll("Set-Cookie")) {
			if (!v.equals(value)) {
				kept.add(v);
			}
		}
		fields.remove("Set-Cookie");
		kept.forEach((v) -> fields.add("Set-Cookie", v));
	}

	void cleanupOnComplete(Collection<Part> parts) {
		if (this.partsToClean == null) {
			this.partsToClean = new ArrayList<>();
		}
		this.partsToClean.addAll(parts);
	}

	void deleteParts() {
		if (this.partsToClean != null) {
			for (Part part : this.partsToClean) {
				try {
					part.delete();
				}
				catch (IOException ex) {
					// a temp file we could not delete; it is marked delete-on-exit
				}
			}
			this.partsToClean = null;
		}
	}

	/** Status and content type into the exchange, right before it commits. */
	void writeHead() {
		this.exchange.setStatus(this.status);
		if (this.trailerFields != null) {
			this.exchange.setResponseTrailers(this.trailerFields);
		}
		String contentType = getContentType();
		if (contentType != null) {
			headers().set("Content-Type", contentType);
		}
		else {
			headers().remove("Content-Type");
		}
	}

	boolean shouldCompress(long knownLength) {
		Compression compression = this.container.compression();
		if (compression == null || !compression.enabled() || this.exchange.isHead() || bodyless()) {
			return false;
		}
		if (this.status < 200 || this.status >= 300 || this.status == SC_PARTIAL_CONTENT) {
			return false;
		}
		if (headers().contains("Content-Encoding") || headers().contains("Content-Range")) {
			return false;
		}
		if (this.mediaType == null || !compression.isCompressible(this.mediaType)) {
			return false;
		}
		String vary = headers().get("Vary");
		if (vary == null) {
			headers().set("Vary", "Accept-Encoding");
		}
		else if (!vary.toLowerCase(Locale.ROOT).contains("accept-encoding") && !vary.equals("*")) {
			headers().set("Vary", vary + ", Accept-Encoding");
		}
		long size = (knownLength >= 0) ? knownLength : this.contentLength;
		if (size >= 0 && size < compression.minResponseSize()) {
			return false;
		}
		if (!HeaderValues.acceptsEncoding(this.request.headers().getAll("Accept-Encoding"), "gzip")) {
			return false;
		}
		return !compression.isExcludedUserAgent(this.request.getHeader("User-Agent"));
	}

	void markCompressed() {
		this.compressed = true;
		headers().set("Content-Encoding", "gzip");
		String etag = headers().get("ETag");
		if (etag != null && !etag.startsWith("W/")) {
			headers().set("ETag", "W/" + etag);
		}
	}

	boolean isCompressed() {
		return this.compressed;
	}

	/**
	 * Ends the response and completes the body. The writer is not flushed (flushing would commit
	 * without a length); it holds bytes back only once the response streams chunked, and those
	 * are handed over here.
	 */
	void finish() throws IOException {
		if (this.responseWriter != null) {
			this.responseWriter.drainHeld();
		}
		this.output.complete();
	}

	/** Prepares the response for an ERROR dispatch: the buffer is dropped, output allowed again. */
	void prepareForErrorDispatch(int status) {
		this.suspended = false;
		this.output.clearBuffer();
		this.output.reopen();
		if (this.responseWriter != null) {
			this.responseWriter.reset();
		}
		this.outputMode = 0;
		this.writer = null;
		this.responseWriter = null;
		this.contentLength = -1;
		this.status = status;
	}

	// --- status and headers -------------------------------------------------------------------

	@Override
	public void setStatus(int sc) {
		if (isCommitted() || isIncluding()) {
			return;
		}
		if (sc < 100 || sc > 999) {
			throw new IllegalArgumentException("Invalid status code " + sc);
		}
		this.status = sc;
	}

	@Override
	public int getStatus() {
		return this.status;
	}

	@Override
	public void setHeader(String name, String value) {
		if (name == null || isCommitted() || isIncluding()) {
			return;
		}
		if (setSpecialHeader(name, value)) {
			return;
		}
		headers().set(name, value);
	}

	@Override
	public void addHeader(String name, String value) {
		if (name == null || value == null || isCommitted() || isIncluding()) {
			return;
		}
		if (setSpecialHeader(name, value)) {
			return;
		}
		headers().add(name, value);
	}

	private boolean setSpecialHeader(String name, String value) {
		if (name.equalsIgnoreCase("Content-Type")) {
			setContentType(value);
			return true;
		}
		if (name.equalsIgnoreCase("Content-Length")) {
			if (value == null) {
				this.contentLength = -1;
			}
			else {
				try {
					setContentLengthLong(Long.parseLong(value.trim()));
				}
				catch (NumberFormatException ex) {
					// an invalid length is ignored, as Tomcat does
				}
			}
			return true;
		}
		return false;
	}

	@Override
	public boolean containsHeader(String name) {
		if (name.equalsIgnoreCase("Content-Type")) {
			return getContentType() != null;
		}
		if (name.equalsIgnoreCase("Content-Length")) {
			return this.contentLength >= 0;
		}
		return headers().contains(name);
	}

	@Override
	public String getHeader(String name) {
		if (name.equalsIgnoreCase("Content-Type")) {
			return getContentType();
		}
		if (name.equalsIgnoreCase("Content-Length")) {
			return (this.contentLength >= 0) ? Long.toString(this.contentLength) : null;
		}
		return headers().get(name);
	}

	@Override
	public Collection<String> getHeaders(String name) {
		if (name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Content-Length")) {
			String value = getHeader(name);
			return (value != null) ? List.of(value) : List.of();
		}
		return new ArrayList<>(headers().getAll(name));
	}

	@Override
	public Collection<String> getHeaderNames() {
		List<String> names = new ArrayList<>(headers().names());
		names.removeIf((n) -> n.equalsIgnoreCase("Content-Type") || n.equalsIgnoreCase("Content-Length"));
		if (getContentType() != null) {
			names.add("Content-Type");
		}
		if (this.contentLength >= 0) {
			names.add("Content-Length");
		}
		return names;
	}

	@Override
	public void setDateHeader(String name, long date) {
		setHeader(name, HttpDates.format(date));
	}

	@Override
	public void addDateHeader(String name, long date) {
		addHeader(name, HttpDates.format(date));
	}

	@Override
	public void setIntHeader(String name, int value) {
		setHeader(name, Integer.toString(value));
	}

	@Override
	public void addIntHeader(String name, int value) {
		addHeader(name, Integer.toString(value));
	}

	@Override
	public void addCookie(Cookie cookie) {
		if (cookie == null || isCommitted() || isIncluding()) {
			return;
		}
		headers().add("Set-Cookie", Cookies.format(cookie, this.context.sameSiteResolver));
	}

	@Override
	public void setTrailerFields(Supplier<java.util.Map<String, String>> supplier) {
		if (isCommitted()) {
			throw new IllegalStateException("The response has already been committed");
		}
		this.trailerFields = supplier;
	}

	@Override
	public Supplier<java.util.Map<String, String>> getTrailerFields() {
		return this.trailerFields;
	}

	// --- content type and encoding ------------------------------------------------------------

	@Override
	public void setContentType(String type) {
		if (isCommitted() || isIncluding()) {
			return;
		}
		if (type == null) {
			this.mediaType = null;
			if (this.outputMode != 2) {
				this.characterEncoding = null;
				this.characterEncodingExplicit = false;
			}
			return;
		}
		int semicolon = type.indexOf(';');
		this.mediaType = ((semicolon >= 0) ? type.substring(0, semicolon) : type).trim();
		String charset = HeaderValues.parameter(type, "charset");
		if (charset != null && this.outputMode != 2) {
			this.characterEncoding = charset;
			this.characterEncodingExplicit = true;
		}
	}

	@Override
	public String getContentType() {
		if (this.mediaType == null) {
			return null;
		}
		String charset = (this.characterEncodingExplicit || this.outputMode == 2) ? getCharacterEncoding() : null;
		if (charset == null) {
			return this.mediaType;
		}
		// asked for several times per request (filters, then the head): build it once
		if (this.contentTypeMediaType != this.mediaType || this.contentTypeCharset != charset) {
			this.contentType = this.mediaType + ";charset=" + charset;
			this.contentTypeMediaType = this.mediaType;
			this.contentTypeCharset = charset;
		}
		return this.contentType;
	}

	private String contentType;

	private String contentTypeMediaType;

	private String contentTypeCharset;

	@Override
	public void setCharacterEncoding(String charset) {
		if (isCommitted() || isIncluding() || this.outputMode == 2) {
			return;
		}
		if (charset == null) {
			this.characterEncoding = null;
			this.characterEncodingExplicit = false;
			return;
		}
		this.characterEncoding = charset;
		this.characterEncodingExplicit = true;
	}

	@Override
	public void setCharacterEncoding(Charset charset) {
		setCharacterEncoding((charset != null) ? charset.name() : null);
	}

	@Override
	public String getCharacterEncoding() {
		if (this.characterEncoding != null) {
			return this.characterEncoding;
		}
		String fromContext = this.context.getResponseCharacterEncoding();
		return (fromContext != null) ? fromContext : StandardCharsets.ISO_8859_1.name();
	}

	@Override
	public void setLocale(Locale locale) {
		if (locale == null || isCommitted() || isIncluding()) {
			return;
		}
		this.locale = locale;
		headers().set("Content-Language", locale.toLanguageTag());
		if (!this.characterEncodingExplicit && this.outputMode != 2) {
			Charset charset = this.context.charsetForLocale(locale);
			if (charset != null) {
				this.characterEncoding = charset.name();
			}
		}
	}

	@Override
	public Locale getLocale() {
		return (this.locale != null) ? this.locale : Locale.getDefault();
	}

	@Override
	public void setContentLength(int len) {
		setContentLengthLong(len);
	}

	@Override
	public void setContentLengthLong(long len) {
		if (isCommitted() || isIncluding()) {
			return;
		}
		this.contentLength = (len >= 0) ? len : -1;
	}

	// --- body ---------------------------------------------------------------------------------

	@Override
	public ServletOutputStream getOutputStream() throws IOException {
		if (this.outputMode == 2) {
			throw new IllegalStateException("getWriter() has already been called for this response");
		}
		this.outputMode = 1;
		return this.output;
	}

	@Override
	public PrintWriter getWriter() throws IOException {
		if (this.outputMode == 1) {
			throw new IllegalStateException("getOutputStream() has already been called for this response");
		}
		if (this.writer == null) {
			Charset charset;
			try {
				charset = Charset.forName(getCharacterEncoding());
			}
			catch (IllegalCharsetNameException | UnsupportedCharsetException ex) {
				throw new java.io.UnsupportedEncodingException(getCharacterEncoding());
			}
			if (this.characterEncoding == null) {
				this.characterEncoding = charset.name();
			}
			this.outputMode = 2;
			this.responseWriter = new ResponseWriter(this.output, charset, this);
			this.writer = new PrintWriter(this.responseWriter, false);
		}
		return this.writer;
	}

	@Override
	public void setBufferSize(int size) {
		if (isCommitted()) {
			throw new IllegalStateException("setBufferSize after the response has been committed");
		}
		this.output.setBufferSize(size);
	}

	@Override
	public int getBufferSize() {
		return this.output.bufferSize();
	}

	@Override
	public void flushBuffer() throws IOException {
		if (this.writer != null) {
			this.writer.flush();
		}
		this.output.flush();
	}

	@Override
	public void resetBuffer() {
		if (isCommitted()) {
			throw new IllegalStateException("resetBuffer after the response has been committed");
		}
		this.output.clearBuffer();
		if (this.responseWriter != null) {
			this.responseWriter.reset();
		}
	}

	@Override
	public boolean isCommitted() {
		return this.output.isCommitted() || this.suspended;
	}

	@Override
	public void reset() {
		if (isCommitted()) {
			throw new IllegalStateException("reset after the response has been committed");
		}
		resetBuffer();
		this.status = SC_OK;
		headers().clear();
		if (this.sessionCookie != null) {
			headers().add("Set-Cookie", this.sessionCookie);
		}
		this.mediaType = null;
		this.characterEncoding = null;
		this.characterEncodingExplicit = false;
		this.locale = null;
		this.contentLength = -1;
		this.outputMode = 0;
		this.writer = null;
		this.responseWriter = null;
	}

	// --- errors and redirects -----------------------------------------------------------------

	@Override
	public void sendError(int sc, String msg) throws IOException {
		if (isCommitted()) {
			throw new IllegalStateException("sendError after the response has been committed");
		}
		if (isIncluding()) {
			return;
		}
		resetBuffer();
		this.status = sc;
		this.errorStatus = sc;
		this.errorMessage = msg;
		this.suspended = true;
	}

	@Override
	public void sendError(int sc) throws IOException {
		sendError(sc, null);
	}

	@Override
	public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
		if (isCommitted()) {
			throw new IllegalStateException("sendRedirect after the response has been committed");
		}
		if (isIncluding()) {
			return;
		}
		if (location == null) {
			throw new IllegalArgumentException("Redirect location must not be null");
		}
		if (clearBuffer) {
			resetBuffer();
		}
		setStatus(sc);
		headers().set("Location", resolveLocation(location));
		if (clearBuffer) {
			this.suspended = true;
		}
	}

	/**
	 * The {@code Location} to send. Servlet 6.1 (and Tomcat by default) makes a relative target
	 * absolute; with relative redirects on, the target goes out as given, except to HTTP/1.0
	 * clients, whose RFC 1945 requires an absolute URI (Tomcat makes the same exception).
	 */
	String resolveLocation(String location) {
		if (this.context.useRelativeRedirects && !"HTTP/1.0".equals(this.request.getProtocol())) {
			return location;
		}
		if (hasScheme(location)) {
			return location;
		}
		String scheme = this.request.getScheme();
		if (location.startsWith("//")) {
			return scheme + ":" + location;
		}
		return absoluteOrigin() + (location.startsWith("/") ? location : resolvePath(location));
	}

	/** A relative path resolved against the request URI's directory, dot segments removed. */
	private String resolvePath(String location) {
		String uri = this.request.getRequestURI();
		int slash = uri.lastIndexOf('/');
		String base = (slash >= 0) ? uri.substring(0, slash + 1) : "/";
		String joined = base + location;
		int query = indexOfQueryOrFragment(joined);
		String path = (query >= 0) ? joined.substring(0, query) : joined;
		String normalized = RequestPath.normalize(path);
		if (normalized == null) {
			normalized = "/";
		}
		return (query >= 0) ? normalized + joined.substring(query) : normalized;
	}

	private static int indexOfQueryOrFragment(String location) {
		int query = location.indexOf('?');
		int fragment = location.indexOf('#');
		return (query < 0) ? fragment : (fragment < 0) ? query : Math.min(query, fragment);
	}

	private static boolean hasScheme(String location) {
		int colon = location.indexOf(':');
		if (colon <= 0) {
			return false;
		}
		for (int i = 0; i < colon; i++) {
			char c = location.charAt(i);
			if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
				return false;
			}
		}
		return true;
	}

	@Override
	public String encodeURL(String url) {
		return encodeSessionId(url);
	}

	@Override
	public String encodeRedirectURL(String url) {
		return encodeSessionId(url);
	}

	/**
	 * Adds {@code ;jsessionid=} as Tomcat does: with URL tracking on, when the client did not send
	 * the id in a cookie (so a new session's links carry it until a cookie comes back), and only
	 * to URLs into this context, so that the id never leaks to another host.
	 */
	private String encodeSessionId(String url) {
		if (url == null || url.startsWith("#") || !this.context.isUrlTracking()
				|| this.request.isRequestedSessionIdFromCookie()) {
			return url;
		}
		ContainerSession session = this.request.currentSession();
		if (session == null || !intoThisContext(url)) {
			return url;
		}
		int query = url.indexOf('?');
		int fragment = url.indexOf('#');
		int end = (query >= 0) ? query : (fragment >= 0) ? fragment : url.length();
		if (url.substring(0, end).contains(";jsessionid=")) {
			return url;
		}
		return url.substring(0, end) + ";jsessionid=" + session.getId() + url.substring(end);
	}

	private boolean intoThisContext(String url) {
		java.net.URI uri;
		try {
			String absolute = hasScheme(url) ? url : absoluteOrigin() + (url.startsWith("/") ? url : resolvePath(url));
			uri = new java.net.URI(absolute);
		}
		catch (java.net.URISyntaxException ex) {
			return false;
		}
		String scheme = this.request.getScheme();
		if (!scheme.equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
			return false;
		}
		String host = uri.getHost();
		String serverName = this.request.getServerName();
		if (!host.equalsIgnoreCase(serverName) && !("[" + host + "]").equalsIgnoreCase(serverName)
				&& !host.equalsIgnoreCase("[" + serverName + "]")) {
			return false;
		}
		int port = (uri.getPort() >= 0) ? uri.getPort() : defaultPort(scheme);
		if (port != this.request.getServerPort()) {
			return false;
		}
		String contextPath = this.context.getContextPath();
		String path = (uri.getRawPath() != null) ? uri.getRawPath() : "";
		return contextPath.isEmpty() || path.equals(contextPath) || path.startsWith(contextPath + "/")
				|| path.startsWith(contextPath + ";");
	}

	private static int defaultPort(String scheme) {
		return "https".equalsIgnoreCase(scheme) ? 443 : 80;
	}

	/** {@code scheme://host[:port]} of this request, the port left out when it is the scheme's default. */
	private String absoluteOrigin() {
		String scheme = this.request.getScheme();
		StringBuilder origin = new StringBuilder(48).append(scheme).append("://").append(this.request.getServerName());
		int port = this.request.getServerPort();
		if (port > 0 && port != defaultPort(scheme)) {
			origin.append(':').append(port);
		}
		return origin.toString();
	}

	@Override
	public String toString() {
		return "ContainerResponse[" + this.status + "]";
	}

}
