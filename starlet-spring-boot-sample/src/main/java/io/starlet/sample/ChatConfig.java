package io.starlet.sample;

import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * STOMP over WebSocket at {@code /chat}: clients send to {@code /app/chat}, and everyone
 * subscribed to {@code /topic/chat} gets the message ({@link ChatController}). Spring's simple
 * in-memory broker; the page is {@code /chat.html}.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocketMessageBroker
class ChatConfig implements WebSocketMessageBrokerConfigurer {

	@Override
	public void registerStompEndpoints(StompEndpointRegistry registry) {
		registry.addEndpoint("/chat");
		// a client's frames are handled in the order sent: a SEND after a SUBSCRIBE sees it
		registry.setPreserveReceiveOrder(true);
	}

	@Override
	public void configureMessageBroker(MessageBrokerRegistry registry) {
		registry.enableSimpleBroker("/topic");
		registry.setApplicationDestinationPrefixes("/app");
	}

}
