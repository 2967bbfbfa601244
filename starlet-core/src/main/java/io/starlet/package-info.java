/**
 * The API of Starlet's engine, for users: a {@link io.starlet.Handler} serves each
 * {@link io.starlet.Exchange} (one request and its response), may
 * {@linkplain io.starlet.Exchange#suspend suspend} it without holding a worker or take the
 * connection over with an {@link io.starlet.Upgrade}; {@link io.starlet.StarletConfig} configures
 * the server, {@link io.starlet.ServerStats} reports on it, and {@link io.starlet.Clock} is the
 * one source of time a test may replace. {@code io.starlet.server.StarletServer} runs a handler.
 *
 * <p>Layer: uses only {@code io.starlet.http}, and of it its signatures show only the field types
 * ({@link io.starlet.http.Fields}, {@link io.starlet.http.HttpFields}) and the parser's
 * {@link io.starlet.http.HttpCompliance} policy. The engine ({@code net}, {@code worker},
 * {@code server}) implements this package, which knows nothing of it; the servlet container is a
 * handler like any other. {@code ArchitectureTest} checks both.
 *
 * <p>API: kept compatible across minor versions.
 */
package io.starlet;
