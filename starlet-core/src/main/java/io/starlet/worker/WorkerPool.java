package io.starlet.worker;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Handler;
import io.starlet.ServerStats;
import io.starlet.StarletConfig;
import io.starlet.http.RequestParser;
import io.starlet.http.ResponseHead;
import io.starlet.http.Violation;
import io.starlet.net.BufferBudget;
import io.starlet.net.Connection;
import io.starlet.net.ConnectionOutput;
import io.starlet.net.Listeners;

/**
 * The manager: opens the listeners, runs the {@link Acceptor}, and keeps {@code max-workers}
 * {@link Worker}s alive, replacing each one that retires (its budget spent, a harakiri, a
 * recycle) or dies, at most one per {@code spawn-interval}, and only after
 * {@code err-respawn-interval} when a worker died of an error.
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

	private final Handler handler;

	/** Connections whose request has arrived, on their way to a worker. */
	private final Handoff<Connection> ready = new Handoff<>();

	private final Set<Worker> workers = ConcurrentHashMap.newKeySet();

	private final BlockingQueue<Worker> exits = new LinkedBlockingQueue<>();

	private final CompletableFuture<Void> drained = new CompletableFuture<>();

	private final AtomicInteger active = new AtomicInteger();

	private final AtomicInteger busy = new AtomicInteger();

	private final AtomicInteger openConnections = new AtomicInteger();

	/** Async requests that hold no worker now: suspended, or queued for a dispatch/timeout/error. */
	private final AtomicInteger suspended = new AtomicInteger();

	/** Exchanges that were suspended (startAsync) and have not ended, for stop(). */
	private final Set<ServerExchange> asyncExchanges = ConcurrentHashMap.newKeySet();

	/** Connections that left HTTP (101) and are open. */
	private final Set<UpgradedConnection> upgraded = ConcurrentHashMap.newKeySet();

	/** Async timeouts: one thread for the server, started with the first one. */
	private volatile java.util.concurrent.ScheduledThreadPoolExecutor timer;

	/** Lends the spare selectors to threads writing to a suspended exchange. */
	private final io.starlet.net.SelectorSource selectorSource = new io.starlet.net.SelectorSource() {

		@Override
		public Selector takeSelector() throws IOException {
			return WorkerPool.this.takeSelector();
		}

		@Override
		public void returnSelector(Selector selector) {
			WorkerPool.this.returnSelector(selector);
		}

	};

	private final LongAdder requests = new LongAdder();

	private final Map<String, LongAdder> retirements = new ConcurrentHashMap<>();

	private final Map<Integer, LongAdder> rejections = new ConcurrentHashMap<>();

	private final Map<Violation, LongAdder> violations = new ConcurrentHashMap<>();

	private final BodyCollector bodyCollector;

	private final AtomicInteger nextWorkerId = new AtomicInteger();

	/** Workers spawned that have not yet started taking connections. */
	private final AtomicInteger starting = new AtomicInteger();

	/** Held while deciding to spawn, so that the manager and a retiring worker never both do. */
	private final Object spawnLock = new Object();

	/** Workers that retired on their budget and already have a successor, until they exit. */
	private volatile int leaving;

	/** Until when the manager spawns nothing after a worker died of an error. */
	private volatile long errorPauseEnd = System.nanoTime();

	/** Each worker's output buffer: a response head and a small body leave in one write. */
	static final int OUTPUT_BUFFER_SIZE = 16 * 1024;

	/**
	 * Selectors of exited workers, for their successors: opening one costs an epoll instance and
	 * a wake-up pipe, and with the default budget of 100 requests workers come and go often.
	 */
	private final Queue<Selector> spareSelectors = new ConcurrentLinkedQueue<>();

	/** Output buffers of exited workers, for their successors (a worker lives ~100 requests). */
	private final Queue<ConnectionOutput> spareOutputs = new ConcurrentLinkedQueue<>();

	/** Workers still to retire in a slow restart (SIGHUP with spawn-interval) or hand-over. */
	private final java.util.Deque<Worker> toRetire = new java.util.concurrent.ConcurrentLinkedDeque<>();

	/** Workers the manager keeps alive; lowered one by one during a hand-over (SIGUSR1). */
	private volatile int target;

	private volatile boolean handingOver;

	private Listeners listeners;

	private Acceptor acceptor;

	private Thread acceptorThread;

	private Thread managerThread;

	private volatile boolean running;

	private volatile boolean shuttingDown;

	private volatile boolean stopped;

	public WorkerPool(StarletConfig config, Handler handler) {
		this.config = config;
		this.handler = handler;
		this.bodyCollector = new BodyCollector(config, new BufferBudget(config.requestBodyMemory()));
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
		this.target = targetWorkers();
		this.acceptorThread = new Thread(this.acceptor, "starlet-acceptor");
		this.acceptorThread.start();
		// The first workers start at once; spawn-interval throttles only what follows.
		spawn();
		this.managerThread = new Thread(this::manage, "starlet-manager");
		this.managerThread.setDaemon(true);
		this.managerThread.start();
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

	BodyCollector bodyCollector() {
		return this.bodyCollector;
	}

	Handler handler() {
		return this.handler;
	}

	Listeners listeners() {
		return this.listeners;
	}

	int targetWorkers() {
		return Math.max(1, this.config.maxWorkers());
	}

	// --- the manager ----------------------------------------------------------------------------

	/**
	 * The manager's loop. Each pass does a little of everything and never blocks for long, so a
	 * recycle or hand-over keeps its pace while workers also retire on their budgets: take note
	 * of exited workers, retire the next one of a slow restart, spawn (all missing workers at
	 * once, or one per {@code spawn-interval}; nothing during {@code err-respawn-interval}).
	 */
	private void manage() {
		long spawnIntervalNanos = (this.config.spawnInterval() != null) ? this.config.spawnInterval().toNanos() : 0;
		long lastSpawn = System.nanoTime();
		long lastRetire = 0;
		while (this.running) {
			Worker exited;
			try {
				exited = this.exits.poll(50, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				return;
			}
			long now = System.nanoTime();
			if (exited != null && exited.diedOfError()) {
				this.errorPauseEnd = now + this.config.errRespawnInterval().toNanos();
			}
			if (!this.toRetire.isEmpty() && now - lastRetire >= spawnIntervalNanos) {
				retireNext();
				lastRetire = now;
			}
			boolean maySpawn = this.running && (!this.shuttingDown || this.active.get() > 0)
					&& now - this.errorPauseEnd >= 0;
			if (!maySpawn) {
				continue;
			}
			synchronized (this.spawnLock) {
				if (spawnIntervalNanos == 0) {
					while (liveWorkers() < this.target) {
						spawnOne(null, null);
					}
				}
				else if (liveWorkers() < this.target && now - lastSpawn >= spawnIntervalNanos) {
					spawnOne(null, null);
					lastSpawn = now;
				}
			}
		}
	}

	/**
	 * Starts the successor of a worker that has just spent its budget, on that worker's thread,
	 * and hands it the worker's selector and output buffer.
	 *
	 * <p>This saves a trip through the manager, but the point is timing. With keep-alive the
	 * client reconnects as soon as it reads the last response ({@code Connection: close}), and
	 * its new connection must find a worker waiting, or one about to: otherwise it queues, and
	 * every lingering worker hands its own connection back to make room (ka16 measured 15
	 * {@code epoll_ctl} and 33 {@code futex} calls per retirement; 2.7 and 17 with this).
	 * Only when the manager would spawn at once anyway: not with {@code spawn-interval}, not
	 * while draining, not during {@code err-respawn-interval}.
	 * @return whether the successor started (it owns the selector and buffer then)
	 */
	boolean spawnSuccessor(Worker worker, Selector selector, ConnectionOutput output) {
		if (this.config.spawnInterval() != null || !this.running || this.shuttingDown
				|| System.nanoTime() - this.errorPauseEnd < 0) {
			return false;
		}
		synchronized (this.spawnLock) {
			if (liveWorkers() > this.target || !this.workers.contains(worker)) {
				return false;
			}
			spawnOne(selector, output);
			this.leaving++;
			worker.replaced = true;
			return true;
		}
	}

	/** Workers that count towards the target: not those that already have a successor. */
	private int liveWorkers() {
		return this.workers.size() - this.leaving;
	}

	private void retireNext() {
		Worker worker = this.toRetire.poll();
		// Workers that retired on their own (budget, harakiri) since the recycle began are skipped.
		while (worker != null && !this.workers.contains(worker)) {
			worker = this.toRetire.poll();
		}
		if (worker == null && !this.handingOver) {
			return;
		}
		if (this.handingOver) {
			if (this.toRetire.isEmpty()) {
				// The last worker serves the drain; then the process exits (Server::Starter's new
				// generation has taken over the listening socket).
				logger.info("Hand-over complete: shutting down");
				shutdownGracefully().whenComplete((result, ex) -> exitProcess());
				return;
			}
			this.target = Math.max(1, this.target - 1);
		}
		worker.retire(this.handingOver ? ServerStats.RETIRED_HAND_OVER : ServerStats.RETIRED_RECYCLE);
	}

	private void exitProcess() {
		Thread exit = new Thread(() -> Runtime.getRuntime().exit(0), "starlet-exit");
		exit.start();
	}

	private void spawn() {
		int n = (this.config.spawnInterval() != null) ? 1 : targetWorkers();
		synchronized (this.spawnLock) {
			for (int i = 0; i < n; i++) {
				spawnOne(null, null);
			}
		}
	}

	/** With the spawn lock held; null selector and output: the worker takes spares or opens its own. */
	private void spawnOne(Selector selector, ConnectionOutput output) {
		Worker worker = new Worker(this, this.nextWorkerId.incrementAndGet(), drawBudget(), selector, output);
		this.workers.add(worker);
		this.starting.incrementAndGet();
		try {
			worker.start();
		}
		catch (RuntimeException | OutOfMemoryError ex) {
			// no thread: the manager tries again on its next pass
			this.workers.remove(worker);
			this.starting.decrementAndGet();
			throw ex;
		}
	}

	/** A new worker is about to take its first connection. */
	void workerStarted() {
		this.starting.decrementAndGet();
	}

	private long drawBudget() {
		int max = this.config.maxReqsPerChild();
		int min = this.config.minReqsPerChild();
		if (min <= 0 || min >= max) {
			return max;
		}
		return min + java.util.concurrent.ThreadLocalRandom.current().nextInt(max - min + 1);
	}

	ConnectionOutput takeOutput() {
		ConnectionOutput output = this.spareOutputs.poll();
		return (output != null) ? output : new ConnectionOutput(OUTPUT_BUFFER_SIZE);
	}

	void returnOutput(ConnectionOutput output) {
		if (this.running && this.spareOutputs.size() < targetWorkers()) {
			output.attach(null, null, 0);
			this.spareOutputs.add(output);
		}
	}

	Selector takeSelector() throws IOException {
		Selector selector = this.spareSelectors.poll();
		return (selector != null) ? selector : Selector.open();
	}

	/** Keeps an exited worker's selector for the next worker, if it is clean; else closes it. */
	void returnSelector(Selector selector) {
		try {
			if (this.running && selector.isOpen() && selector.keys().isEmpty()
					&& this.spareSelectors.size() < targetWorkers()) {
				this.spareSelectors.add(selector);
				if (this.running) {
					return;
				}
				// stop() ran meanwhile and may have missed it
				this.spareSelectors.remove(selector);
			}
			selector.close();
		}
		catch (IOException ex) {
			// an exiting worker's selector: nothing to do
		}
	}

	void workerExited(Worker worker, String reason) {
		this.retirements.computeIfAbsent(reason, r -> new LongAdder()).increment();
		if (worker.diedOfError()) {
			// before the worker leaves the set: a manager pass in between must not replace it at once
			this.errorPauseEnd = System.nanoTime() + this.config.errRespawnInterval().toNanos();
		}
		synchronized (this.spawnLock) {
			if (this.workers.remove(worker) && worker.replaced) {
				this.leaving--;
			}
		}
		this.exits.add(worker);
	}

	// --- connections between acceptor and workers ------------------------------------------------

	void dispatch(Connection connection) {
		this.active.incrementAndGet();
		connection.queued(System.nanoTime());
		this.ready.offer(connection);
	}

	/**
	 * Queues the connection of a suspended exchange again, for work on it (an async dispatch, a
	 * timeout, an error): like a request, it waits for a worker within {@code max-workers}. It is
	 * still counted as active from when its request first arrived.
	 */
	void requeue(Connection connection) {
		connection.queued(System.nanoTime());
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

	void upgradeStarted(UpgradedConnection connection) {
		this.upgraded.add(connection);
	}

	void upgradeEnded(UpgradedConnection connection) {
		this.upgraded.remove(connection);
	}

	/** Upgraded connections open now. */
	Iterable<UpgradedConnection> upgradedConnections() {
		return this.upgraded;
	}

	/** The acceptor watches a suspended exchange's connection for the client going away. */
	void watch(Connection connection) {
		Acceptor acceptor = this.acceptor;
		if (acceptor != null) {
			acceptor.watch(connection);
		}
	}

	io.starlet.net.SelectorSource selectors() {
		return this.selectorSource;
	}

	java.util.concurrent.ScheduledExecutorService timer() {
		java.util.concurrent.ScheduledThreadPoolExecutor t = this.timer;
		if (t == null) {
			synchronized (this.spawnLock) {
				t = this.timer;
				if (t == null) {
					t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, (runnable) -> {
						Thread thread = new Thread(runnable, "starlet-async-timer");
						thread.setDaemon(true);
						return thread;
					});
					t.setRemoveOnCancelPolicy(true);
					this.timer = t;
				}
			}
		}
		return t;
	}

	void asyncStarted(ServerExchange exchange) {
		this.asyncExchanges.add(exchange);
	}

	void asyncEnded(ServerExchange exchange) {
		this.asyncExchanges.remove(exchange);
	}

	void suspendedChanged(int delta) {
		this.suspended.addAndGet(delta);
	}

	/**
	 * Async requests that hold no worker right now: suspended after {@code startAsync}, or queued
	 * for their dispatch, timeout or error processing. They count as active for graceful shutdown.
	 */
	public int suspendedRequests() {
		return this.suspended.get();
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
		return this.openConnections.get() <= targetWorkers();
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
		return this.ready.queuedMoreThan(this.starting.get());
	}

	/** A worker is done with a connection it took (closed it or handed it back). */
	void finished() {
		if (this.active.decrementAndGet() == 0 && this.shuttingDown) {
			this.acceptor.wakeup();
		}
	}

	void handBack(Connection connection) {
		this.acceptor.handBack(connection);
	}

	void busy(boolean nowBusy) {
		if (nowBusy) {
			this.busy.incrementAndGet();
		}
		else {
			this.busy.decrementAndGet();
		}
	}

	void requestStarted() {
		this.requests.increment();
	}

	/** Counts a response the engine made itself, by its violation and its status. */
	void rejected(Violation violation) {
		this.violations.computeIfAbsent(violation, v -> new LongAdder()).increment();
		this.rejections.computeIfAbsent(violation.status(), s -> new LongAdder()).increment();
	}

	/**
	 * The one way the engine refuses a request before any application code runs for it
	 * (acceptor, or a worker between requests): a short plain-text answer written without
	 * waiting, then close, counted by its violation. The caller, which owns the connection,
	 * accounts for the close as it does for any other.
	 */
	void refuse(Connection connection, Violation violation, String message) {
		if (logger.isDebugEnabled()) {
			logger.debug("{}: {} {} ({})", connection, violation.status(), message, violation.rule());
		}
		rejected(violation);
		connection.writeNowAndClose(ResponseHead.plain(violation.status(), message, true, this.config.serverHeader()));
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
		for (Worker worker : this.workers) {
			worker.abort();
		}
		this.managerThread.interrupt();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
		stopAsyncExchanges(deadline);
		Selector spare;
		while ((spare = this.spareSelectors.poll()) != null) {
			try {
				spare.close();
			}
			catch (IOException ex) {
				// stopping anyway
			}
		}
		joinUntil(this.acceptorThread, deadline);
		for (Worker worker : this.workers) {
			joinUntil(worker.thread(), deadline);
		}
		if (!this.workers.isEmpty()) {
			logger.warn("Starlet stopped while {} worker(s) were still running a request", this.workers.size());
		}
		this.drained.complete(null);
		try {
			this.handler.serverStopped(this::endUpgraded);
		}
		catch (RuntimeException ex) {
			logger.warn("Ending the upgraded connections at stop failed", ex);
		}
	}

	/**
	 * Flushes (a second at most, for all of them), closes and ends every upgraded connection still
	 * open, on the calling thread. Idempotent.
	 */
	private void endUpgraded() {
		if (this.upgraded.isEmpty()) {
			return;
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
		Selector selector;
		try {
			selector = Selector.open();
		}
		catch (IOException ex) {
			selector = null;
		}
		try {
			for (UpgradedConnection connection : new java.util.ArrayList<>(this.upgraded)) {
				try {
					connection.endAtStop(selector, deadline);
				}
				catch (RuntimeException ex) {
					logger.warn("Ending {} at stop failed", connection, ex);
				}
			}
		}
		finally {
			if (selector != null) {
				try {
					selector.close();
				}
				catch (IOException ex) {
					// stopping anyway
				}
			}
		}
	}

	/**
	 * Ends the suspended async requests: their connections close, and their abort actions (the
	 * servlet container's onError and onComplete) run on a thread of their own, so that stop()
	 * returns by the deadline even if an application's listener hangs.
	 */
	private void stopAsyncExchanges(long deadline) {
		java.util.concurrent.ScheduledThreadPoolExecutor t = this.timer;
		if (t != null) {
			t.shutdownNow();
		}
		if (this.asyncExchanges.isEmpty()) {
			return;
		}
		List<ServerExchange> exchanges = new java.util.ArrayList<>(this.asyncExchanges);
		Thread stopper = new Thread(() -> {
			for (ServerExchange exchange : exchanges) {
				try {
					exchange.stopNow();
				}
				catch (RuntimeException ex) {
					logger.warn("Ending an async request at stop failed", ex);
				}
			}
		}, "starlet-async-stop");
		stopper.setDaemon(true);
		stopper.start();
		joinUntil(stopper, deadline);
	}

	private static void joinUntil(Thread thread, long deadline) {
		long left = deadline - System.nanoTime();
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
		if (!this.running || this.handingOver) {
			return;
		}
		if (this.config.spawnInterval() == null) {
			for (Worker worker : this.workers) {
				worker.retire(ServerStats.RETIRED_RECYCLE);
			}
			return;
		}
		this.toRetire.clear();
		this.toRetire.addAll(this.workers);
	}

	/**
	 * Hands the listening socket over to a new generation (SIGUSR1 from Server::Starter's
	 * {@code --signal-on-hup=USR1}): retire workers one per {@code spawn-interval} without
	 * replacing them, then shut down gracefully and exit the process. Without
	 * {@code spawn-interval} it is a graceful shutdown and exit at once.
	 */
	public void handOver() {
		if (!this.running || this.handingOver) {
			return;
		}
		this.handingOver = true;
		if (this.config.spawnInterval() == null) {
			shutdownGracefully().whenComplete((result, ex) -> exitProcess());
			return;
		}
		this.toRetire.clear();
		this.toRetire.addAll(this.workers);
	}

	public ServerStats stats() {
		Map<String, Long> retired = new TreeMap<>();
		this.retirements.forEach((reason, count) -> retired.put(reason, count.sum()));
		Map<Integer, Long> rejected = new TreeMap<>();
		this.rejections.forEach((status, count) -> rejected.put(status, count.sum()));
		int queued = this.ready.queuedCount();
		int busyNow = this.busy.get();
		int suspendedNow = suspendedRequests();
		// a suspended request's connection is neither idle nor served (one whose dispatch is
		// queued is counted in both queued and suspended: a moment's undercount of idle ones)
		int upgradedNow = this.upgraded.size();
		int idleConnections = Math.max(0, this.openConnections.get() - queued - busyNow - suspendedNow - upgradedNow);
		int live;
		synchronized (this.spawnLock) {
			live = liveWorkers();
		}
		Map<String, Long> violated = new TreeMap<>();
		this.violations.forEach((violation, count) -> violated.put(violation.name(), count.sum()));
		return new ServerStats(this.config.maxWorkers(), live, busyNow, idleConnections, queued,
				this.requests.sum(), retired, rejected, violated, this.openConnections.get(),
				this.config.maxConnections(), suspendedNow, this.bodyCollector.bufferedBytes(), upgradedNow);
	}

}
