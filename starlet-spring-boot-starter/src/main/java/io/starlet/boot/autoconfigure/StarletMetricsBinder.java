package io.starlet.boot.autoconfigure;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.starlet.ServerStats;
import io.starlet.server.StarletServer;

import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Micrometer meters of the worker pool. Bound once the application has started, since the web
 * server (and so the engine) only exists from then on.
 *
 * <ul>
 * <li>{@code starlet.workers.max}, {@code .live}, {@code .busy}, {@code .idle}: gauges</li>
 * <li>{@code starlet.connections.idle}, {@code starlet.connections.queued}: gauges</li>
 * <li>{@code starlet.connections.open}, {@code starlet.connections.max}: gauges</li>
 * <li>{@code starlet.requests.suspended}: gauge of async requests waiting without a worker</li>
 * <li>{@code starlet.connections.upgraded}: gauge of connections that left HTTP (WebSocket)</li>
 * <li>{@code starlet.connections.sending}: gauge of connections whose complete response a slow
 * client is still taking</li>
 * <li>{@code starlet.requests.body.buffered}: gauge of heap bytes held by collected request bodies</li>
 * <li>{@code starlet.responses.unsent}: gauge of heap bytes of responses slow clients have not taken</li>
 * <li>{@code starlet.requests}: requests served</li>
 * <li>{@code starlet.workers.retired} tagged {@code reason}: workers that exited</li>
 * <li>{@code starlet.requests.rejected} tagged {@code status} and {@code violation}: responses the
 * engine produced itself</li>
 * </ul>
 */
public class StarletMetricsBinder implements ApplicationListener<ApplicationStartedEvent> {

	private final MeterRegistry registry;

	public StarletMetricsBinder(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onApplicationEvent(ApplicationStartedEvent event) {
		StarletServer server = StarletWebServers.find(event.getApplicationContext());
		if (server != null) {
			binder(server).bindTo(this.registry);
		}
	}

	static MeterBinder binder(StarletServer server) {
		return (registry) -> {
			gauge(registry, server, "starlet.workers.max", "Configured workers (starlet.max-workers)",
					ServerStats::maxWorkers);
			gauge(registry, server, "starlet.workers.live", "Worker threads alive", ServerStats::liveWorkers);
			gauge(registry, server, "starlet.workers.busy", "Workers serving a request", ServerStats::busyWorkers);
			gauge(registry, server, "starlet.workers.idle", "Live workers waiting for a request",
					(stats) -> Math.max(0, stats.liveWorkers() - stats.busyWorkers()));
			gauge(registry, server, "starlet.connections.idle",
					"Connections held by the acceptor (awaiting a request head, or idle keep-alive)",
					ServerStats::idleConnections);
			gauge(registry, server, "starlet.connections.queued", "Connections with a request waiting for a worker",
					ServerStats::queuedConnections);
			gauge(registry, server, "starlet.connections.open", "Connections open now", ServerStats::openConnections);
			gauge(registry, server, "starlet.connections.max", "Most connections open at once (starlet.max-connections)",
					ServerStats::maxConnections);
			gauge(registry, server, "starlet.requests.suspended", "Async requests waiting without a worker",
					ServerStats::suspendedRequests);
			gauge(registry, server, "starlet.connections.upgraded",
					"Connections that left HTTP (101 Switching Protocols, e.g. WebSocket) and are open",
					ServerStats::upgradedConnections);
			gauge(registry, server, "starlet.connections.sending",
					"Connections whose complete response the acceptor is still sending to a slow client",
					ServerStats::sendingConnections);
			gauge(registry, server, "starlet.requests.body.buffered",
					"Heap bytes held by request bodies collected before a worker sees them", ServerStats::bufferedBodyBytes);
			gauge(registry, server, "starlet.responses.unsent",
					"Heap bytes of responses held for clients that take them slower than they were written",
					ServerStats::unsentResponseBytes);
			gauge(registry, server, "starlet.responses.unsent.file",
					"Bytes of responses held in temporary files for slow clients, beyond what memory holds",
					ServerStats::unsentResponseFileBytes);
			FunctionCounter.builder("starlet.requests", server, (s) -> s.stats().requests())
				.description("Requests served")
				.register(registry);
			for (String reason : ServerStats.RETIREMENT_REASONS) {
				FunctionCounter
					.builder("starlet.workers.retired", server, (s) -> s.stats().retirements().getOrDefault(reason, 0L))
					.description("Workers that exited, by reason")
					.tag("reason", reason)
					.register(registry);
			}
			ServerStats.VIOLATION_STATUSES.forEach((violation, status) -> FunctionCounter
				.builder("starlet.requests.rejected", server,
						(s) -> s.stats().violations().getOrDefault(violation, 0L))
				.description("Requests the engine answered itself (malformed, too large, timed out, queue full)")
				.tag("status", String.valueOf(status))
				.tag("violation", violation)
				.register(registry));
		};
	}

	private static void gauge(MeterRegistry registry, StarletServer server, String name, String description,
			ToDoubleFunction<ServerStats> value) {
		Gauge.builder(name, server, (s) -> value.applyAsDouble(s.stats())).description(description).register(registry);
	}

}
