package io.starlet.boot.autoconfigure;

import io.starlet.ChildExitHook;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.web.server.autoconfigure.servlet.ServletWebServerConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * What the management child context needs to run a Starlet server of its own (the factory bean
 * itself is registered by Actuator's {@code ManagementContextFactory}). The {@code starlet.*}
 * timeouts and budgets apply; the extra {@code starlet.listen} addresses, the child-exit hooks and
 * signal handling belong to the main server only.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StarletProperties.class)
@Import(ServletWebServerConfiguration.class)
class StarletManagementChildContextConfiguration {

	@Bean
	StarletWebServerFactoryCustomizer starletManagementWebServerFactoryCustomizer(ServerProperties serverProperties,
			StarletProperties starletProperties, ObjectProvider<ChildExitHook> childExitHooks,
			ConfigurableListableBeanFactory beanFactory) {
		return new StarletWebServerFactoryCustomizer(serverProperties, starletProperties, childExitHooks,
				new ChildExitHookResolver(beanFactory), true);
	}

}
