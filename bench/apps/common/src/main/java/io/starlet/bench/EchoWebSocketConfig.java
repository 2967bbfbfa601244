package io.starlet.bench;

import java.io.IOException;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * {@code /ws/echo}, the endpoint of the {@code wsecho} scenario (bench/ws/WsLoad.java): every text
 * and binary message goes back to its sender, as written by an application on Spring's own
 * WebSocket API.
 * <p>
 * Servlet variants only (webflux-netty has no {@code spring-websocket}), and only where the server
 * brings a Jakarta WebSocket container ({@code tomcat-embed-websocket}, Jetty's
 * {@code jetty-ee11-websocket-jakarta-server}, {@code starlet-websocket}): without one,
 * {@code @EnableWebSocket} would stop the whole application, hello scenarios included, while
 * without this configuration only the WebSocket handshake fails (404), which the load client
 * reports.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(name = { "org.springframework.web.socket.config.annotation.EnableWebSocket",
		"jakarta.websocket.server.ServerContainer" })
@EnableWebSocket
class EchoWebSocketConfig implements WebSocketConfigurer {

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(new EchoHandler(), "/ws/echo");
	}

	static final class EchoHandler extends AbstractWebSocketHandler {

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
			session.sendMessage(message);
		}

		@Override
		protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws IOException {
			session.sendMessage(message);
		}

	}

}
