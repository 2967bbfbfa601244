package io.starlet.boot;

import io.starlet.StarletConfig;

/**
 * Programmatic configuration of the Starlet engine, applied after {@code server.*} and
 * {@code starlet.*} when a {@link StarletServletWebServerFactory} creates its server. Every bean of
 * this type is applied by the auto-configuration, in {@link org.springframework.core.annotation.Order
 * order}.
 *
 * <pre>{@code
 * @Bean
 * StarletServerCustomizer moreWorkersInProduction() {
 *     return (config) -> config.maxWorkers(32).queueTimeout(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface StarletServerCustomizer {

	/**
	 * Customizes the configuration the server is about to be built from.
	 * @param config the builder, already holding the listen address from {@code server.port}
	 * and {@code server.address} and everything bound from {@code starlet.*}
	 */
	void customize(StarletConfig.Builder config);

}
