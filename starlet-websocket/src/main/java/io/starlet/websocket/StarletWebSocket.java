package io.starlet.websocket;

import java.io.IOException;
import java.util.EnumSet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.server.ServerContainer;

/**
 * The entry point: {@link #install} puts a Jakarta WebSocket server into a servlet context. No
 * {@code ServletContainerInitializer} is involved; the Spring Boot starter (or an embedding
 * application) calls it while the context is being set up, before it starts.
 */
public final class StarletWebSocket {

	/** The name of the filter that performs handshakes for endpoints added with {@code addEndpoint}. */
	public static final String FILTER_NAME = "starletWebSocketUpgrade";

	private StarletWebSocket() {
	}

	/**
	 * Creates the container and sets it as the context attribute
	 * {@code jakarta.websocket.server.ServerContainer} (where Spring and applications look for it);
	 * registers a filter on {@code /*}, first in the chain, that upgrades WebSocket handshakes
	 * whose path matches an endpoint added with {@code addEndpoint} (endpoints may be added later,
	 * the filter looks them up per request); and registers a listener whose
	 * {@code contextDestroyed} sends Close 1001 to every open session.
	 * @return the container, for endpoints, defaults and counters
	 */
	public static StarletServerContainer install(ServletContext context) {
		StarletServerContainer container = new StarletServerContainer();
		context.setAttribute(ServerContainer.class.getName(), container);
		FilterRegistration.Dynamic filter = context.addFilter(FILTER_NAME, new UpgradeFilter(container));
		if (filter == null) {
			throw new IllegalStateException("A filter named " + FILTER_NAME + " is already registered");
		}
		filter.setAsyncSupported(true);
		filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
		context.addListener(new StopListener(container));
		return container;
	}

	/** Upgrades requests for endpoints added with {@code addEndpoint}; passes everything else on. */
	static final class UpgradeFilter implements Filter {

		private final StarletServerContainer container;

		UpgradeFilter(StarletServerContainer container) {
			this.container = container;
		}

		@Override
		public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
				throws IOException, ServletException {
			// every request passes here: the one header lookup stops all but handshakes
			if (req instanceof HttpServletRequest request && res instanceof HttpServletResponse response
					&& request.getHeader("Upgrade") != null
					&& Handshake.containsToken(headers(request, "Upgrade"), "websocket")) {
				String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
				StarletServerContainer.Match match = this.container.match(path);
				if (match != null) {
					this.container.upgrade(request, response, match.registration(), match.pathParameters());
					return;
				}
			}
			chain.doFilter(req, res);
		}

		private static java.util.List<String> headers(HttpServletRequest request, String name) {
			return java.util.Collections.list(request.getHeaders(name));
		}

	}

	/** Server stop: Close 1001 to every open session while connections can still write. */
	static final class StopListener implements ServletContextListener {

		private final StarletServerContainer container;

		StopListener(StarletServerContainer container) {
			this.container = container;
		}

		@Override
		public void contextDestroyed(ServletContextEvent event) {
			this.container.stop();
		}

	}

}
