package io.starlet.worker;

import java.nio.channels.Selector;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Clock;
import io.starlet.ServerStats;
import io.starlet.StarletConfig;
import io.starlet.net.ConnectionOutput;

/**
 * Keeps {@code max-workers} {@link Worker}s alive: the manager thread replaces each one that
 * retires (its budget spent, a harakiri, a recycle) or dies, at most one per
 * {@code spawn-interval}, and only after {@code err-respawn-interval} when a worker died of an
 * error. Also retires workers one by one for a slow restart (SIGHUP with {@code spawn-interval})
 * or a hand-over to a new generation (SIGUSR1).
 */
final class WorkerSupervisor {

	private static final Logger logger = LoggerFactory.getLogger(WorkerSupervisor.class);

	private final WorkerPool pool;

	private final StarletConfig config;

	/** The engine's clock: spawn-interval and err-respawn-interval are measured in it. */
	private final Clock clock;

	private final Set<Worker> workers = ConcurrentHashMap.newKeySet();

	private final BlockingQueue<Worker> exits = new LinkedBlockingQueue<>();

	private final AtomicInteger nextWorkerId = new AtomicInteger();

	/** Workers spawned that have not yet started taking connections. */
	private final AtomicInteger starting = new AtomicInteger();

	/** Held while deciding to spawn, so that the manager and a retiring worker never both do. */
	private final Object spawnLock = new Object();

	/** Workers that retired on their budget and already have a successor, until they exit. */
	private volatile int leaving;

	/** Until when the manager spawns nothing after a worker died of an error. */
	private volatile long errorPauseEnd;

	/** Workers still to retire in a slow restart (SIGHUP with spawn-interval) or hand-over. */
	private final Deque<Worker> toRetire = new ConcurrentLinkedDeque<>();

	/** Workers the manager keeps alive; lowered one by one during a hand-over (SIGUSR1). */
	private volatile int target;

	private volatile boolean handingOver;

	private Thread managerThread;

	/** Asked-for passes of the manager ({@link #recheck()}), completed once done. */
	private final ConcurrentLinkedQueue<CompletableFuture<Void>> rechecks = new ConcurrentLinkedQueue<>();

	WorkerSupervisor(WorkerPool pool, StarletConfig config) {
		this.pool = pool;
		this.config = config;
		this.clock = config.clock();
		this.errorPauseEnd = this.clock.nanoTime();
		this.target = targetWorkers(config);
	}

	/** {@code max-workers}, at least 1. */
	static int targetWorkers(StarletConfig config) {
		return Math.max(1, config.maxWorkers());
	}

	/** Starts the first workers at once (spawn-interval throttles only what follows), then the manager. */
	void start() {
		int n = (this.config.spawnInterval() != null) ? 1 : this.target;
		// read here, not when the manager thread gets going: the first interval runs from the first spawn
		long started = this.clock.nanoTime();
		synchronized (this.spawnLock) {
			for (int i = 0; i < n; i++) {
				spawnOne(null, null);
			}
		}
		this.managerThread = new Thread(() -> manage(started), "starlet-manager");
		this.managerThread.setDaemon(true);
		this.managerThread.start();
	}

	/**
	 * The manager's loop. Each pass does a little of everything and never blocks for long, so a
	 * recycle or hand-over keeps its pace while workers also retire on their budgets: take note
	 * of exited workers, retire the next one of a slow restart, spawn (all missing workers at
	 * once, or one per {@code spawn-interval}; nothing during {@code err-respawn-interval}).
	 */
	private void manage(long started) {
		long spawnIntervalNanos = (this.config.spawnInterval() != null) ? this.config.spawnInterval().toNanos() : 0;
		long lastSpawn = started;
		long lastRetire = 0;
		CompletableFuture<Void> checked = null;
		while (this.pool.isRunning()) {
			try {
				// paces the passes, and wakes the manager when a worker exits (one that died of an
				// error has set errorPauseEnd itself, in workerExited: the one place it is set, so
				// that the pause runs from the death, on whatever clock)
				this.exits.poll(50, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				break;
			}
			// the pass before this one is over: a recheck asked for before it began is done
			if (checked != null) {
				checked.complete(null);
			}
			checked = this.rechecks.poll();
			long now = this.clock.nanoTime();
			if (!this.toRetire.isEmpty() && now - lastRetire >= spawnIntervalNanos) {
				retireNext();
				lastRetire = now;
			}
			boolean maySpawn = this.pool.isRunning() && (!this.pool.isShuttingDown() || !this.pool.isIdle())
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
		for (; checked != null; checked = this.rechecks.poll()) {
			checked.complete(null); // stopped: nothing is left to spawn
		}
	}

	/**
	 * Completes once the manager has made a whole pass that began after this was asked for, so
	 * read the clock since (any thread). For a clock a test moves: the manager passes every 50 ms.
	 */
	CompletableFuture<Void> recheck() {
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.rechecks.add(done);
		return done;
	}

	/** Wakes every worker that waits in its selector, to look at its deadline again (a test's clock moved). */
	void wakeWorkers() {
		for (Worker worker : this.workers) {
			worker.wakeup();
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
		if (this.config.spawnInterval() != null || !this.pool.isRunning() || this.pool.isShuttingDown()
				|| this.clock.nanoTime() - this.errorPauseEnd < 0) {
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

	/** Workers alive now, as stats() reports them. */
	int liveCount() {
		synchronized (this.spawnLock) {
			return liveWorkers();
		}
	}

	/** With the spawn lock held; null selector and output: the worker takes spares or opens its own. */
	private void spawnOne(Selector selector, ConnectionOutput output) {
		Worker worker = new Worker(this.pool, this.nextWorkerId.incrementAndGet(), drawBudget(), selector, output);
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

	private long drawBudget() {
		int max = this.config.maxReqsPerChild();
		int min = this.config.minReqsPerChild();
		if (min <= 0 || min >= max) {
			return max;
		}
		return min + ThreadLocalRandom.current().nextInt(max - min + 1);
	}

	/** A new worker is about to take its first connection. */
	void workerStarted() {
		this.starting.decrementAndGet();
	}

	/** Workers spawned that have not yet started taking connections. */
	int startingCount() {
		return this.starting.get();
	}

	void workerExited(Worker worker) {
		if (worker.diedOfError()) {
			// before the worker leaves the set: a manager pass in between must not replace it at once
			this.errorPauseEnd = this.clock.nanoTime() + this.config.errRespawnInterval().toNanos();
		}
		synchronized (this.spawnLock) {
			if (this.workers.remove(worker) && worker.replaced) {
				this.leaving--;
			}
		}
		this.exits.add(worker);
	}

	// --- recycle and hand-over (signals) --------------------------------------------------------

	/** See {@link WorkerPool#recycleWorkers()}. */
	void recycle() {
		if (!this.pool.isRunning() || this.handingOver) {
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

	/** See {@link WorkerPool#handOver()}. */
	void handOver() {
		if (!this.pool.isRunning() || this.handingOver) {
			return;
		}
		this.handingOver = true;
		if (this.config.spawnInterval() == null) {
			this.pool.shutdownGracefully().whenComplete((result, ex) -> exitProcess());
			return;
		}
		this.toRetire.clear();
		this.toRetire.addAll(this.workers);
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
				this.pool.shutdownGracefully().whenComplete((result, ex) -> exitProcess());
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

	// --- stop -----------------------------------------------------------------------------------

	/** The server stops: every worker aborts its request, the manager ends. */
	void abortAll() {
		for (Worker worker : this.workers) {
			worker.abort();
		}
		this.managerThread.interrupt();
	}

	/** Waits for the workers until the deadline: how many are still running. */
	int joinAll(long deadline) {
		for (Worker worker : this.workers) {
			WorkerPool.joinUntil(worker.thread(), deadline);
		}
		return this.workers.size();
	}

}
