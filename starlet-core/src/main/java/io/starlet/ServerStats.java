package io.starlet;

import java.util.Map;

/**
 * A snapshot of the engine, for health and metrics.
 *
 * @param maxWorkers configured workers
 * @param liveWorkers worker threads alive now
 * @param busyWorkers workers serving a connection now
 * @param idleConnections connections the acceptor holds (waiting for a request head or idle)
 * @param queuedConnections connections with a complete request waiting for a worker
 * @param requests requests served since start
 * @param retirements workers retired since start, by reason (budget, harakiri, signal, error, shutdown)
 * @param rejections responses the engine produced itself, by status (400, 408, 431, 503, ...)
 */
public record ServerStats(int maxWorkers, int liveWorkers, int busyWorkers, int idleConnections,
		int queuedConnections, long requests, Map<String, Long> retirements, Map<Integer, Long> rejections) {

	public static final ServerStats EMPTY = new ServerStats(0, 0, 0, 0, 0, 0, Map.of(), Map.of());

}
