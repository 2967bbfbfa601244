/**
 * Connections and what they own: the non-blocking socket and its receive buffer
 * ({@link io.starlet.net.Connection}), reads and writes with deadlines
 * ({@link io.starlet.net.ConnectionInput}, {@link io.starlet.net.ConnectionOutput}), request bodies
 * collected before a worker sees them ({@link io.starlet.net.BodyCollector},
 * {@link io.starlet.net.CollectedBody}), the memory budget for them, the minimum data rate, and
 * the listening sockets ({@link io.starlet.net.Listeners}).
 *
 * <p>Layer: uses {@code io.starlet.http} and the API ({@code io.starlet}); used by
 * {@code io.starlet.worker}. Decides nothing about the protocol or the lifecycle: it moves bytes
 * and keeps the state the acceptor and the workers set.
 *
 * <p>Internal: public only because {@code io.starlet.worker} uses it; may change without notice.
 */
package io.starlet.net;
