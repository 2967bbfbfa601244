package io.starlet.boot.autoconfigure;

import io.starlet.boot.StarletServletWebServerFactory;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextFactory;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.web.server.servlet.ServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Lets {@code management.server.port} work: Actuator then runs its endpoints in a child context
 * on a second Starlet server. Primary, so that it wins over Tomcat's or Jetty's when those are on
 * the class path too (Starlet is then the server of the main context as well).
 */
@AutoConfiguration(after = StarletServletWebServerAutoConfiguration.class)
@ConditionalOnClass({ ManagementContextFactory.class, StarletServletWebServerFactory.class })
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
public final class StarletServletManagementContextAutoConfiguration {

	@Bean
	@Primary
	static ManagementContextFactory starletServletWebChildContextFactory() {
		return new ManagementContextFactory(WebApplicationType.SERVLET, ServletWebServerFactory.class,
				StarletManagementChildContextConfiguration.class);
	}

}
