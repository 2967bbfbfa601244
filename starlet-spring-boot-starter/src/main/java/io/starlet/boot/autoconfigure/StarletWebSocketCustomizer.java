package io.starlet.boot.autoconfigure;

import io.starlet.boot.StarletServletWebServerFactory;
import io.starlet.websocket.StarletWebSocket;

import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Serves Jakarta WebSocket on Starlet, and with it Spring's {@code @EnableWebSocket},
 * {@code @EnableWebSocketMessageBroker} and {@code ServerEndpointExporter}: installs Starlet's
 * {@code ServerContainer} in the servlet context as it starts, where Spring looks for it (the
 * attribute {@code jakarta.websocket.server.ServerContainer}). What Boot's Tomcat and Jetty
 * WebSocket customizers do for their servers.
 */
class StarletWebSocketCustomizer implements WebServerFactoryCustomizer<StarletServletWebServerFactory>, Ordered {

	private final StarletProperties properties;

	StarletWebSocketCustomizer(StarletProperties properties) {
		this.properties = properties;
	}

	@Override
	public void customize(StarletServletWebServerFactory factory) {
		boolean permessageDeflate = this.properties.isWebsocketPermessageDeflate();
		factory.addInitializers(
				(servletContext) -> StarletWebSocket.install(servletContext).setPerMessageDeflate(permessageDeflate));
	}

	@Override
	public int getOrder() {
		return 0;
	}

}
