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
	 * Number of workers: the most requests handled at once. 0 runs a single worker, as 1 does
	 * (Starlet's no-fork debug mode: every request on one thread).
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
	 * Most bytes of one connection's response held in memory while a slow client takes them,
	 * so that its worker goes back to the pool when the application is done instead of waiting
	 * for the client. What outgrows it goes to a temporary file (unsent-response-file-size). 0
	 * turns holding off: workers always write at the client's pace.
	 */
	private DataSize unsentResponseSize = DataSize.ofMegabytes(1);

	/**
	 * Most heap that the held response bytes of all connections may take together, across the
	 * server; once it is used up, held bytes go to temporary files.
	 */
	private DataSize unsentResponseMemory = DataSize.ofMegabytes(64);

	/**
	 * Most bytes of one connection's response held in a temporary file (in java.io.tmpdir) beyond
	 * what memory holds, so that a large download to a slow client holds no worker either; the
	 * file is sent with sendfile and deleted once sent. A response that outgrows it makes its
	 * worker wait for the rest. 0 keeps held responses in memory only.
	 */
	private DataSize unsentResponseFileSize = DataSize.ofGigabytes(1);

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
	 * Whether sendRedirect may send a relative Location header as the application gave it.
	 * By default it is made absolute from the request's scheme, host and port, as Servlet 6.1
	 * and Tomcat do (behind a proxy, those are right only with
	 * server.forward-headers-strategy=native).
	 */
	private boolean useRelativeRedirects = false;

	/**
	 * Peers trusted to send Forwarded and X-Forwarded-* headers (with
	 * server.forward-headers-strategy=native): IP addresses or CIDR blocks. Empty trusts loopback
	 * and private-network addresses.
	 */
	private List<String> trustedProxies = new ArrayList<>();

	/**
	 * Whether WebSocket connections may negotiate permessage-deflate (RFC 7692) compression
	 * with clients that offer it, as browsers do. Each message is compressed on its own, so
	 * an open connection holds no compression memory.
	 */
	private boolean websocketPermessageDeflate = true;

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

	public boolean isWebsocketPermessageDeflate() {
		return this.websocketPermessageDeflate;
	}

	public void setWebsocketPermessageDeflate(boolean websocketPermessageDeflate) {
		this.websocketPermessageDeflate = websocketPermessageDeflate;
	}

	public boolean isAccessLog() {
		return this.accessLog;
	}

	public void setAccessLog(boolean accessLog) {
		this.accessLog = accessLog;
	}

	public boolean isUseRelativeRedirects() {
		return this.useRelativeRedirects;
	}

	public void setUseRelativeRedirects(boolean useRelativeRedirects) {
		this.useRelativeRedirects = useRelativeRedirects;
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

	public DataSize getUnsentResponseSize() {
		return this.unsentResponseSize;
	}

	public void setUnsentResponseSize(DataSize unsentResponseSize) {
		this.unsentResponseSize = unsentResponseSize;
	}

	public DataSize getUnsentResponseMemory() {
		return this.unsentResponseMemory;
	}

	public void setUnsentResponseMemory(DataSize unsentResponseMemory) {
		this.unsentResponseMemory = unsentResponseMemory;
	}

	public DataSize getUnsentResponseFileSize() {
		return this.unsentResponseFileSize;
	}

	public void setUnsentResponseFileSize(DataSize unsentResponseFileSize) {
		this.unsentResponseFileSize = unsentResponseFileSize;
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
			// saturated, not wrapped: the engine refuses a size above its maximum by name
			.requestBodyBufferSize((int) Math.min(this.requestBodyBufferSize.toBytes(), Integer.MAX_VALUE))
			.requestBodyMemory(this.requestBodyMemory.toBytes())
			.minRequestBodyRate(this.minRequestBodyRate)
			.unsentResponseSize((int) Math.min(this.unsentResponseSize.toBytes(), Integer.MAX_VALUE))
			.unsentResponseMemory(this.unsentResponseMemory.toBytes())
			.unsentResponseFileSize(this.unsentResponseFileSize.toBytes());
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

	/**
	 * The engine's own checks ({@link StarletConfig}) decide which values are valid; this only
	 * adds what binding needs (a value must be set) and what the engine does not see (listen
	 * addresses as text, trusted proxies), and reports each problem under its property.
	 */
	@Override
	public void validate(Object target, Errors errors) {
		StarletProperties properties = (StarletProperties) target;
		requireSet(errors, properties.maxRequestBodySize, "maxRequestBodySize", "max-request-body-size");
		requireSet(errors, properties.requestBodyBufferSize, "requestBodyBufferSize", "request-body-buffer-size");
		requireSet(errors, properties.requestBodyMemory, "requestBodyMemory", "request-body-memory");
		requireSet(errors, properties.unsentResponseSize, "unsentResponseSize", "unsent-response-size");
		requireSet(errors, properties.unsentResponseMemory, "unsentResponseMemory", "unsent-response-memory");
		requireSet(errors, properties.unsentResponseFileSize, "unsentResponseFileSize", "unsent-response-file-size");
		if (!errors.hasErrors()) {
			StarletConfig.Builder builder = StarletConfig.builder();
			properties.applyTo(builder, false);
			try {
				builder.build();
			}
			catch (StarletConfig.InvalidConfigException ex) {
				for (StarletConfig.Problem problem : ex.problems()) {
					reject(errors, field(problem.property()), problem.property(), problem.reason());
				}
			}
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

	private static void requireSet(Errors errors, Object value, String field, String property) {
		if (value == null) {
			reject(errors, field, property, "must be set");
		}
	}

	/** {@code max-reqs-per-child} → {@code maxReqsPerChild}. */
	private static String field(String property) {
		StringBuilder field = new StringBuilder(property.length());
		boolean upper = false;
		for (char c : property.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				field.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return field.toString();
	}

	private static void reject(Errors errors, String field, String property, String reason) {
		errors.rejectValue(field, "starlet.invalid", "starlet." + property + " " + reason);
	}

}
