/**
 * Starlet as a Spring Boot {@code WebServer}: {@link io.starlet.boot.StarletServletWebServerFactory}
 * turns Spring Boot's servlet web server settings and {@code starlet.*} into a
 * {@code StarletConfig} and a {@code ServletContainer}, and {@link io.starlet.boot.StarletWebServer}
 * runs them; {@link io.starlet.boot.StarletServerCustomizer} is the hook for the rest.
 *
 * <p>Layer: above starlet-core, of which it uses only the API ({@code io.starlet}),
 * {@code io.starlet.server.StarletServer} and the servlet container's
 * {@code ServletContainer}/{@code ContainerSettings}, never the engine's packages.
 *
 * <p>API: the factory, the customizer and the web server, for applications that customize them.
 */
package io.starlet.boot;
