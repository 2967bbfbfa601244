package io.starlet.websocket;

import java.net.URI;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.websocket.Extension;
import jakarta.websocket.server.HandshakeRequest;

/**
 * The upgrade request as {@code Configurator.modifyHandshake} sees it: headers (names compared
 * without case), principal, URI and parameters, read once from the servlet request.
 */
final class ServletHandshakeRequest implements HandshakeRequest {

	private final HttpServletRequest request;

	private final Map<String, List<String>> headers;

	private final Map<String, List<String>> parameters;

	private final URI requestUri;

	ServletHandshakeRequest(HttpServletRequest request) {
		this.request = request;
		Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements();) {
			String name = names.nextElement();
			headers.put(name, List.copyOf(Collections.list(request.getHeaders(name))));
		}
		this.headers = Collections.unmodifiableMap(headers);
		Map<String, List<String>> parameters = new TreeMap<>();
		request.getParameterMap().forEach((name, values) -> parameters.put(name, List.of(values)));
		this.parameters = Collections.unmodifiableMap(parameters);
		this.requestUri = uri(request);
	}

	/** {@code ws://host:port/path?query} ({@code wss} when secure), as the client asked for it. */
	private static URI uri(HttpServletRequest request) {
		StringBuilder uri = new StringBuilder(request.isSecure() ? "wss://" : "ws://");
		uri.append(request.getServerName().contains(":") ? "[" + request.getServerName() + "]" : request.getServerName());
		uri.append(':').append(request.getServerPort()).append(request.getRequestURI());
		if (request.getQueryString() != null) {
			uri.append('?').append(request.getQueryString());
		}
		return URI.create(uri.toString());
	}

	/** Every value of a header field, one per field line, for {@link Handshake#evaluate}. */
	List<String> header(String name) {
		List<String> values = this.headers.get(name);
		return values == null ? List.of() : values;
	}

	/** The subprotocols the client offered, in its order. */
	/** The extensions the client offers, in its order of preference ({@code Sec-WebSocket-Extensions}). */
	List<Extension> requestedExtensions() {
		return PerMessageDeflate.parseOffers(header("Sec-WebSocket-Extensions"));
	}

	List<String> requestedSubprotocols() {
		List<String> protocols = new ArrayList<>();
		for (String value : header(SEC_WEBSOCKET_PROTOCOL)) {
			for (String element : value.split(",")) {
				if (!element.isBlank()) {
					protocols.add(element.strip());
				}
			}
		}
		return protocols;
	}

	@Override
	public Map<String, List<String>> getHeaders() {
		return this.headers;
	}

	@Override
	public Principal getUserPrincipal() {
		return this.request.getUserPrincipal();
	}

	@Override
	public URI getRequestURI() {
		return this.requestUri;
	}

	@Override
	public boolean isUserInRole(String role) {
		return this.request.isUserInRole(role);
	}

	@Override
	public Object getHttpSession() {
		return this.request.getSession(false);
	}

	@Override
	public Map<String, List<String>> getParameterMap() {
		return this.parameters;
	}

	@Override
	public String getQueryString() {
		return this.request.getQueryString();
	}

}
