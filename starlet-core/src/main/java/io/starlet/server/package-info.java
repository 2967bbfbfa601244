/**
 * {@link io.starlet.server.StarletServer}: runs a {@link io.starlet.Handler} with a
 * {@link io.starlet.StarletConfig}, from start (binding or inheriting the listening sockets)
 * through graceful shutdown, and reports {@link io.starlet.ServerStats}.
 *
 * <p>Layer: the top of the engine; uses {@code io.starlet.worker} and the API, and hides the
 * first behind itself, so that users and the starter need only the API and this class.
 *
 * <p>API: kept compatible across minor versions.
 */
package io.starlet.server;
