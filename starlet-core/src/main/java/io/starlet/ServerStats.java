package io.starlet;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of the engine, for health and metrics.
 *
 * @param maxWorkers configured workers
 * @param liveWorkers worker threads alive now
 * @param busyWorkers workers serving a connection now
 * @param idleConnections connections the acceptor holds waiting for a request (its head, its body,
 * or the next one on a persistent connection)
 * @param queuedConnections connections with a complete request waiting for a worker
 * @param requests requests served since start
 * @param retirements workers retired since start, by reason: budget, harakiri, recycle, hand-over,
 * error, shutdown ({@link #RETIREMENT_REASONS})
 * @param rejections responses the engine produced itself, by status (400, 408, 431, 503, ...)
 * @param violations the same responses by the name of the rule the request broke
 * ({@code CONTENT_TOO_LARGE}, {@code REQUEST_TIMEOUT}, ...: {@link io.starlet.http.Violation})
 * @param openConnections connections open now, whoever holds them
 * @param maxConnections the most connections open at once ({@code max-connections})
 * @param suspendedRequests requests in async mode, waiting without a worker
 * @param bufferedBodyBytes heap held by request bodies being collected, or collected and not yet
 * served
 * @param upgradedConnections connections that left HTTP ({@code 101 Switching Protocols}, e.g.
 * WebSocket) and are open; they count in {@code openConnections}, not in the idle ones
 * @param unsentResponseBytes heap held by responses their clients have not taken yet, which the
 * acceptor sends while the workers go on ({@code unsent-response-size})
 * @param sendingConnections connections whose response is complete but not yet all taken by the
 * client: the acceptor sends the rest, no worker holds them
 * @param unsentResponseFileBytes bytes of responses their clients have not taken yet held in
 * temporary files, beyond what memory holds ({@code unsent-response-file-size})
 */
public record ServerStats(int maxWorkers, int liveWorkers, int busyWorkers, int idleConnections,
		int queuedConnections, long requests, Map<String, Long> retirements, Map<Integer, Long> rejections,
		Map<String, Long> violations, int openConnections, int maxConnections, int suspendedRequests,
		long bufferedBodyBytes, int upgradedConnections, long unsentResponseBytes, int sendingConnections,
		long unsentResponseFileBytes) {

	public static final ServerStats EMPTY = new ServerStats(0, 0, 0, 0, 0, 0, Map.of(), Map.of(), Map.of(), 0, 0, 0,
			0, 0, 0, 0, 0);

	/** A worker spent its request budget ({@code max-reqs-per-child}). */
	public static final String RETIRED_BUDGET = "budget";

	/** A request asked its worker to retire (Starlet's harakiri). */
	public static final String RETIRED_HARAKIRI = "harakiri";

	/** Recycled by SIGHUP or {@link io.starlet.server.StarletServer#recycleWorkers()}. */
	public static final String RETIRED_RECYCLE = "recycle";

	/** Retired during a SIGUSR1 hand-over to a new generation. */
	public static final String RETIRED_HAND_OVER = "hand-over";

	/** Died of an uncaught {@code Error}. */
	public static final String RETIRED_ERROR = "error";

	/** Stopped with the server. */
	public static final String RETIRED_SHUTDOWN = "shutdown";

	/** Every key {@link #retirements()} can have, for metrics that must exist before they count. */
	public static final List<String> RETIREMENT_REASONS = List.of(RETIRED_BUDGET, RETIRED_HARAKIRI, RETIRED_RECYCLE,
			RETIRED_HAND_OVER, RETIRED_ERROR, RETIRED_SHUTDOWN);

	/** Every key {@link #rejections()} can have: the violations' statuses. */
	public static final List<Integer> REJECTION_STATUSES = java.util.Arrays
		.stream(io.starlet.http.Violation.values()).map(io.starlet.http.Violation::status)
		.distinct().sorted().toList();

	/** Every key {@link #violations()} can have. */
	public static final List<String> VIOLATION_NAMES = java.util.Arrays.stream(io.starlet.http.Violation.values())
		.map(Enum::name).toList();

	/**
	 * Every key {@link #violations()} can have, with the status it is answered with, in the order
	 * of {@link #VIOLATION_NAMES}: for metrics tagged with both, without the engine's own types.
	 */
	public static final Map<String, Integer> VIOLATION_STATUSES = java.util.Collections
		.unmodifiableMap(java.util.Arrays.stream(io.starlet.http.Violation.values())
			.collect(java.util.stream.Collectors.toMap(Enum::name, io.starlet.http.Violation::status, (a, b) -> a,
					java.util.LinkedHashMap::new)));

}
