package io.starlet.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.starlet.Clock;
import io.starlet.Exchange;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one exchange through the container: maps the path, runs the REQUEST dispatch, the async
 * cycle if one was started, error pages for exceptions and {@code sendError}, and completes the
 * response. No exception detail ever reaches the client; it goes to the log.
 */
final class RequestProcessor {

	private static final Logger logger = LoggerFactory.getLogger(ServletContainer.class);

	private final ServletContainer container;

	private final ContainerContext context;

	/** Times each request for the access log. */
	private final Clock clock;

	RequestProcessor(ServletContainer container) {
		this.container = container;
		this.context = container.context();
		this.clock = container.settings().clock();
	}

	/** What ends a request that went async, whichever thread completes it. */
	record Ending(List<ServletRequestListener> listeners, ServletRequestEvent event, long start) {
	}

	void process(Exchange exchange) throws Exception {
		long start = this.clock.nanoTime();
		ContainerRequest request = new ContainerRequest(this.container, exchange);
		ContainerResponse response = new ContainerResponse(request, exchange);
		request.response = response;
		boolean async = false;
		try {
			if ("TRACE".equals(exchange.method())) {
				// TRACE echoes credentials back to scripts (cross-site tracing): refused, as Tomcat does
				exchange.responseHeaders().set("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH");
				plain(exchange, 405, "Method Not Allowed\n");
				return;
			}
			if ("*".equals(exchange.target()) && "OPTIONS".equals(exchange.method())) {
				exchange.responseHeaders().set("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH");
				exchange.commit(0);
				return;
			}
			String decoded = RequestPath.decode(exchange.path());
			if (decoded == null) {
				plain(exchange, 400, "Bad Request: invalid request path\n");
				return;
			}
			String contextPath = this.context.getContextPath();
			String path;
			if (contextPath.isEmpty()) {
				path = decoded;
			}
			else if (decoded.equals(contextPath)) {
				exchange.setStatus(302);
				String query = exchange.query();
				// the same Location rules as sendRedirect: absolute unless relative redirects are on
				exchange.responseHeaders().set("Location",
						response.resolveLocation(contextPath + "/" + ((query != null) ? "?" + query : "")));
				exchange.commit(0);
				return;
			}
			else if (decoded.startsWith(contextPath + "/")) {
				path = decoded.substring(contextPath.length());
			}
			else {
				plain(exchange, 404, "Not Found\n");
				return;
			}
			async = serve(request, response, path, start);
		}
		finally {
			if (!async) {
				request.abandonStreams();
				this.container.accessLog().log(request, response, this.clock.nanoTime() - start);
			}
		}
	}

	/**
	 * Runs the REQUEST dispatch. Returns true when the request went async: its async context then
	 * ends it ({@link #endOfRequest}) on whichever thread completes the cycle, and this worker is
	 * free as soon as the dispatch returns.
	 */
	private boolean serve(ContainerRequest request, ContainerResponse response, String path, long start)
			throws Exception {
		ServletMapping mapping = this.context.mapper().map(path);
		request.servletPath = mapping.servletPath();
		request.pathInfo = mapping.pathInfo();
		request.mapping = mapping;
		List<ServletRequestListener> listeners = this.context.listeners(ServletRequestListener.class);
		ServletRequestEvent event = listeners.isEmpty() ? null : new ServletRequestEvent(this.context, request);
		boolean async = false;
		try {
			for (int i = 0; i < listeners.size(); i++) {
				listeners.get(i).requestInitialized(event);
			}
			try {
				dispatch(request, response, DispatcherType.REQUEST, mapping);
			}
			catch (Exception | Error ex) {
				if (request.asyncContext != null) {
					request.asyncContext.abandon();
				}
				throw ex;
			}
			if (request.asyncContext != null) {
				async = true;
				request.asyncContext.requestDispatchReturned(this, new Ending(listeners, event, start));
				return true;
			}
			completeResponse(request, response);
		}
		finally {
			if (!async) {
				destroyed(listeners, event);
				response.deleteParts();
			}
		}
		return false;
	}

	/** After the last dispatch: the pending error page, harakiri, then the response's last bytes. */
	private void completeResponse(ContainerRequest request, ContainerResponse response) throws Exception {
		if (response.errorStatus() >= 0 && !response.output().isCommitted()) {
			errorPage(request, response, response.errorStatus(), response.errorMessage(), null);
		}
		if (Boolean.TRUE.equals(request.getAttribute(ServletContainer.HARAKIRI_ATTRIBUTE))
				|| "true".equals(request.getAttribute(ServletContainer.HARAKIRI_ATTRIBUTE))) {
			request.exchange.retireWorker();
		}
		// before the last bytes go out, so a client that sees the response never finds
		// the request's temp files still on disk
		response.deleteParts();
		if (!response.isClientAborted()) {
			try {
				response.finish();
			}
			catch (ClientAbortException ex) {
				logger.debug("Client went away before the response to {} {} was complete", request.getMethod(),
						request.getRequestURI());
			}
		}
	}

	private void destroyed(List<ServletRequestListener> listeners, ServletRequestEvent event) {
		if (!listeners.isEmpty()) {
			List<ServletRequestListener> reversed = new ArrayList<>(listeners);
			Collections.reverse(reversed);
			for (ServletRequestListener listener : reversed) {
				try {
					listener.requestDestroyed(event);
				}
				catch (RuntimeException ex) {
					logger.error("ServletRequestListener.requestDestroyed failed", ex);
				}
			}
		}
	}

	/**
	 * Ends a request whose async cycle completed, on the thread that completed it: what the
	 * worker does after a synchronous dispatch, plus the access log line.
	 * @return false if the response could not be finished (the connection must close)
	 */
	boolean endOfRequest(ContainerRequest request, ContainerResponse response, Ending ending) {
		boolean ok = true;
		try {
			completeResponse(request, response);
		}
		catch (Exception ex) {
			ok = false;
			if (response.isClientAborted()) {
				logger.debug("Client went away during {} {}", request.getMethod(), request.getRequestURI(), ex);
			}
			else {
				logger.error("Completing the async request {} {} failed", request.getMethod(), request.getRequestURI(),
						ex);
			}
		}
		finally {
			destroyed(ending.listeners(), ending.event());
			response.deleteParts();
			request.abandonStreams();
			this.container.accessLog().log(request, response, this.clock.nanoTime() - ending.start());
		}
		return ok;
	}

	/** One container dispatch (REQUEST or ASYNC) with the container's exception handling. */
	private void dispatch(ContainerRequest request, ContainerResponse response, DispatcherType type,
			ServletMapping mapping) throws Exception {
		request.dispatcherType = type;
		try {
			ContainerDispatcher.invoke(request, request, response, type, mapping);
		}
		catch (Throwable ex) {
			handleThrowable(request, response, mapping, ex);
			return;
		}
		if (!request.isAsyncStarted() && response.errorStatus() >= 0 && !response.output().isCommitted()) {
			errorPage(request, response, response.errorStatus(), response.errorMessage(), null);
		}
	}

	/** Runs the ASYNC dispatch that {@code AsyncContext.dispatch} asked for, on the worker. */
	void asyncDispatch(ContainerRequest request, ContainerResponse response, String pathWithQuery) throws Exception {
		int q = pathWithQuery.indexOf('?');
		String raw = (q >= 0) ? pathWithQuery.substring(0, q) : pathWithQuery;
		String query = (q >= 0) ? pathWithQuery.substring(q + 1) : null;
		String decoded = RequestPath.decode(raw);
		if (decoded == null) {
			errorPage(request, response, 404, null, null);
			return;
		}
		ServletMapping target = this.context.mapper().map(decoded);
		ContainerDispatcher.applyPath(request, target, raw, null);
		request.queryString = (query != null) ? query : request.queryString;
		dispatch(request, response, DispatcherType.ASYNC, target);
	}

	/** No listener answered the async timeout: a 500 through the error pages, as Tomcat does. */
	void errorAfterAsyncTimeout(ContainerRequest request, ContainerResponse response) throws Exception {
		if (!response.output().isCommitted()) {
			errorPage(request, response, 500, "Asynchronous request timed out", null);
		}
	}

	private void handleThrowable(ContainerRequest request, ContainerResponse response, ServletMapping mapping,
			Throwable ex) throws Exception {
		if (ex instanceof ClientAbortException || response.isClientAborted()) {
			// the engine notices the dead connection when it completes the exchange
			logger.debug("Client went away during {} {}", request.getMethod(), request.getRequestURI(), ex);
			return;
		}
		if (ex instanceof VirtualMachineError error && !(ex instanceof StackOverflowError)) {
			throw error;
		}
		IOException protocolError = protocolError(ex);
		if (protocolError != null && !response.output().isCommitted()) {
			// a malformed or stalled request body: the engine answers 400/408 and closes
			throw protocolError;
		}
		if (response.output().isCommitted()) {
			// the status line is gone: the only honest signal left is to cut the connection
			throw (ex instanceof Exception e) ? e : new ServletException(ex);
		}
		BadRequestParametersException badParameters = find(ex, BadRequestParametersException.class);
		if (badParameters != null) {
			logger.debug("Bad request parameters for {} {}: {}", request.getMethod(), request.getRequestURI(),
					badParameters.getMessage());
			errorPage(request, response, 400, badParameters.getMessage(), null);
			return;
		}
		logger.error("Servlet.service() for servlet [{}] in context with path [{}] threw exception",
				mapping.servletName(), this.context.getContextPath(), ex);
		if (request.asyncContext != null) {
			request.asyncContext.fireError(ex);
		}
		// a servlet that is unavailable answers 503, as the specification says
		int status = (find(ex, jakarta.servlet.UnavailableException.class) != null) ? 503 : 500;
		errorPage(request, response, status, null, ex);
	}

	private static <T extends Throwable> T find(Throwable ex, Class<T> type) {
		Throwable current = ex;
		for (int i = 0; i < 16 && current != null; i++) {
			if (type.isInstance(current)) {
				return type.cast(current);
			}
			current = (current instanceof ServletException se && se.getRootCause() != null) ? se.getRootCause()
					: current.getCause();
		}
		return null;
	}

	/** The engine's own body-reading failure somewhere in the cause chain, if any. */
	private static IOException protocolError(Throwable ex) {
		Throwable current = ex;
		for (int i = 0; i < 16 && current != null; i++) {
			if (Exchange.isRequestBodyFailure(current)) {
				return (IOException) current;
			}
			current = (current instanceof ServletException se && se.getRootCause() != null) ? se.getRootCause()
					: current.getCause();
		}
		return null;
	}

	/**
	 * Sends the error page for a status or exception: the mapped page through an ERROR dispatch
	 * with the {@code jakarta.servlet.error.*} attributes, else a minimal HTML page.
	 */
	void errorPage(ContainerRequest request, ContainerResponse response, int status, String message,
			Throwable throwable) throws Exception {
		response.clearError();
		Throwable cause = unwrap(throwable);
		String location = null;
		if (throwable != null) {
			location = this.context.settings.errorPages().forException(throwable);
		}
		if (location == null) {
			location = this.context.settings.errorPages().forStatus(status);
		}
		response.prepareForErrorDispatch(status);
		ContainerDispatcher dispatcher = (location != null && request.dispatcherType != DispatcherType.ERROR)
				? ContainerDispatcher.forPath(this.context, location) : null;
		if (dispatcher == null) {
			defaultErrorPage(response, status, message);
			return;
		}
		request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
		String errorMessage = (message != null) ? message : (cause != null && cause.getMessage() != null) ? cause.getMessage() : "";
		request.setAttribute(RequestDispatcher.ERROR_MESSAGE, errorMessage);
		if (cause != null) {
			request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, cause);
			request.setAttribute(RequestDispatcher.ERROR_EXCEPTION_TYPE, cause.getClass());
		}
		request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, request.getRequestURI());
		request.setAttribute(RequestDispatcher.ERROR_SERVLET_NAME,
				(request.mapping != null) ? request.mapping.servletName() : "");
		request.setAttribute(RequestDispatcher.ERROR_METHOD, request.getMethod());
		if (request.getQueryString() != null) {
			request.setAttribute(RequestDispatcher.ERROR_QUERY_STRING, request.getQueryString());
		}
		int q = location.indexOf('?');
		String raw = (q >= 0) ? location.substring(0, q) : location;
		String query = (q >= 0) ? location.substring(q + 1) : null;
		ServletMapping target = this.context.mapper().map(RequestPath.decode(raw));
		ContainerDispatcher.State saved = ContainerDispatcher.State.of(request);
		try {
			request.dispatcherType = DispatcherType.ERROR;
			ContainerDispatcher.applyPath(request, target, raw, query);
			ContainerDispatcher.invoke(request, request, response, DispatcherType.ERROR, target);
		}
		catch (Throwable ex) {
			if (ex instanceof ClientAbortException || response.isClientAborted()) {
				throw (ex instanceof Exception e) ? e : new ServletException(ex);
			}
			logger.error("The error page {} for status {} failed", location, status, ex);
			if (!response.output().isCommitted()) {
				response.prepareForErrorDispatch(500);
				defaultErrorPage(response, 500, null);
			}
			return;
		}
		finally {
			saved.restore(request);
		}
		if (response.errorStatus() >= 0 && !response.output().isCommitted()) {
			int nested = response.errorStatus();
			String nestedMessage = response.errorMessage();
			response.clearError();
			response.prepareForErrorDispatch(nested);
			defaultErrorPage(response, nested, nestedMessage);
		}
	}

	private static Throwable unwrap(Throwable throwable) {
		Throwable current = throwable;
		for (int i = 0; i < 16 && current instanceof ServletException servletException
				&& servletException.getRootCause() != null; i++) {
			current = servletException.getRootCause();
		}
		return current;
	}

	/** A minimal page: status and reason, plus a message the application chose, HTML-escaped. */
	private void defaultErrorPage(ContainerResponse response, int status, String message) throws IOException {
		response.setContentType("text/html;charset=utf-8");
		String reason = Reasons.phrase(status);
		StringBuilder html = new StringBuilder(256);
		html.append("<!doctype html><html><head><title>").append(status).append(' ').append(reason)
			.append("</title></head><body><h1>").append(status).append(' ').append(reason).append("</h1>");
		if (message != null && !message.isEmpty()) {
			html.append("<p>").append(escape(message)).append("</p>");
		}
		html.append("</body></html>\n");
		response.output().write(html.toString().getBytes(StandardCharsets.UTF_8));
	}

	private static String escape(String text) {
		StringBuilder sb = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '<' -> sb.append("&lt;");
				case '>' -> sb.append("&gt;");
				case '&' -> sb.append("&amp;");
				case '"' -> sb.append("&quot;");
				case '\'' -> sb.append("&#39;");
				default -> sb.append(c);
			}
		}
		return sb.toString();
	}

	/** A response the container answers itself, before any servlet is involved. */
	private static void plain(Exchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.setStatus(status);
		exchange.responseHeaders().set("Content-Type", "text/plain;charset=utf-8");
		exchange.commit(bytes.length);
		if (!exchange.isHead()) {
			exchange.responseBody().write(bytes);
		}
	}

}
