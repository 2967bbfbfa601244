package io.starlet.boot.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;

/** Binds Starlet's worker-pool and WebSocket meters when the application has Micrometer. */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnWebApplication(type = Type.SERVLET)
public final class StarletMetricsAutoConfiguration {

	@Bean
	StarletMetricsBinder starletMetricsBinder(MeterRegistry registry) {
		return new StarletMetricsBinder(registry);
	}

	@Bean
	@ConditionalOnClass(name = { "jakarta.websocket.server.ServerContainer", "io.starlet.websocket.StarletServerContainer" })
	StarletWebSocketMetricsBinder starletWebSocketMetricsBinder(MeterRegistry registry) {
		return new StarletWebSocketMetricsBinder(registry);
	}

}
