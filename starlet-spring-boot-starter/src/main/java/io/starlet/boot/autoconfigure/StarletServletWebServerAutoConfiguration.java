package io.starlet.boot.autoconfigure;

import io.starlet.ChildExitHook;
import io.starlet.boot.StarletServerCustomizer;
import io.starlet.boot.StarletServletWebServerFactory;
import io.starlet.server.StarletServer;
import io.starlet.servlet.ServletContainer;
import jakarta.servlet.ServletRequest;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnThreading;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.thread.Threading;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.web.server.autoconfigure.servlet.ServletWebServerConfiguration;
import org.springframework.boot.web.server.servlet.ServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of Starlet as the servlet web server. Ordered before Boot's Tomcat and Jetty
 * auto-configurations, so that Starlet wins when one of them is on the class path too; backs off
 * when the application defines its own {@link ServletWebServerFactory}.
 */
@AutoConfiguration(beforeName = {
		"org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
		"org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration" })
@ConditionalOnClass({ ServletRequest.class, StarletServer.class, ServletContainer.class })
@ConditionalOnWebApplication(type = Type.SERVLET)
@EnableConfigurationProperties(StarletProperties.class)
@Import(ServletWebServerConfiguration.class)
public final class StarletServletWebServerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(value = ServletWebServerFactory.class, search = SearchStrategy.CURRENT)
	StarletServletWebServerFactory starletServletWebServerFactory(ObjectProvider<StarletServerCustomizer> customizers) {
		StarletServletWebServerFactory factory = new StarletServletWebServerFactory();
		factory.getServerCustomizers().addAll(customizers.orderedStream().toList());
		return factory;
	}

	@Bean
	StarletWebServerFactoryCustomizer starletWebServerFactoryCustomizer(ServerProperties serverProperties,
			StarletProperties starletProperties, ObjectProvider<ChildExitHook> childExitHooks,
			ConfigurableListableBeanFactory beanFactory) {
		return new StarletWebServerFactoryCustomizer(serverProperties, starletProperties, childExitHooks,
				new ChildExitHookResolver(beanFactory));
	}

	@Bean
	@ConditionalOnClass(name = { "jakarta.websocket.server.ServerContainer", "io.starlet.websocket.StarletWebSocket" })
	StarletWebSocketCustomizer starletWebSocketCustomizer(StarletProperties starletProperties) {
		return new StarletWebSocketCustomizer(starletProperties);
	}

	@Bean
	@ConditionalOnThreading(Threading.VIRTUAL)
	StarletVirtualThreadsWebServerFactoryCustomizer starletVirtualThreadsWebServerFactoryCustomizer() {
		return new StarletVirtualThreadsWebServerFactoryCustomizer();
	}

}
