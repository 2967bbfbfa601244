package io.starlet.sample;

import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.stereotype.Controller;

/** The chat room of {@code /chat.html}: a message sent to {@code /app/chat} goes to every subscriber. */
@Controller
class ChatController {

	@MessageMapping("/chat")
	@SendTo("/topic/chat")
	ChatMessage relay(ChatMessage message) {
		String from = (message.from() == null || message.from().isBlank()) ? "anonymous" : message.from().strip();
		String text = (message.text() == null) ? "" : message.text();
		return new ChatMessage(from.length() > 40 ? from.substring(0, 40) : from,
				text.length() > 2000 ? text.substring(0, 2000) : text);
	}

	record ChatMessage(String from, String text) {
	}

}
