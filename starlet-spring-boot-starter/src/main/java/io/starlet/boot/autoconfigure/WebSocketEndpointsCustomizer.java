package io.starlet.boot.autoconfigure;

import io.starlet.boot.StarletConfigurationException;
import io.starlet.boot.StarletServletWebServerFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.util.ClassUtils;

/**
 * Stops startup when the application declares WebSocket endpoints: Starlet does not serve the
 * WebSocket protocol, and without this check the endpoints would only fail when a client tries
 * to upgrade.
 */
class WebSocketEndpointsCustomizer implements WebServerFactoryCustomizer<StarletServletWebServerFactory> {

	/** What {@code @EnableWebSocket}, {@code @EnableWebSocketMessageBroker} and {@code @ServerEndpoint} need. */
	private static final String[] ENDPOINT_TYPES = {
			"org.springframework.web.socket.config.annotation.WebSocketConfigurationSupport",
			"org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurationSupport",
			"org.springframework.web.socket.server.standard.ServerEndpointExporter" };

	private final ListableBeanFactory beanFactory;

	WebSocketEndpointsCustomizer(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void customize(StarletServletWebServerFactory factory) {
		ClassLoader classLoader = getClass().getClassLoader();
		for (String typeName : ENDPOINT_TYPES) {
			if (!ClassUtils.isPresent(typeName, classLoader)) {
				continue;
			}
			String[] beans = this.beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(typeName, classLoader), true,
					false);
			if (beans.length > 0) {
				throw new StarletConfigurationException(
						"Starlet does not serve WebSocket endpoints, but the application declares them (bean '" + beans[0]
								+ "', a " + ClassUtils.getShortName(typeName) + ").",
						"Remove @EnableWebSocket, @EnableWebSocketMessageBroker and ServerEndpointExporter beans (and "
								+ "spring-boot-starter-websocket), or run this application on a server that supports WebSocket.");
			}
		}
	}

}
