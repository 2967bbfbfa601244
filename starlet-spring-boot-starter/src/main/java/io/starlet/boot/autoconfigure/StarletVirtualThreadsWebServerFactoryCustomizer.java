package io.starlet.boot.autoconfigure;

import io.starlet.boot.StarletServletWebServerFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Starlet's answer to {@code spring.threads.virtual.enabled=true}: its workers stay platform
 * threads. A worker is Starlet's unit of admission control: {@code starlet.max-workers} is the
 * cap on requests handled at once, which protects the application and its connection pools, and
 * idle or slow connections never hold a worker. Running the same fixed set of workers on virtual
 * threads would change nothing but add a carrier hand-off per request, and an unbounded number of
 * virtual threads would remove the cap. Spring's own executors and schedulers still use virtual
 * threads as the property asks. This customizer only says so in the log, once per server.
 */
class StarletVirtualThreadsWebServerFactoryCustomizer
		implements WebServerFactoryCustomizer<StarletServletWebServerFactory> {

	private static final Log logger = LogFactory.getLog(StarletVirtualThreadsWebServerFactoryCustomizer.class);

	@Override
	public void customize(StarletServletWebServerFactory factory) {
		logger.info("spring.threads.virtual.enabled=true: Starlet keeps its workers on platform threads, so "
				+ "starlet.max-workers stays the cap on requests handled at once; Spring's task executors "
				+ "and schedulers use virtual threads");
	}

}
