package io.starlet.servlet;

/**
 * URLs a response sends back for its request: redirect {@code Location}s made absolute from
 * the request's scheme, host and port (unless relative redirects are on), and URLs into this
 * context rewritten with {@code ;jsessionid=} when the session is tracked by URL.
 */
final class ResponseUrls {

	private final ContainerRequest request;

	private final ContainerContext context;

	ResponseUrls(ContainerRequest request, ContainerContext context) {
		this.request = request;
		this.context = context;
	}

	/**
	 * The {@code Location} to send. Servlet 6.1 (and Tomcat by default) makes a relative target
	 * absolute; with relative redirects on, the target goes out as given, except to HTTP/1.0
	 * clients, whose RFC 1945 requires an absolute URI (Tomcat makes the same exception).
	 */
	String location(String location) {
		if (this.context.settings.useRelativeRedirects() && !"HTTP/1.0".equals(this.request.getProtocol())) {
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

	/**
	 * Adds {@code ;jsessionid=} as Tomcat does: with URL tracking on, when the client did not send
	 * the id in a cookie (so a new session's links carry it until a cookie comes back), and only
	 * to URLs into this context, so that the id never leaks to another host.
	 */
	String withSessionId(String url) {
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

}
