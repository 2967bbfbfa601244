package io.starlet.boot.autoconfigure;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.starlet.websocket.StarletServerContainer;
import jakarta.websocket.server.ServerContainer;

import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.web.context.WebApplicationContext;

/**
 * Micrometer meters of Starlet's WebSocket server, bound once the application has started (the
 * container exists from the servlet context's start on):
 * <ul>
 * <li>{@code starlet.websocket.sessions}: gauge of open WebSocket sessions</li>
 * <li>{@code starlet.websocket.messages} tagged {@code direction} ({@code in}, {@code out}):
 * whole messages received and sent</li>
 * </ul>
 */
public class StarletWebSocketMetricsBinder implements ApplicationListener<ApplicationStartedEvent> {

	private final MeterRegistry registry;

	public StarletWebSocketMetricsBinder(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onApplicationEvent(ApplicationStartedEvent event) {
		if (StarletWebServers.find(event.getApplicationContext()) != null
				&& event.getApplicationContext() instanceof WebApplicationContext web && web.getServletContext() != null
				&& web.getServletContext()
					.getAttribute(ServerContainer.class.getName()) instanceof StarletServerContainer container) {
			binder(container).bindTo(this.registry);
		}
	}

	static MeterBinder binder(StarletServerContainer container) {
		return (registry) -> {
			Gauge.builder("starlet.websocket.sessions", container, StarletServerContainer::getOpenSessionCount)
				.description("Open WebSocket sessions")
				.register(registry);
			FunctionCounter.builder("starlet.websocket.messages", container, StarletServerContainer::getMessagesReceived)
				.description("Whole WebSocket messages received and sent")
				.tag("direction", "in")
				.register(registry);
			FunctionCounter.builder("starlet.websocket.messages", container, StarletServerContainer::getMessagesSent)
				.description("Whole WebSocket messages received and sent")
				.tag("direction", "out")
				.register(registry);
		};
	}

}
