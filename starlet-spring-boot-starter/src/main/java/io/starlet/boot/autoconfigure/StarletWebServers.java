package io.starlet.boot.autoconfigure;

import io.starlet.boot.StarletWebServer;
import io.starlet.server.StarletServer;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/** Finds the Starlet engine behind an application context's web server. */
final class StarletWebServers {

	private StarletWebServers() {
	}

	/** The engine, or {@code null} when the context's web server is not Starlet (or not created yet). */
	static StarletServer find(ApplicationContext context) {
		if (context instanceof WebServerApplicationContext webServerContext
				&& webServerContext.getWebServer() instanceof StarletWebServer starlet) {
			return starlet.getStarletServer();
		}
		return null;
	}

}
