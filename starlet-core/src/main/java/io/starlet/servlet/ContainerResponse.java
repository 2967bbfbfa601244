package io.starlet.servlet;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
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
 *
 * <p>Jobs with logic of their own live elsewhere: {@link ResponseOutput} and
 * {@link ResponseWriter} (the body), {@link ResponseContentType} (media type and encoding),
 * {@link GzipNegotiation}, {@link SessionCookie}, {@link TemporaryParts} (multipart cleanup) and
 * {@link ResponseUrls} (redirect locations, {@code ;jsessionid=} rewriting). The class stays
 * longer than most because {@code HttpServletResponse} has some fifty methods, each a few lines
 * or a delegation.
 */
final class ContainerResponse implements HttpServletResponse {

	static final int DEFAULT_BUFFER_SIZE = 8192;

	private final ContainerRequest request;

	private final Exchange exchange;

	private final ContainerContext context;

	private final ServletContainer container;

	private final ResponseOutput output;

	private int status = SC_OK;

	private final ResponseContentType contentType;

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

	// Created when first needed: most responses set no session cookie, have no parts to delete
	// and send no redirect.

	private SessionCookie sessionCookie;

	private ResponseUrls urls;

	private boolean clientAborted;

	private boolean compressed;

	private Supplier<java.util.Map<String, String>> trailerFields;

	private TemporaryParts parts;

	ContainerResponse(ContainerRequest request, Exchange exchange) {
		this.request = request;
		this.exchange = exchange;
		this.container = request.container;
		this.context = request.context;
		this.output = new ResponseOutput(this, exchange, DEFAULT_BUFFER_SIZE);
		this.contentType = new ResponseContentType(this.context);
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

	/**
	 * Whether the status allows no content. 205 is one (RFC 9110 §15.3.6), though unlike 204 and
	 * 304 it still says so with {@code Content-Length: 0}.
	 */
	boolean bodyless() {
		return this.status == SC_NO_CONTENT || this.status == SC_NOT_MODIFIED || this.status == SC_RESET_CONTENT
				|| (this.status >= 100 && this.status < 200);
	}

	boolean isClientAborted() {
		return this.clientAborted;
	}

	IOException clientAborted(IOException cause) {
		this.clientAborted = true;
		return (cause instanceof ClientAbortException) ? cause : new ClientAbortException(cause);
	}

	void addSessionCookie(String sessionId) {
		if (this.sessionCookie == null) {
			this.sessionCookie = new SessionCookie(this.context);
		}
		this.sessionCookie.set(sessionId, headers(), this.output.isCommitted());
	}

	/** The request's multipart parts are deleted when the request ends ({@link #deleteParts}). */
	void cleanupOnComplete(Collection<Part> parts) {
		if (this.parts == null) {
			this.parts = new TemporaryParts();
		}
		this.parts.add(parts);
	}

	void deleteParts() {
		if (this.parts != null) {
			this.parts.deleteAll();
		}
	}

	/**
	 * Status and content type into the exchange, right before it commits. A status without
	 * content ({@link #bodyless}) goes without {@code Content-Type}, as its length goes without
	 * {@code Content-Length} ({@link ResponseOutput}): there is no content to describe (RFC 9110
	 * §15.4.5: a 304 SHOULD NOT carry representation metadata beyond its list), and Tomcat sends
	 * none for 1xx, 205 and 304 (it keeps one on a 204; Starlet does not). Applications set it
	 * all the same (Spring's ResourceHttpRequestHandler and ShallowEtagHeaderFilter do, before
	 * they decide on 304), and {@link #getContentType()} still answers it. HEAD is not bodyless:
	 * it gets the {@code Content-Type} of its GET. The {@code Content-Language} that
	 * {@link #setLocale} made goes the same way (Tomcat writes it only with content); one the
	 * application set as a header of its own, with another value, stays.
	 */
	void writeHead() {
		this.exchange.setStatus(this.status);
		if (this.trailerFields != null) {
			this.exchange.setResponseTrailers(this.trailerFields);
		}
		String contentType = bodyless() ? null : getContentType();
		if (contentType != null) {
			headers().set("Content-Type", contentType);
		}
		else {
			headers().remove("Content-Type");
		}
		if (bodyless() && this.locale != null && this.locale.toLanguageTag().equals(headers().get("Content-Language"))) {
			headers().remove("Content-Language");
		}
	}

	/** Whether the body goes out gzipped (see {@link GzipNegotiation}); adds {@code Vary} when it may. */
	boolean shouldCompress(long knownLength) {
		return GzipNegotiation.applies(this.container.compression(), this.status, this.exchange.isHead(), bodyless(),
				this.contentType.mediaType(), (knownLength >= 0) ? knownLength : this.contentLength, headers(),
				this.request.headers().getAll("Accept-Encoding"), this.request.getHeader("User-Agent"));
	}

	void markCompressed() {
		this.compressed = true;
		GzipNegotiation.markGzipped(headers());
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
		headers().add("Set-Cookie", Cookies.format(cookie, this.context.settings.sameSiteResolver(),
				this.context.settings.clock().currentTimeMillis()));
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
		this.contentType.set(type, this.outputMode == 2);
	}

	@Override
	public String getContentType() {
		return this.contentType.header(this.outputMode == 2);
	}

	@Override
	public void setCharacterEncoding(String charset) {
		if (isCommitted() || isIncluding() || this.outputMode == 2) {
			return;
		}
		this.contentType.setEncoding(charset);
	}

	@Override
	public void setCharacterEncoding(Charset charset) {
		setCharacterEncoding((charset != null) ? charset.name() : null);
	}

	@Override
	public String getCharacterEncoding() {
		return this.contentType.encoding();
	}

	@Override
	public void setLocale(Locale locale) {
		if (locale == null || isCommitted() || isIncluding()) {
			return;
		}
		this.locale = locale;
		headers().set("Content-Language", locale.toLanguageTag());
		this.contentType.encodingForLocale(locale, this.outputMode == 2);
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
			this.contentType.writerOpened(charset);
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
		if (isIncluding()) {
			// an included servlet may not change the status or headers, so not clear them either
			return;
		}
		resetBuffer();
		this.status = SC_OK;
		headers().clear();
		if (this.sessionCookie != null) {
			this.sessionCookie.restore(headers());
		}
		this.contentType.reset();
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

	/** The {@code Location} to send for a redirect target (see {@link ResponseUrls#location}). */
	String resolveLocation(String location) {
		return urls().location(location);
	}

	@Override
	public String encodeURL(String url) {
		return urls().withSessionId(url);
	}

	@Override
	public String encodeRedirectURL(String url) {
		return urls().withSessionId(url);
	}

	private ResponseUrls urls() {
		if (this.urls == null) {
			this.urls = new ResponseUrls(this.request, this.context);
		}
		return this.urls;
	}

	@Override
	public String toString() {
		return "ContainerResponse[" + this.status + "]";
	}

}
