/**
 * The auto-configuration of the starter: {@link io.starlet.boot.autoconfigure.StarletProperties}
 * ({@code starlet.*}), the web server factory and its customizers, the management server,
 * WebSocket, health and Micrometer metrics (from {@code ServerStats} and the WebSocket
 * container's counters).
 *
 * <p>Layer: uses {@code io.starlet.boot}, starlet-core's API and {@code io.starlet.websocket}'s
 * entry points; nothing uses it but Spring Boot, through
 * {@code META-INF/spring/...AutoConfiguration.imports}.
 *
 * <p>API only as far as Spring Boot's conventions go: the property names and the beans' types;
 * the classes themselves are internal and may change without notice.
 */
package io.starlet.boot.autoconfigure;
