/**
 * The engine: the acceptor thread that holds every connection waiting for something, the pool of
 * workers that run application code, the queue between them, and the exchanges they run
 * ({@link io.starlet.worker.WorkerPool} assembles them). A worker is spent only on running a
 * handler; reading heads and bodies, idle keep-alive, suspended and upgraded connections wait on
 * the acceptor without one (docs/worker-model.md).
 *
 * <p>Layer: uses {@code io.starlet.net}, {@code io.starlet.http} and the API ({@code io.starlet}),
 * whose {@code Exchange}, {@code Suspension} and {@code Upgrade} it implements; used only by
 * {@code io.starlet.server}.
 *
 * <p>Internal: every type but {@code WorkerPool} is package-private, and that one is public only
 * for {@code io.starlet.server}; may change without notice.
 */
package io.starlet.worker;
