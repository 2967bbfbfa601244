package io.starlet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.starlet.http.HttpCompliance;

/**
 * The server's configuration: every Starlet option, with Starlet's defaults. Immutable; build one
 * with {@link #builder()}.
 *
 * @param listen where to listen; empty means {@code 0.0.0.0:8080}
 * @param maxWorkers workers = most requests handled at once; 0 runs a single worker, as 1 does
 * (Starlet's no-fork debug mode: every request on one thread)
 * @param timeout deadline for each read of a request and each write of a response
 * @param keepaliveTimeout how long an idle persistent connection waits for its next request
 * @param maxKeepaliveReqs most requests on one connection; 1 disables keep-alive
 * @param maxReqsPerChild requests a worker serves before it retires
 * @param minReqsPerChild when positive, each budget is drawn uniformly from [min, max]; 0 = unset
 * @param spawnInterval at most one worker is spawned per interval; {@code null} = unset
 * @param errRespawnInterval wait before replacing a worker that died of an uncaught error
 * @param childExitHooks run on each worker thread right before it exits
 * @param reusePort set {@code SO_REUSEPORT} on TCP listeners
 * @param queueTimeout a request that waited this long for a worker gets 503; {@code null} = wait
 * @param signals handle SIGHUP (recycle workers) and SIGUSR1 (slow hand-over)
 * @param requestHeadTimeout total deadline for a client to deliver a request head (slowloris)
 * @param maxRequestHeaderSize most bytes of request line plus header section (431 beyond)
 * @param maxRequestBodySize a declared {@code Content-Length} above this is refused (413); -1 = none
 * @param maxRequestFields most header fields in a request head (431 beyond)
 * @param maxChunkLineSize most bytes of one chunk-size line, extensions included (400 beyond)
 * @param serverHeader value of the {@code Server} response header; {@code null} = none
 * @param inheritedChannel adopt the listening socket passed on fd 0 (Server::Starter, systemd)
 * @param maxConnections most connections open at once; beyond it new clients wait in the backlog
 * @param requestBuffering collect each request body before a worker sees the request (else the
 * application reads it from the socket as it arrives)
 * @param requestBodyBufferSize most bytes of one request body collected in memory; larger bodies
 * go to a temporary file
 * @param requestBodyMemory most heap all bodies being collected may take together
 * @param minRequestBodyRate least bytes per second a body must arrive at after a 5 s grace
 * (408 below it); 0 = no minimum
 * @param unsentResponseSize most bytes of one connection's response held in memory when the client
 * takes them slower than the application writes, so that its worker need not wait; 0 = workers wait
 * @param unsentResponseMemory most heap the held bytes of all connections may take together
 * @param unsentResponseFileSize most bytes of one connection's response held in a temporary file
 * once memory has no room for them (per-connection limit or server-wide budget); 0 = no file: the
 * worker waits for the client
 * @param bodyTempDir where bodies too large for memory, and held responses beyond it, are written;
 * {@code null} = {@code java.io.tmpdir}
 * @param httpCompliance the leniencies the request parser grants ({@link HttpCompliance#DEFAULT})
 * @param clock the time every deadline, timeout and rate is measured in, and the {@code Date}
 * header's ({@link Clock#SYSTEM}; a test's clock to drive them)
 */
public record StarletConfig(
		List<Listen> listen,
		int maxWorkers,
		Duration timeout,
		Duration keepaliveTimeout,
		int maxKeepaliveReqs,
		int maxReqsPerChild,
		int minReqsPerChild,
		Duration spawnInterval,
		Duration errRespawnInterval,
		List<ChildExitHook> childExitHooks,
		boolean reusePort,
		Duration queueTimeout,
		boolean signals,
		Duration requestHeadTimeout,
		int maxRequestHeaderSize,
		long maxRequestBodySize,
		int maxRequestFields,
		int maxChunkLineSize,
		String serverHeader,
		boolean inheritedChannel,
		int maxConnections,
		boolean requestBuffering,
		int requestBodyBufferSize,
		long requestBodyMemory,
		long minRequestBodyRate,
		int unsentResponseSize,
		long unsentResponseMemory,
		long unsentResponseFileSize,
		java.nio.file.Path bodyTempDir,
		HttpCompliance httpCompliance,
		Clock clock) {

	public StarletConfig {
		listen = List.copyOf(listen);
		childExitHooks = List.copyOf(childExitHooks);
		Objects.requireNonNull(httpCompliance, "httpCompliance");
		Objects.requireNonNull(clock, "clock");
		Checks checks = new Checks();
		checks.require(maxWorkers >= 0, "max-workers", "must be 0 or more (0 runs a single worker), was " + maxWorkers);
		checks.require(maxKeepaliveReqs >= 1, "max-keepalive-reqs",
				"must be 1 or more (1 disables keep-alive), was " + maxKeepaliveReqs);
		checks.require(maxReqsPerChild >= 1, "max-reqs-per-child", "must be 1 or more, was " + maxReqsPerChild);
		checks.require(minReqsPerChild >= 0, "min-reqs-per-child", "must be 0 (unset) or more, was " + minReqsPerChild);
		checks.require(minReqsPerChild <= maxReqsPerChild, "min-reqs-per-child",
				"must not exceed max-reqs-per-child (" + maxReqsPerChild + "), was " + minReqsPerChild);
		checks.requirePositive(timeout, "timeout");
		checks.requirePositive(keepaliveTimeout, "keepalive-timeout");
		checks.requirePositive(requestHeadTimeout, "request-head-timeout");
		checks.require(errRespawnInterval != null, "err-respawn-interval", "must be set");
		checks.requireNotNegative(errRespawnInterval, "err-respawn-interval");
		checks.requireNotNegative(spawnInterval, "spawn-interval");
		checks.requireNotNegative(queueTimeout, "queue-timeout");
		checks.require(maxRequestHeaderSize >= 256, "max-request-header-size",
				"must be at least 256 bytes, was " + maxRequestHeaderSize);
		checks.require(maxRequestFields >= 1, "max-request-fields", "must be 1 or more, was " + maxRequestFields);
		checks.require(maxChunkLineSize >= 16, "max-chunk-line-size", "must be at least 16 bytes, was " + maxChunkLineSize);
		checks.require(maxRequestBodySize >= -1, "max-request-body-size",
				"must be -1 (no limit) or a size, was " + maxRequestBodySize);
		checks.require(maxConnections >= 1, "max-connections", "must be 1 or more, was " + maxConnections);
		checks.require(requestBodyBufferSize >= 0 && requestBodyBufferSize <= MAX_REQUEST_BODY_BUFFER_SIZE,
				"request-body-buffer-size", "must be between 0 and 2GB, was " + requestBodyBufferSize);
		checks.require(requestBodyMemory >= 0, "request-body-memory", "must not be negative, was " + requestBodyMemory);
		checks.require(minRequestBodyRate >= 0, "min-request-body-rate",
				"must not be negative (0 disables it), was " + minRequestBodyRate);
		checks.require(unsentResponseSize >= 0, "unsent-response-size",
				"must not be negative (0 makes workers wait for slow clients), was " + unsentResponseSize);
		checks.require(unsentResponseMemory >= 0, "unsent-response-memory",
				"must not be negative, was " + unsentResponseMemory);
		checks.require(unsentResponseFileSize >= 0, "unsent-response-file-size",
				"must not be negative (0 keeps held responses in memory only), was " + unsentResponseFileSize);
		checks.throwIfAny();
	}

	/** The largest {@code request-body-buffer-size}: a receive buffer of it plus a head must fit in an array. */
	public static final int MAX_REQUEST_BODY_BUFFER_SIZE = Integer.MAX_VALUE - 65536;

	/** A value that breaks a rule: the option by its {@code starlet.*} property name, and why. */
	public record Problem(String property, String reason) {

		/** "max-workers must be 0 or more, was -1". */
		public String message() {
			return this.property + " " + this.reason;
		}

	}

	/**
	 * A configuration with values that break its rules; {@link #problems()} lists every one, so
	 * that a caller (the Spring starter) can name each {@code starlet.*} property.
	 */
	public static final class InvalidConfigException extends IllegalArgumentException {

		private final transient List<Problem> problems;

		InvalidConfigException(List<Problem> problems) {
			super(String.join("; ", problems.stream().map(Problem::message).toList()));
			this.problems = List.copyOf(problems);
		}

		public List<Problem> problems() {
			return this.problems;
		}

	}

	/** Collects every broken rule, so one error names them all. */
	private static final class Checks {

		private final List<Problem> problems = new ArrayList<>();

		void require(boolean condition, String property, String reason) {
			if (!condition) {
				this.problems.add(new Problem(property, reason));
			}
		}

		void requirePositive(Duration d, String property) {
			require(d != null && !d.isNegative() && !d.isZero(), property, "must be a positive duration, was " + d);
		}

		void requireNotNegative(Duration d, String property) {
			require(d == null || !d.isNegative(), property, "must not be negative, was " + d);
		}

		void throwIfAny() {
			if (!this.problems.isEmpty()) {
				throw new InvalidConfigException(this.problems);
			}
		}

	}

	/**
	 * Whether the server adopts the listening socket inherited on fd 0: configured so
	 * ({@link #inheritedChannel}), or started by Server::Starter, which names its sockets in
	 * {@code SERVER_STARTER_PORT}. The one place this is decided, for the engine and the starter.
	 * @param environment where environment variables are read ({@code System::getenv})
	 */
	public boolean inheritsChannel(java.util.function.Function<String, String> environment) {
		String serverStarterPort = environment.apply(SERVER_STARTER_PORT);
		return this.inheritedChannel || (serverStarterPort != null && !serverStarterPort.isBlank());
	}

	/** Server::Starter names its sockets in this environment variable: {@code host:port=fd;...}. */
	public static final String SERVER_STARTER_PORT = "SERVER_STARTER_PORT";

	/** 30 MiB, in the range of Kestrel's default. */
	public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 30L * 1024 * 1024;

	/** How long a request body may arrive below {@link #minRequestBodyRate} before it is refused. */
	public static final Duration MIN_BODY_RATE_GRACE = Duration.ofSeconds(5);

	public static Builder builder() {
		return new Builder();
	}

	/** A builder initialised with this configuration's values. */
	public Builder toBuilder() {
		Builder b = new Builder();
		b.listen = new ArrayList<>(this.listen);
		b.maxWorkers = this.maxWorkers;
		b.timeout = this.timeout;
		b.keepaliveTimeout = this.keepaliveTimeout;
		b.maxKeepaliveReqs = this.maxKeepaliveReqs;
		b.maxReqsPerChild = this.maxReqsPerChild;
		b.minReqsPerChild = this.minReqsPerChild;
		b.spawnInterval = this.spawnInterval;
		b.errRespawnInterval = this.errRespawnInterval;
		b.childExitHooks = new ArrayList<>(this.childExitHooks);
		b.reusePort = this.reusePort;
		b.queueTimeout = this.queueTimeout;
		b.signals = this.signals;
		b.requestHeadTimeout = this.requestHeadTimeout;
		b.maxRequestHeaderSize = this.maxRequestHeaderSize;
		b.maxRequestBodySize = this.maxRequestBodySize;
		b.maxRequestFields = this.maxRequestFields;
		b.maxChunkLineSize = this.maxChunkLineSize;
		b.serverHeader = this.serverHeader;
		b.inheritedChannel = this.inheritedChannel;
		b.maxConnections = this.maxConnections;
		b.requestBuffering = this.requestBuffering;
		b.requestBodyBufferSize = this.requestBodyBufferSize;
		b.requestBodyMemory = this.requestBodyMemory;
		b.minRequestBodyRate = this.minRequestBodyRate;
		b.unsentResponseSize = this.unsentResponseSize;
		b.unsentResponseMemory = this.unsentResponseMemory;
		b.unsentResponseFileSize = this.unsentResponseFileSize;
		b.bodyTempDir = this.bodyTempDir;
		b.httpCompliance = this.httpCompliance;
		b.clock = this.clock;
		return b;
	}

	/** Builds a {@link StarletConfig}; every setter's default is Starlet's. */
	public static final class Builder {

		private List<Listen> listen = new ArrayList<>();
		private int maxWorkers = 10;
		private Duration timeout = Duration.ofSeconds(300);
		private Duration keepaliveTimeout = Duration.ofSeconds(2);
		private int maxKeepaliveReqs = 1;
		private int maxReqsPerChild = 100;
		private int minReqsPerChild;
		private Duration spawnInterval;
		private Duration errRespawnInterval = Duration.ofSeconds(1);
		private List<ChildExitHook> childExitHooks = new ArrayList<>();
		private boolean reusePort;
		private Duration queueTimeout;
		private boolean signals;
		private Duration requestHeadTimeout = Duration.ofSeconds(20);
		private int maxRequestHeaderSize = 8192;
		private long maxRequestBodySize = DEFAULT_MAX_REQUEST_BODY_SIZE;

		private int maxRequestFields = 100;

		private int maxChunkLineSize = 4096;
		private String serverHeader;
		private boolean inheritedChannel;
		private int maxConnections = 8192;
		private boolean requestBuffering = true;
		private int requestBodyBufferSize = 1024 * 1024;
		private long requestBodyMemory = 64L * 1024 * 1024;
		private long minRequestBodyRate = 240;
		private int unsentResponseSize = 1024 * 1024;
		private long unsentResponseMemory = 64L * 1024 * 1024;
		private long unsentResponseFileSize = 1024L * 1024 * 1024;
		private java.nio.file.Path bodyTempDir;
		private HttpCompliance httpCompliance = HttpCompliance.DEFAULT;
		private Clock clock = Clock.SYSTEM;

		private Builder() {
		}

		/** Adds a listen address (see {@link Listen#parse}). Default: {@code :8080}. */
		public Builder listen(Listen address) {
			this.listen.add(Objects.requireNonNull(address));
			return this;
		}

		public Builder listen(String spec) {
			return listen(Listen.parse(spec));
		}

		/** Shorthand for {@code listen(Listen.tcp(host, port))}. */
		public Builder listen(String host, int port) {
			return listen(Listen.tcp(host, port));
		}

		public Builder clearListen() {
			this.listen.clear();
			return this;
		}

		public Builder maxWorkers(int maxWorkers) {
			this.maxWorkers = maxWorkers;
			return this;
		}

		public Builder timeout(Duration timeout) {
			this.timeout = timeout;
			return this;
		}

		public Builder keepaliveTimeout(Duration keepaliveTimeout) {
			this.keepaliveTimeout = keepaliveTimeout;
			return this;
		}

		public Builder maxKeepaliveReqs(int maxKeepaliveReqs) {
			this.maxKeepaliveReqs = maxKeepaliveReqs;
			return this;
		}

		public Builder maxReqsPerChild(int maxReqsPerChild) {
			this.maxReqsPerChild = maxReqsPerChild;
			return this;
		}

		/** 0 (the default) leaves it unset: every budget is exactly max-reqs-per-child. */
		public Builder minReqsPerChild(int minReqsPerChild) {
			this.minReqsPerChild = minReqsPerChild;
			return this;
		}

		public Builder spawnInterval(Duration spawnInterval) {
			this.spawnInterval = spawnInterval;
			return this;
		}

		public Builder errRespawnInterval(Duration errRespawnInterval) {
			this.errRespawnInterval = errRespawnInterval;
			return this;
		}

		public Builder childExitHook(ChildExitHook hook) {
			this.childExitHooks.add(Objects.requireNonNull(hook));
			return this;
		}

		public Builder reusePort(boolean reusePort) {
			this.reusePort = reusePort;
			return this;
		}

		public Builder queueTimeout(Duration queueTimeout) {
			this.queueTimeout = queueTimeout;
			return this;
		}

		/** Off by default in the core (tests, embedding); the Spring starter turns it on. */
		public Builder signals(boolean signals) {
			this.signals = signals;
			return this;
		}

		public Builder requestHeadTimeout(Duration requestHeadTimeout) {
			this.requestHeadTimeout = requestHeadTimeout;
			return this;
		}

		public Builder maxRequestHeaderSize(int maxRequestHeaderSize) {
			this.maxRequestHeaderSize = maxRequestHeaderSize;
			return this;
		}

		public Builder maxRequestBodySize(long maxRequestBodySize) {
			this.maxRequestBodySize = maxRequestBodySize;
			return this;
		}

		/** Most header fields in a request head. Default 100. */
		public Builder maxRequestFields(int maxRequestFields) {
			this.maxRequestFields = maxRequestFields;
			return this;
		}

		/** Most bytes of a chunk-size line including its extensions. Default 4096. */
		public Builder maxChunkLineSize(int maxChunkLineSize) {
			this.maxChunkLineSize = maxChunkLineSize;
			return this;
		}

		public Builder serverHeader(String serverHeader) {
			this.serverHeader = serverHeader;
			return this;
		}

		public Builder inheritedChannel(boolean inheritedChannel) {
			this.inheritedChannel = inheritedChannel;
			return this;
		}

		/** Most connections open at once. Default 8192, as Tomcat's. */
		public Builder maxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
			return this;
		}

		/** Collect request bodies before a worker sees the request. Default true. */
		public Builder requestBuffering(boolean requestBuffering) {
			this.requestBuffering = requestBuffering;
			return this;
		}

		/** Most bytes of one body kept in memory while collected. Default 1 MiB. */
		public Builder requestBodyBufferSize(int requestBodyBufferSize) {
			this.requestBodyBufferSize = requestBodyBufferSize;
			return this;
		}

		/** Most heap all bodies being collected take together. Default 64 MiB. */
		public Builder requestBodyMemory(long requestBodyMemory) {
			this.requestBodyMemory = requestBodyMemory;
			return this;
		}

		/** Least bytes per second of a request body after a 5 s grace; 0 = none. Default 240. */
		public Builder minRequestBodyRate(long minRequestBodyRate) {
			this.minRequestBodyRate = minRequestBodyRate;
			return this;
		}

		/**
		 * Most bytes of one connection's response held in memory while a slow client takes them,
		 * so that its worker goes on; beyond it they go to a temporary file
		 * ({@link #unsentResponseFileSize}). 0: nothing is held, workers always wait. Default 1 MiB.
		 */
		public Builder unsentResponseSize(int unsentResponseSize) {
			this.unsentResponseSize = unsentResponseSize;
			return this;
		}

		/**
		 * Most heap the held response bytes of all connections take together; beyond it they go to
		 * temporary files. Default 64 MiB.
		 */
		public Builder unsentResponseMemory(long unsentResponseMemory) {
			this.unsentResponseMemory = unsentResponseMemory;
			return this;
		}

		/**
		 * Most bytes of one connection's response held in a temporary file, beyond what memory
		 * holds, while a slow client takes them; beyond it the worker waits for the client. 0: no
		 * file. Default 1 GiB.
		 */
		public Builder unsentResponseFileSize(long unsentResponseFileSize) {
			this.unsentResponseFileSize = unsentResponseFileSize;
			return this;
		}

		/**
		 * Directory for request bodies too large for memory and for held responses beyond it.
		 * Default: {@code java.io.tmpdir}.
		 */
		public Builder bodyTempDir(java.nio.file.Path bodyTempDir) {
			this.bodyTempDir = bodyTempDir;
			return this;
		}

		/**
		 * The leniencies the request parser grants. Default {@link HttpCompliance#DEFAULT};
		 * {@link HttpCompliance#STRICT} grants none.
		 */
		public Builder httpCompliance(HttpCompliance httpCompliance) {
			this.httpCompliance = httpCompliance;
			return this;
		}

		/**
		 * For tests; default the system clock ({@link Clock#SYSTEM}). The clock every deadline,
		 * timeout, rate and interval of the engine is measured in, and the {@code Date} header's.
		 */
		public Builder clock(Clock clock) {
			this.clock = clock;
			return this;
		}

		public StarletConfig build() {
			return new StarletConfig(this.listen, this.maxWorkers, this.timeout, this.keepaliveTimeout,
					this.maxKeepaliveReqs, this.maxReqsPerChild, this.minReqsPerChild, this.spawnInterval,
					this.errRespawnInterval, this.childExitHooks, this.reusePort, this.queueTimeout, this.signals,
					this.requestHeadTimeout, this.maxRequestHeaderSize, this.maxRequestBodySize, this.maxRequestFields,
					this.maxChunkLineSize, this.serverHeader, this.inheritedChannel, this.maxConnections,
					this.requestBuffering, this.requestBodyBufferSize, this.requestBodyMemory, this.minRequestBodyRate,
					this.unsentResponseSize, this.unsentResponseMemory, this.unsentResponseFileSize, this.bodyTempDir,
					this.httpCompliance, this.clock);
		}

	}

}
