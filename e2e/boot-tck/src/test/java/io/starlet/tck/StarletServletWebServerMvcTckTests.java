package io.starlet.tck;

import java.net.InetAddress;

import io.starlet.boot.StarletServletWebServerFactory;

import org.springframework.boot.web.servlet.context.AbstractServletWebServerMvcIntegrationTests;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Boot's Spring MVC integration tests ({@code AbstractServletWebServerMvcIntegrationTests}) on Starlet. */
class StarletServletWebServerMvcTckTests extends AbstractServletWebServerMvcIntegrationTests {

	StarletServletWebServerMvcTckTests() {
		super(StarletFactoryConfiguration.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class StarletFactoryConfiguration {

		@Bean
		StarletServletWebServerFactory webServerFactory() {
			StarletServletWebServerFactory factory = new StarletServletWebServerFactory(0);
			factory.setAddress(InetAddress.getLoopbackAddress());
			factory.getSettings().getJsp().setRegistered(false);
			return factory;
		}

	}

}
