package io.starlet.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.starlet.ServerStats;
import io.starlet.server.StarletServer;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code starlet} health component: UP while the server runs with at least one live worker,
 * DOWN when it is not running or no worker is alive to accept requests. Details describe the
 * worker pool.
 */
public class StarletHealthIndicator extends AbstractHealthIndicator {

	private final Supplier<StarletServer> server;

	public StarletHealthIndicator(Supplier<StarletServer> server) {
		super("Starlet health check failed");
		this.server = server;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		StarletServer server = this.server.get();
		if (server == null || !server.isRunning()) {
			builder.down().withDetail("running", false);
			return;
		}
		ServerStats stats = server.stats();
		boolean canServe = stats.maxWorkers() == 0 || stats.liveWorkers() > 0;
		(canServe ? builder.up() : builder.down()).withDetail("running", true)
			.withDetail("maxWorkers", stats.maxWorkers())
			.withDetail("liveWorkers", stats.liveWorkers())
			.withDetail("busyWorkers", stats.busyWorkers())
			.withDetail("idleWorkers", Math.max(0, stats.liveWorkers() - stats.busyWorkers()))
			.withDetail("idleConnections", stats.idleConnections())
			.withDetail("queuedConnections", stats.queuedConnections())
			.withDetail("openConnections", stats.openConnections())
			.withDetail("maxConnections", stats.maxConnections())
			.withDetail("suspendedRequests", stats.suspendedRequests())
			.withDetail("upgradedConnections", stats.upgradedConnections())
			.withDetail("sendingConnections", stats.sendingConnections())
			.withDetail("bufferedBodyBytes", stats.bufferedBodyBytes())
			.withDetail("unsentResponseBytes", stats.unsentResponseBytes())
			.withDetail("unsentResponseFileBytes", stats.unsentResponseFileBytes())
			.withDetail("requests", stats.requests())
			.withDetail("retiredWorkers", stats.retirements())
			.withDetail("rejectedRequests", byStatus(stats.rejections()))
			.withDetail("violations", stats.violations());
	}

	private static Map<String, Long> byStatus(Map<Integer, Long> rejections) {
		Map<String, Long> result = new LinkedHashMap<>();
		rejections.forEach((status, count) -> result.put(String.valueOf(status), count));
		return result;
	}

}
