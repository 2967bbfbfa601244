/**
 * A Servlet 6.1 container that is a {@link io.starlet.Handler} like any other:
 * {@link io.starlet.servlet.ServletContainer} maps each exchange to filters and a servlet, and
 * offers async processing (on the engine's suspension, without holding a worker), sessions,
 * multipart, error pages, static resources and the HTTP upgrade.
 *
 * <p>Layer: uses the API ({@code io.starlet}) and, of {@code io.starlet.http}, only the field
 * types the API hands out; never the engine, so it runs on any {@code Exchange}
 * ({@code ArchitectureTest} checks it).
 *
 * <p>API: {@link io.starlet.servlet.ServletContainer} and
 * {@link io.starlet.servlet.ContainerSettings}, which an embedder (the starter, or a program of
 * its own) creates; applications see only the {@code jakarta.servlet} interfaces. Every other type
 * is package-private.
 */
package io.starlet.servlet;
