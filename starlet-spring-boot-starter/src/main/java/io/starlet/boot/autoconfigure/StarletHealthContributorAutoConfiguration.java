package io.starlet.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Adds the {@code starlet} component to Actuator's health endpoint (switch it off with
 * {@code management.health.starlet.enabled=false}).
 */
@AutoConfiguration(after = StarletServletWebServerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnEnabledHealthIndicator("starlet")
public final class StarletHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "starletHealthIndicator")
	StarletHealthIndicator starletHealthIndicator(ApplicationContext context) {
		return new StarletHealthIndicator(() -> StarletWebServers.find(context));
	}

}
