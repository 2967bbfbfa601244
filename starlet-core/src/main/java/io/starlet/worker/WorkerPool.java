package io.starlet.worker;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Clock;
import io.starlet.Handler;
import io.starlet.ServerStats;
import io.starlet.StarletConfig;
import io.starlet.http.RequestParser;
import io.starlet.http.ResponseHead;
import io.starlet.http.Violation;
import io.starlet.net.BodyCollector;
import io.starlet.net.BufferBudget;
import io.starlet.net.UnsentOutput;
import io.starlet.net.Connection;
import io.starlet.net.Listeners;

/**
 * The server's engine: opens the listeners, runs the {@link Acceptor}, routes connections whose
 * request has arrived to the workers, and owns the lifecycle below. Its other jobs are classes of
 * their own: {@link WorkerSupervisor} keeps {@code max-workers} {@link Worker}s alive (spawn
 * policy, recycle, hand-over), {@link Spares} keeps selectors and output buffers for reuse,
 * {@link PoolCounters} counts for {@link #stats()}, {@link AsyncExchanges} and
 * {@link UpgradedConnections} track the connections held without a worker.
 *
 * <p>Requests reach workers through one FIFO queue of connections whose request has arrived, so
 * {@code max-workers} is exactly the number of requests handled at once.
 *
 * <pre>
 *   new ──start()──▶ RUNNING ──shutdownGracefully()──▶ DRAINING ──(nothing active)──▶ DRAINED
 *                       │                                  │                              │
 *                       └────────────── stop() ────────────┴──────────────────────────────┴──▶ STOPPED
 * </pre>
 *
 * Public only so that {@link io.starlet.server.StarletServer} can reach it; not an API.
 */
public final class WorkerPool {

	private static final Logger logger = LoggerFactory.getLogger(WorkerPool.class);

	/** Room for a full head plus a small body, which the acceptor collects before a worker sees it. */
	static final int SMALL_BODY = 16 * 1024;

	private final StarletConfig config;

	/** The config's clock, in one final field: read per request, and inlined. */
	private final Clock clock;

	/** Its wall clock, which dates every response ({@code Date}): one instance for all heads. */
	private final LongSupplier wallClock;

	private final Handler handler;

	/** Connections whose request has arrived, on their way to a worker. */
	private final Handoff<Connection> ready = new Handoff<>();

	private final CompletableFuture<Void> drained = new CompletableFuture<>();

	/** Requests in progress: from their arrival to the end of the worker's (or async) work on them. */
	private final AtomicInteger active = new AtomicInteger();

	private final AtomicInteger openConnections = new AtomicInteger();

	/** Connections in SENDING: a complete response the acceptor is still sending. */
	private final AtomicInteger sendingConnections = new AtomicInteger();

	private final BodyCollector bodyCollector;

	/** How workers hold what slow clients do not take at once; null when they wait for them. */
	private final UnsentOutput.Policy unsentPolicy;

	private final WorkerSupervisor supervisor;

	private final Spares spares;

	private final PoolCounters counters = new PoolCounters();

	private final AsyncExchanges asyncExchanges = new AsyncExchanges();

	private final UpgradedConnections upgraded = new UpgradedConnections();

	private Listeners listeners;

	private Acceptor acceptor;

	private Thread acceptorThread;

	private volatile boolean running;

	private volatile boolean shuttingDown;

	private volatile boolean stopped;

	public WorkerPool(StarletConfig config, Handler handler) {
		this.config = config;
		this.clock = config.clock();
		this.wallClock = this.clock::currentTimeMillis;
		this.handler = handler;
		this.bodyCollector = new BodyCollector(config, new BufferBudget(config.requestBodyMemory()));
		this.unsentPolicy = (config.unsentResponseSize() > 0
				&& (config.unsentResponseMemory() > 0 || config.unsentResponseFileSize() > 0))
						? new UnsentOutput.Policy(config.unsentResponseSize(),
								new BufferBudget(config.unsentResponseMemory()), config.unsentResponseFileSize(),
								this.bodyCollector.tempDir(), new AtomicLong(),
								connection -> this.acceptor.sendUnsent(connection))
						: null;
		this.supervisor = new WorkerSupervisor(this, config);
		this.spares = new Spares(this, WorkerSupervisor.targetWorkers(config));
	}

	public void start() throws IOException {
		// The JDK sets up its socket-closing machinery (a spare descriptor that it dup2s over a
		// socket being closed) on the first close in the process. If that first close comes while
		// descriptors have run out, the class fails to initialise and no socket can be closed
		// again: the acceptor dies. Closing one socket now makes it happen while there is room.
		java.nio.channels.SocketChannel.open().close();
		boolean inherited = this.config.inheritsChannel(System::getenv);
		List<io.starlet.Listen> addresses = this.config.listen();
		if (addresses.isEmpty() && !inherited) {
			addresses = List.of(io.starlet.Listen.tcp(null, 8080));
		}
		this.listeners = Listeners.open(addresses, this.config.reusePort(), inherited);
		try {
			this.acceptor = new Acceptor(this, newParser());
		}
		catch (IOException ex) {
			this.listeners.close();
			throw ex;
		}
		this.running = true;
		this.acceptorThread = new Thread(this.acceptor, "starlet-acceptor");
		this.acceptorThread.start();
		this.supervisor.start();
		if (this.config.signals()) {
			Signals.register(this);
		}
	}

	RequestParser newParser() {
		return new RequestParser(this.config.maxRequestHeaderSize(), this.config.maxRequestFields(),
				this.config.maxRequestBodySize(), this.config.httpCompliance());
	}

	int bufferSize() {
		return this.config.maxRequestHeaderSize() + SMALL_BODY;
	}

	StarletConfig config() {
		return this.config;
	}

	Clock clock() {
		return this.clock;
	}

	LongSupplier wallClock() {
		return this.wallClock;
	}

	BodyCollector bodyCollector() {
		return this.bodyCollector;
	}

	UnsentOutput.Policy unsentPolicy() {
		return this.unsentPolicy;
	}

	Handler handler() {
		return this.handler;
	}

	Listeners listeners() {
		return this.listeners;
	}

	WorkerSupervisor supervisor() {
		return this.supervisor;
	}

	Spares spares() {
		return this.spares;
	}

	PoolCounters counters() {
		return this.counters;
	}

	AsyncExchanges asyncExchanges() {
		return this.asyncExchanges;
	}

	UpgradedConnections upgraded() {
		return this.upgraded;
	}

	// --- connections between acceptor and workers ------------------------------------------------

	void dispatch(Connection connection) {
		this.active.incrementAndGet();
		connection.queued(this.clock.nanoTime());
		this.ready.offer(connection);
	}

	/**
	 * Queues the connection of a suspended exchange again, for work on it (an async dispatch, a
	 * timeout, an error): like a request, it waits for a worker within {@code max-workers}. It is
	 * still counted as active from when its request first arrived.
	 */
	void requeue(Connection connection) {
		connection.queued(this.clock.nanoTime());
		this.ready.offer(connection);
	}

	/**
	 * Queues an upgraded connection for its callbacks: like a request, it waits for a worker within
	 * {@code max-workers}; it is not counted as active (graceful shutdown does not wait for it),
	 * and {@code queue-timeout} does not apply (there is no HTTP to answer 503 on).
	 */
	void queueUpgraded(Connection connection) {
		this.ready.offer(connection);
	}

	/** The acceptor must look again at what an upgraded connection wants to read or write. */
	void updateUpgraded(UpgradedConnection connection) {
		Acceptor acceptor = this.acceptor;
		if (acceptor != null && this.running) {
			acceptor.updateUpgraded(connection);
		}
	}

	/** The acceptor watches a suspended exchange's connection for the client going away. */
	void watch(Connection connection) {
		Acceptor acceptor = this.acceptor;
		if (acceptor != null) {
			acceptor.watch(connection);
		}
	}

	/**
	 * Async requests that hold no worker right now: suspended after {@code startAsync}, or queued
	 * for their dispatch, timeout or error processing. They count as active for graceful shutdown.
	 */
	public int suspendedRequests() {
		return this.asyncExchanges.suspendedNow();
	}

	/** Takes a queued connection back (queue timeout); false if a worker already has it. */
	boolean withdraw(Connection connection) {
		if (this.ready.withdraw(connection)) {
			finished();
			return true;
		}
		return false;
	}

	Connection take(Handoff.Waiter<Connection> waiter, long timeoutMillis) throws InterruptedException {
		// more connections open than workers: the next request is probably a moment away
		boolean yieldFirst = !workerPerConnection();
		return this.ready.take(waiter, TimeUnit.MILLISECONDS.toNanos(timeoutMillis), yieldFirst);
	}

	/**
	 * Whether every open connection could have a worker of its own (as in ka16), as opposed to
	 * more connections than workers (ka256). Which of the two holds decides when a waiting worker
	 * yields before it sleeps.
	 */
	boolean workerPerConnection() {
		return this.openConnections.get() <= WorkerSupervisor.targetWorkers(this.config);
	}

	/** The connections waiting for a worker, oldest first (a weakly consistent view). */
	Iterable<Connection> queued() {
		return this.ready.queued();
	}

	/**
	 * Whether a worker lingering on its kept-alive connection should hand it back to make room:
	 * some queued connection has no worker coming for it. Workers still starting up will take one
	 * each; without counting them, every retirement on budget (a new worker, a client that
	 * reconnects) made each lingering worker give up its connection in turn.
	 */
	boolean mustMakeRoom() {
		return this.ready.queuedMoreThan(this.supervisor.startingCount());
	}

	/** A worker is done with a connection it took (closed it or handed it back). */
	void finished() {
		if (this.active.decrementAndGet() == 0 && this.shuttingDown) {
			this.acceptor.wakeup();
		}
	}

	/**
	 * The engine's clock was moved (a test's clock; the system clock never jumps): the acceptor
	 * checks every deadline, and the manager its intervals, at the new time before this returns,
	 * so that what the move expired (a 408, an idle connection closed, a 503, a worker spawned)
	 * has happened by then; the workers are woken to look at theirs. Not an API: a test in this
	 * package calls it after each move.
	 */
	void clockMoved() throws InterruptedException {
		Acceptor acceptor = this.acceptor;
		if (acceptor == null) {
			return;
		}
		CompletableFuture<Void> checked = CompletableFuture.allOf(acceptor.recheck(), this.supervisor.recheck());
		// a worker waiting for a streamed body or a slow reader measures its deadline again too,
		// though nothing here waits for it to: its outcome (a 408, a dropped client) shows later
		this.supervisor.wakeWorkers();
		while (this.running) {
			try {
				checked.get(100, TimeUnit.MILLISECONDS);
				return;
			}
			catch (java.util.concurrent.TimeoutException ex) {
				// a loaded machine; or the server stopped after the request was taken: look again
			}
			catch (java.util.concurrent.ExecutionException ex) {
				return; // never completed so
			}
		}
	}

	void handBack(Connection connection) {
		this.acceptor.handBack(connection);
	}

	/**
	 * The one way the engine refuses a request before any application code runs for it
	 * (acceptor, or a worker between requests): a short plain-text answer written without
	 * waiting, then close, counted by its violation. The caller, which owns the connection,
	 * accounts for the close as it does for any other.
	 */
	void refuse(Connection connection, Violation violation, String message) {
		answerRefusal(connection, violation, message);
		connection.close();
	}

	/** {@link #refuse} but for the close, which the acceptor makes gently (its client may still be sending). */
	void answerRefusal(Connection connection, Violation violation, String message) {
		if (logger.isDebugEnabled()) {
			logger.debug("{}: {} {} ({})", connection, violation.status(), message, violation.rule());
		}
		this.counters.rejected(violation);
		connection.writeNow(ResponseHead.plain(violation.status(), message, true, this.config.serverHeader(), this.wallClock));
	}

	/**
	 * Closes a connection its owner (a worker, an async exchange's last thread) is done with: by
	 * way of the acceptor, gently, if its client may still be sending
	 * ({@link Connection#mayStillSend}), else at once.
	 */
	void close(Connection connection) {
		if (this.running && connection.mayStillSend()) {
			connection.closeAfterSending(true);
			handBack(connection);
		}
		else {
			connection.close();
			connectionClosed();
		}
	}

	void connectionOpened() {
		this.openConnections.incrementAndGet();
	}

	void connectionClosed() {
		if (this.openConnections.getAndDecrement() == this.config.maxConnections()) {
			// the acceptor stopped accepting at the limit: there is room again
			this.acceptor.wakeup();
		}
	}

	/** The acceptor moved a connection into SENDING (+1) or out of it (-1). */
	void sendingChanged(int delta) {
		this.sendingConnections.addAndGet(delta);
	}

	int openConnections() {
		return this.openConnections.get();
	}

	boolean isIdle() {
		return this.active.get() == 0;
	}

	void drained() {
		this.drained.complete(null);
	}

	// --- lifecycle ---------------------------------------------------------------------------------

	public boolean isRunning() {
		return this.running;
	}

	public boolean isShuttingDown() {
		return this.shuttingDown;
	}

	public int port() {
		return this.listeners.port();
	}

	public List<SocketAddress> boundAddresses() {
		return this.listeners.addresses();
	}

	public CompletableFuture<Void> shutdownGracefully() {
		if (!this.running) {
			return CompletableFuture.completedFuture(null);
		}
		this.shuttingDown = true;
		this.acceptor.wakeup();
		return this.drained;
	}

	public synchronized void stop() {
		if (this.stopped) {
			return;
		}
		this.stopped = true;
		Signals.unregister(this);
		this.shuttingDown = true;
		this.running = false;
		this.listeners.close();
		this.acceptor.stop();
		Connection queued;
		while ((queued = this.ready.poll()) != null) {
			if (!(queued.suspendedExchange() instanceof UpgradedConnection)) {
				// (an upgraded connection stays open for the handler's goodbye: endUpgraded)
				queued.close();
			}
		}
		this.supervisor.abortAll();
		// real time, whatever the engine's clock: stop returns within about a second
		long deadline = Clock.SYSTEM.nanoTime() + TimeUnit.SECONDS.toNanos(1);
		this.asyncExchanges.stopAll(deadline);
		this.spares.closeSelectors();
		joinUntil(this.acceptorThread, deadline);
		int running = this.supervisor.joinAll(deadline);
		if (running > 0) {
			logger.warn("Starlet stopped while {} worker(s) were still running a request", running);
		}
		this.drained.complete(null);
		try {
			this.handler.serverStopped(this.upgraded::endAll);
		}
		catch (RuntimeException ex) {
			logger.warn("Ending the upgraded connections at stop failed", ex);
		}
	}

	/** Waits for the thread to end, until the deadline ({@link Clock#SYSTEM}) at most. */
	static void joinUntil(Thread thread, long deadline) {
		long left = deadline - Clock.SYSTEM.nanoTime();
		if (left > 0) {
			try {
				thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Retires every worker after its current request; the manager replaces them (SIGHUP). With
	 * {@code spawn-interval}, one worker per interval ("slow restart"), so capacity never dips.
	 */
	public void recycleWorkers() {
		this.supervisor.recycle();
	}

	/**
	 * Hands the listening socket over to a new generation (SIGUSR1 from Server::Starter's
	 * {@code --signal-on-hup=USR1}): retire workers one per {@code spawn-interval} without
	 * replacing them, then shut down gracefully and exit the process. Without
	 * {@code spawn-interval} it is a graceful shutdown and exit at once.
	 */
	public void handOver() {
		this.supervisor.handOver();
	}

	public ServerStats stats() {
		int queued = this.ready.queuedCount();
		int busyNow = this.counters.busyNow();
		int suspendedNow = suspendedRequests();
		// a suspended request's connection is neither idle nor served (one whose dispatch is
		// queued is counted in both queued and suspended: a moment's undercount of idle ones)
		int upgradedNow = this.upgraded.count();
		int sendingNow = this.sendingConnections.get();
		int idleConnections = Math.max(0,
				this.openConnections.get() - queued - busyNow - suspendedNow - upgradedNow - sendingNow);
		return new ServerStats(this.config.maxWorkers(), this.supervisor.liveCount(), busyNow, idleConnections, queued,
				this.counters.requests(), this.counters.retirements(), this.counters.rejectionsByStatus(),
				this.counters.violationsByName(), this.openConnections.get(), this.config.maxConnections(), suspendedNow,
				this.bodyCollector.bufferedBytes(), upgradedNow,
				(this.unsentPolicy != null) ? this.unsentPolicy.budget().used() : 0, sendingNow,
				(this.unsentPolicy != null) ? this.unsentPolicy.fileBytes().get() : 0);
	}

}
