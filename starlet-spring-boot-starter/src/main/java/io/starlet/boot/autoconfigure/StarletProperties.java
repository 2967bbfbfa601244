package io.starlet.boot.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.starlet.Listen;
import io.starlet.StarletConfig;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Starlet's options, bound from {@code starlet.*} with the names and defaults of Perl Starlet's
 * command line. Durations are seconds when given as a bare number ({@code timeout: 300}), and
 * accept units too ({@code 500ms}, {@code 2s}, {@code 5m}).
 *
 * <p>The properties validate themselves when bound, so a bad value stops startup with a message
 * that names the property.
 */
@ConfigurationProperties("starlet")
public class StarletProperties implements Validator {

	/**
	 * Number of workers: the most requests handled at once. 0 serves every request on a single
	 * thread (for debugging).
	 */
	private int maxWorkers = 10;

	/**
	 * Deadline for each read of a request and each write of a response. A bare number is seconds.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration timeout = Duration.ofSeconds(300);

	/**
	 * How long an idle persistent connection waits for its next request. A bare number is seconds.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration keepaliveTimeout = Duration.ofSeconds(2);

	/**
	 * Most requests served on one connection. 1 disables keep-alive (every response carries
	 * "Connection: close").
	 */
	private int maxKeepaliveReqs = 1;

	/**
	 * Requests a worker serves before it retires and is replaced.
	 */
	private int maxReqsPerChild = 100;

	/**
	 * When set, each worker's request budget is drawn uniformly from [min-reqs-per-child,
	 * max-reqs-per-child], so that workers do not all retire at once.
	 */
	private Integer minReqsPerChild;

	/**
	 * When set, at most one worker is spawned per interval, and a recycle (SIGHUP) replaces workers
	 * one per interval. A bare number is seconds.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration spawnInterval;

	/**
	 * How long to wait before replacing a worker that died of an uncaught error. A bare number is
	 * seconds.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration errRespawnInterval = Duration.ofSeconds(1);

	/**
	 * One more hook run on each worker right before it exits, besides every ChildExitHook bean:
	 * the name of a ChildExitHook bean, or the name of a class implementing ChildExitHook with a
	 * no-argument constructor.
	 */
	private String childExit;

	/**
	 * Extra addresses to listen on besides server.port and server.address: "host:port", ":port",
	 * "[v6]:port" or a UNIX domain socket path.
	 */
	private List<String> listen = new ArrayList<>();

	/**
	 * Whether to set SO_REUSEPORT on TCP listeners, so that a new instance can bind while the old
	 * one drains.
	 */
	private boolean reusePort = false;

	/**
	 * When set, a request that waited this long for a free worker gets "503 Service Unavailable"
	 * with Retry-After. A bare number is seconds.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration queueTimeout;

	/**
	 * Whether SIGHUP recycles the workers and SIGUSR1 (with spawn-interval) hands over slowly.
	 * SIGTERM is left to the JVM, which Spring turns into a graceful shutdown.
	 */
	private boolean signals = true;

	/**
	 * Total time a client has to deliver a complete request head (protects the workers from
	 * slow clients). A bare number is seconds.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration requestHeadTimeout = Duration.ofSeconds(20);

	/**
	 * Most connections open at once. Beyond it Starlet stops accepting, leaves new clients in the
	 * kernel's backlog, and resumes as connections close.
	 */
	private int maxConnections = 8192;

	/**
	 * Largest request body accepted. A larger Content-Length is refused with 413 before any of the
	 * body is read; a chunked body gets 413 when it crosses the limit. -1 means no limit.
	 */
	private DataSize maxRequestBodySize = DataSize.ofBytes(StarletConfig.DEFAULT_MAX_REQUEST_BODY_SIZE);

	/**
	 * Whether to collect each request body before a worker runs the request, so that a slow or
	 * stalled upload never holds a worker. When false, the application reads the body from the
	 * socket as it arrives (for proxies and very large uploads), bound by min-request-body-rate.
	 */
	private boolean requestBuffering = true;

	/**
	 * Largest request body collected in memory; larger ones are written to a temporary file
	 * (java.io.tmpdir) that is deleted when the request ends.
	 */
	private DataSize requestBodyBufferSize = DataSize.ofMegabytes(1);

	/**
	 * Most heap that the request bodies being collected may take together, across the server;
	 * bodies that find no room go to temporary files.
	 */
	private DataSize requestBodyMemory = DataSize.ofMegabytes(64);

	/**
	 * Least average rate, in bytes per second, at which a request body must arrive once a 5
	 * second grace has passed. Below it the request gets 408 and the connection closes. 0
	 * disables the check.
	 */
	private long minRequestBodyRate = 240;

	/**
	 * Whether to adopt the listening socket passed on file descriptor 0 (systemd's
	 * StandardInput=socket) instead of binding server.port. Automatic when Server::Starter's
	 * SERVER_STARTER_PORT is set.
	 */
	private boolean inheritedChannel = false;

	/**
	 * Whether to log every request in the combined log format on the logger "starlet.access".
	 */
	private boolean accessLog = false;

	/**
	 * Peers trusted to send Forwarded and X-Forwarded-* headers (with
	 * server.forward-headers-strategy=native): IP addresses or CIDR blocks. Empty trusts loopback
	 * and private-network addresses.
	 */
	private List<String> trustedProxies = new ArrayList<>();

	public int getMaxWorkers() {
		return this.maxWorkers;
	}

	public void setMaxWorkers(int maxWorkers) {
		this.maxWorkers = maxWorkers;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public Duration getKeepaliveTimeout() {
		return this.keepaliveTimeout;
	}

	public void setKeepaliveTimeout(Duration keepaliveTimeout) {
		this.keepaliveTimeout = keepaliveTimeout;
	}

	public int getMaxKeepaliveReqs() {
		return this.maxKeepaliveReqs;
	}

	public void setMaxKeepaliveReqs(int maxKeepaliveReqs) {
		this.maxKeepaliveReqs = maxKeepaliveReqs;
	}

	public int getMaxReqsPerChild() {
		return this.maxReqsPerChild;
	}

	public void setMaxReqsPerChild(int maxReqsPerChild) {
		this.maxReqsPerChild = maxReqsPerChild;
	}

	public Integer getMinReqsPerChild() {
		return this.minReqsPerChild;
	}

	public void setMinReqsPerChild(Integer minReqsPerChild) {
		this.minReqsPerChild = minReqsPerChild;
	}

	public Duration getSpawnInterval() {
		return this.spawnInterval;
	}

	public void setSpawnInterval(Duration spawnInterval) {
		this.spawnInterval = spawnInterval;
	}

	public Duration getErrRespawnInterval() {
		return this.errRespawnInterval;
	}

	public void setErrRespawnInterval(Duration errRespawnInterval) {
		this.errRespawnInterval = errRespawnInterval;
	}

	public String getChildExit() {
		return this.childExit;
	}

	public void setChildExit(String childExit) {
		this.childExit = childExit;
	}

	public List<String> getListen() {
		return this.listen;
	}

	public void setListen(List<String> listen) {
		this.listen = listen;
	}

	public boolean isReusePort() {
		return this.reusePort;
	}

	public void setReusePort(boolean reusePort) {
		this.reusePort = reusePort;
	}

	public Duration getQueueTimeout() {
		return this.queueTimeout;
	}

	public void setQueueTimeout(Duration queueTimeout) {
		this.queueTimeout = queueTimeout;
	}

	public boolean isSignals() {
		return this.signals;
	}

	public void setSignals(boolean signals) {
		this.signals = signals;
	}

	public Duration getRequestHeadTimeout() {
		return this.requestHeadTimeout;
	}

	public void setRequestHeadTimeout(Duration requestHeadTimeout) {
		this.requestHeadTimeout = requestHeadTimeout;
	}

	public boolean isInheritedChannel() {
		return this.inheritedChannel;
	}

	public void setInheritedChannel(boolean inheritedChannel) {
		this.inheritedChannel = inheritedChannel;
	}

	public boolean isAccessLog() {
		return this.accessLog;
	}

	public void setAccessLog(boolean accessLog) {
		this.accessLog = accessLog;
	}

	public List<String> getTrustedProxies() {
		return this.trustedProxies;
	}

	public void setTrustedProxies(List<String> trustedProxies) {
		this.trustedProxies = trustedProxies;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public DataSize getMaxRequestBodySize() {
		return this.maxRequestBodySize;
	}

	public void setMaxRequestBodySize(DataSize maxRequestBodySize) {
		this.maxRequestBodySize = maxRequestBodySize;
	}

	public boolean isRequestBuffering() {
		return this.requestBuffering;
	}

	public void setRequestBuffering(boolean requestBuffering) {
		this.requestBuffering = requestBuffering;
	}

	public DataSize getRequestBodyBufferSize() {
		return this.requestBodyBufferSize;
	}

	public void setRequestBodyBufferSize(DataSize requestBodyBufferSize) {
		this.requestBodyBufferSize = requestBodyBufferSize;
	}

	public DataSize getRequestBodyMemory() {
		return this.requestBodyMemory;
	}

	public void setRequestBodyMemory(DataSize requestBodyMemory) {
		this.requestBodyMemory = requestBodyMemory;
	}

	public long getMinRequestBodyRate() {
		return this.minRequestBodyRate;
	}

	public void setMinRequestBodyRate(long minRequestBodyRate) {
		this.minRequestBodyRate = minRequestBodyRate;
	}

	/**
	 * Copies these options onto an engine configuration (child-exit is resolved elsewhere).
	 * @param withListen whether to add the {@code listen} addresses too
	 */
	void applyTo(StarletConfig.Builder builder, boolean withListen) {
		builder.maxWorkers(this.maxWorkers)
			.timeout(this.timeout)
			.keepaliveTimeout(this.keepaliveTimeout)
			.maxKeepaliveReqs(this.maxKeepaliveReqs)
			.maxReqsPerChild(this.maxReqsPerChild)
			.minReqsPerChild((this.minReqsPerChild != null) ? this.minReqsPerChild : 0)
			.spawnInterval(this.spawnInterval)
			.errRespawnInterval(this.errRespawnInterval)
			.reusePort(this.reusePort)
			.queueTimeout(this.queueTimeout)
			.signals(this.signals)
			.requestHeadTimeout(this.requestHeadTimeout)
			.maxConnections(this.maxConnections)
			.maxRequestBodySize(this.maxRequestBodySize.toBytes())
			.requestBuffering(this.requestBuffering)
			.requestBodyBufferSize((int) this.requestBodyBufferSize.toBytes())
			.requestBodyMemory(this.requestBodyMemory.toBytes())
			.minRequestBodyRate(this.minRequestBodyRate);
		if (withListen) {
			builder.inheritedChannel(this.inheritedChannel);
			for (String address : this.listen) {
				builder.listen(Listen.parse(address));
			}
		}
	}

	@Override
	public boolean supports(Class<?> type) {
		return StarletProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		StarletProperties properties = (StarletProperties) target;
		if (properties.maxWorkers < 0) {
			reject(errors, "maxWorkers", "max-workers", "must be 0 or more (0 serves on a single thread)");
		}
		if (properties.maxKeepaliveReqs < 1) {
			reject(errors, "maxKeepaliveReqs", "max-keepalive-reqs", "must be 1 or more (1 disables keep-alive)");
		}
		if (properties.maxReqsPerChild < 1) {
			reject(errors, "maxReqsPerChild", "max-reqs-per-child", "must be 1 or more");
		}
		if (properties.minReqsPerChild != null) {
			if (properties.minReqsPerChild < 1) {
				reject(errors, "minReqsPerChild", "min-reqs-per-child", "must be 1 or more");
			}
			else if (properties.minReqsPerChild > properties.maxReqsPerChild) {
				reject(errors, "minReqsPerChild", "min-reqs-per-child",
						"must not exceed starlet.max-reqs-per-child (" + properties.maxReqsPerChild + ")");
			}
		}
		if (properties.maxConnections < 1) {
			reject(errors, "maxConnections", "max-connections", "must be 1 or more");
		}
		if (properties.maxRequestBodySize == null || properties.maxRequestBodySize.toBytes() < -1) {
			reject(errors, "maxRequestBodySize", "max-request-body-size", "must be -1 (no limit) or a size");
		}
		if (properties.requestBodyBufferSize == null || properties.requestBodyBufferSize.isNegative()
				|| properties.requestBodyBufferSize.toBytes() > Integer.MAX_VALUE - 65536) {
			reject(errors, "requestBodyBufferSize", "request-body-buffer-size", "must be between 0 and 2GB");
		}
		if (properties.requestBodyMemory == null || properties.requestBodyMemory.isNegative()) {
			reject(errors, "requestBodyMemory", "request-body-memory", "must not be negative");
		}
		if (properties.minRequestBodyRate < 0) {
			reject(errors, "minRequestBodyRate", "min-request-body-rate", "must not be negative (0 disables it)");
		}
		requirePositive(errors, properties.timeout, "timeout", "timeout");
		requirePositive(errors, properties.keepaliveTimeout, "keepaliveTimeout", "keepalive-timeout");
		requirePositive(errors, properties.requestHeadTimeout, "requestHeadTimeout", "request-head-timeout");
		requireNotNegative(errors, properties.spawnInterval, "spawnInterval", "spawn-interval");
		requireNotNegative(errors, properties.errRespawnInterval, "errRespawnInterval", "err-respawn-interval");
		requireNotNegative(errors, properties.queueTimeout, "queueTimeout", "queue-timeout");
		if (properties.errRespawnInterval == null) {
			reject(errors, "errRespawnInterval", "err-respawn-interval", "must be set");
		}
		if (properties.listen != null) {
			for (int i = 0; i < properties.listen.size(); i++) {
				try {
					Listen.parse(properties.listen.get(i));
				}
				catch (IllegalArgumentException ex) {
					reject(errors, "listen[" + i + "]", "listen[" + i + "]", ex.getMessage());
				}
			}
		}
		if (properties.trustedProxies != null) {
			for (int i = 0; i < properties.trustedProxies.size(); i++) {
				try {
					AddressRanges.parse(List.of(properties.trustedProxies.get(i)));
				}
				catch (IllegalArgumentException ex) {
					reject(errors, "trustedProxies[" + i + "]", "trusted-proxies[" + i + "]", ex.getMessage());
				}
			}
		}
	}

	private static void requirePositive(Errors errors, Duration value, String field, String property) {
		if (value == null || value.isNegative() || value.isZero()) {
			reject(errors, field, property, "must be a positive duration");
		}
	}

	private static void requireNotNegative(Errors errors, Duration value, String field, String property) {
		if (value != null && value.isNegative()) {
			reject(errors, field, property, "must not be negative");
		}
	}

	private static void reject(Errors errors, String field, String property, String reason) {
		errors.rejectValue(field, "starlet.invalid", "starlet." + property + " " + reason);
	}

}
