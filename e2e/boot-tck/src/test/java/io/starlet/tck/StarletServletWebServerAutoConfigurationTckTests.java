package io.starlet.tck;

import io.starlet.boot.autoconfigure.StarletServletWebServerAutoConfiguration;

import org.springframework.boot.web.server.autoconfigure.servlet.AbstractServletWebServerAutoConfigurationTests;

/**
 * Boot's auto-configuration tests for servlet web servers
 * ({@code AbstractServletWebServerAutoConfigurationTests}) with Starlet's auto-configuration:
 * servlets, filters, customizers, cookie suppliers, the forwarded-header filter, and WebSocket.
 */
class StarletServletWebServerAutoConfigurationTckTests extends AbstractServletWebServerAutoConfigurationTests {

	StarletServletWebServerAutoConfigurationTckTests() {
		super(StarletServletWebServerAutoConfiguration.class);
	}

}
