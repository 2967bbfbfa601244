package io.starlet.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * Forward and include, by path or by servlet name, and the container's own dispatches (REQUEST,
 * ERROR, ASYNC). A dispatch changes the container request's path state and restores it after.
 */
final class ContainerDispatcher implements RequestDispatcher {

	private static final String[] FORWARD_ATTRIBUTES = { FORWARD_REQUEST_URI, FORWARD_CONTEXT_PATH,
			FORWARD_SERVLET_PATH, FORWARD_PATH_INFO, FORWARD_QUERY_STRING, FORWARD_MAPPING };

	private static final String[] INCLUDE_ATTRIBUTES = { INCLUDE_REQUEST_URI, INCLUDE_CONTEXT_PATH,
			INCLUDE_SERVLET_PATH, INCLUDE_PATH_INFO, INCLUDE_QUERY_STRING, INCLUDE_MAPPING };

	private final ContainerContext context;

	/** Context-relative, still encoded, without the query. Null for a named dispatcher. */
	private final String rawPath;

	private final String decodedPath;

	private final String query;

	private final ServletHolder named;

	private ContainerDispatcher(ContainerContext context, String rawPath, String decodedPath, String query,
			ServletHolder named) {
		this.context = context;
		this.rawPath = rawPath;
		this.decodedPath = decodedPath;
		this.query = query;
		this.named = named;
	}

	static ContainerDispatcher forPath(ContainerContext context, String pathWithQuery) {
		int q = pathWithQuery.indexOf('?');
		String raw = RequestPath.normalize((q >= 0) ? pathWithQuery.substring(0, q) : pathWithQuery);
		String query = (q >= 0) ? pathWithQuery.substring(q + 1) : null;
		String decoded = (raw != null) ? RequestPath.decode(raw) : null;
		if (decoded == null) {
			return null;
		}
		return new ContainerDispatcher(context, raw, decoded, query, null);
	}

	static ContainerDispatcher forServlet(ContainerContext context, ServletHolder holder) {
		return new ContainerDispatcher(context, null, null, null, holder);
	}

	/** The state a dispatch changes, to be put back afterwards. */
	record State(DispatcherType dispatcherType, String requestURI, String servletPath, String pathInfo,
			ServletMapping mapping, String queryString, Map<String, String[]> parameters, PendingQuery pendingQuery,
			boolean asyncSupported) {

		static State of(ContainerRequest r) {
			return new State(r.dispatcherType, r.requestURI, r.servletPath, r.pathInfo, r.mapping, r.queryString,
					r.parameters, r.pendingQuery, r.asyncSupported);
		}

		void restore(ContainerRequest r) {
			r.dispatcherType = this.dispatcherType;
			r.requestURI = this.requestURI;
			r.servletPath = this.servletPath;
			r.pathInfo = this.pathInfo;
			r.mapping = this.mapping;
			r.queryString = this.queryString;
			r.parameters = this.parameters;
			r.pendingQuery = this.pendingQuery;
			r.asyncSupported = this.asyncSupported;
		}

	}

	private ServletMapping target(ContainerRequest request) {
		if (this.named != null) {
			return ServletMapper.named(this.named, request.mapping);
		}
		return this.context.mapper().map(this.decodedPath);
	}

	@Override
	public void forward(ServletRequest request, ServletResponse response) throws ServletException, IOException {
		ContainerRequest base = requireContainerRequest(request);
		ContainerResponse baseResponse = ContainerResponse.unwrap(response);
		if (response.isCommitted()) {
			throw new IllegalStateException("Cannot forward after the response has been committed");
		}
		response.resetBuffer();
		State saved = State.of(base);
		boolean firstForward = this.named == null && base.getAttribute(FORWARD_REQUEST_URI) == null;
		if (firstForward) {
			base.setAttributeQuietly(FORWARD_REQUEST_URI, base.requestURI);
			base.setAttributeQuietly(FORWARD_CONTEXT_PATH, base.getContextPath());
			base.setAttributeQuietly(FORWARD_SERVLET_PATH, base.servletPath);
			base.setAttributeQuietly(FORWARD_PATH_INFO, base.pathInfo);
			base.setAttributeQuietly(FORWARD_QUERY_STRING, base.queryString);
			base.setAttributeQuietly(FORWARD_MAPPING, base.mapping);
		}
		try {
			ServletMapping target = target(base);
			base.dispatcherType = DispatcherType.FORWARD;
			if (this.named == null) {
				applyPath(base, target, this.rawPath, this.query);
			}
			invoke(base, request, response, DispatcherType.FORWARD, target);
		}
		finally {
			saved.restore(base);
			if (firstForward) {
				for (String name : FORWARD_ATTRIBUTES) {
					base.setAttributeQuietly(name, null);
				}
			}
		}
		if (!base.isAsyncStarted() && baseResponse != null) {
			closeAfterForward(response, baseResponse);
		}
	}

	/**
	 * The forwarded-to servlet's answer is the whole answer (§9.4), so its response is closed, with
	 * two exceptions. A {@code sendError} it made stays pending, because the error page has yet to
	 * be written. And a response the application wrapped is closed through its wrapper, as Tomcat
	 * does, rather than by finishing the container's response beneath it: a wrapper that holds the
	 * body back (Spring's {@code ContentCachingResponseWrapper}, as in {@code ShallowEtagHeaderFilter})
	 * or adds headers when the response commits (Spring Security's header writer) does that only
	 * when its own stream is closed or its filter gets control back, after this returns.
	 */
	private static void closeAfterForward(ServletResponse response, ContainerResponse baseResponse)
			throws IOException {
		if (baseResponse.errorStatus() >= 0) {
			return;
		}
		if (response == baseResponse) {
			baseResponse.finish();
			return;
		}
		try {
			response.getWriter().close();
		}
		catch (IllegalStateException ex) {
			response.getOutputStream().close();
		}
	}

	@Override
	public void include(ServletRequest request, ServletResponse response) throws ServletException, IOException {
		ContainerRequest base = requireContainerRequest(request);
		ContainerResponse baseResponse = ContainerResponse.unwrap(response);
		State saved = State.of(base);
		Object[] savedAttributes = new Object[INCLUDE_ATTRIBUTES.length];
		for (int i = 0; i < INCLUDE_ATTRIBUTES.length; i++) {
			savedAttributes[i] = base.getAttribute(INCLUDE_ATTRIBUTES[i]);
		}
		ServletMapping target = target(base);
		if (this.named == null) {
			base.setAttributeQuietly(INCLUDE_REQUEST_URI, base.getContextPath() + this.rawPath);
			base.setAttributeQuietly(INCLUDE_CONTEXT_PATH, base.getContextPath());
			base.setAttributeQuietly(INCLUDE_SERVLET_PATH, target.servletPath());
			base.setAttributeQuietly(INCLUDE_PATH_INFO, target.pathInfo());
			base.setAttributeQuietly(INCLUDE_QUERY_STRING, this.query);
			base.setAttributeQuietly(INCLUDE_MAPPING, target);
		}
		if (baseResponse != null) {
			baseResponse.enterInclude();
		}
		try {
			base.dispatcherType = DispatcherType.INCLUDE;
			if (this.query != null) {
				addQuery(base, this.query);
			}
			invoke(base, request, response, DispatcherType.INCLUDE, target);
		}
		finally {
			if (baseResponse != null) {
				baseResponse.exitInclude();
			}
			saved.restore(base);
			for (int i = 0; i < INCLUDE_ATTRIBUTES.length; i++) {
				base.setAttributeQuietly(INCLUDE_ATTRIBUTES[i], savedAttributes[i]);
			}
		}
	}

	private static ContainerRequest requireContainerRequest(ServletRequest request) {
		ContainerRequest base = ContainerRequest.unwrap(request);
		if (base == null) {
			throw new IllegalArgumentException("The request does not wrap a Starlet request: " + request);
		}
		return base;
	}

	/** Makes the request look as if it had been sent to this path. */
	static void applyPath(ContainerRequest base, ServletMapping target, String rawPath, String query) {
		base.requestURI = base.getContextPath() + rawPath;
		base.servletPath = target.servletPath();
		base.pathInfo = target.pathInfo();
		base.mapping = target;
		if (query != null) {
			addQuery(base, query);
			base.queryString = query;
		}
	}

	/**
	 * Puts the parameters of a dispatch query ahead of the request's current ones, but only when
	 * they are first asked for ({@link ContainerRequest#parameters()}): the current ones may still
	 * have to come from a form body, and parsing it now would take the body from a target that
	 * reads the stream itself (Servlet §3.1.1), as Tomcat leaves it.
	 */
	static void addQuery(ContainerRequest base, String query) {
		base.pendingQuery = new PendingQuery(query, base.parameters, base.pendingQuery);
		base.parameters = null;
	}

	/**
	 * A dispatch query whose parameters are not merged yet, and what they go ahead of: the map of
	 * the enclosing dispatch if it was computed, else its own pending query, else (neither) the
	 * request's parameters as received. The request holds a computed map or a pending query, never
	 * both, so at most one of {@code below} and {@code outer} is set.
	 */
	record PendingQuery(String query, Map<String, String[]> below, PendingQuery outer) {

		Map<String, String[]> parameters(ContainerRequest request) {
			Map<String, String[]> own = (this.below != null) ? this.below
					: (this.outer != null) ? this.outer.parameters(request) : request.baseParameters();
			return merge(this.query, own);
		}

	}

	/** Parameters of a dispatch query come first, then the request's own (Servlet §9.1.1). */
	static Map<String, String[]> merge(String query, Map<String, String[]> own) {
		Map<String, List<String>> collected = new LinkedHashMap<>();
		UrlEncoded.parse(query, java.nio.charset.StandardCharsets.UTF_8, collected);
		for (Map.Entry<String, String[]> existing : own.entrySet()) {
			List<String> values = collected.computeIfAbsent(existing.getKey(), (k) -> new ArrayList<>());
			values.addAll(List.of(existing.getValue()));
		}
		return RequestParameters.toArrays(collected);
	}

	/** Runs the filters for this dispatch type and then the target servlet. */
	static void invoke(ContainerRequest base, ServletRequest request, ServletResponse response, DispatcherType type,
			ServletMapping target) throws ServletException, IOException {
		base.asyncSupported = true;
		List<FilterHolder> filters = base.context.filtersFor(type, target.path(), target.servletName());
		new ContainerFilterChain(filters, target.servlet(), base).doFilter(request, response);
	}

}
