package io.starlet.worker;

import java.io.IOException;
import java.nio.channels.Selector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.ChildExitHook;
import io.starlet.Clock;
import io.starlet.ServerStats;
import io.starlet.WorkerInfo;
import io.starlet.http.BadRequestException;
import io.starlet.http.RequestParser;
import io.starlet.http.ResponseHead;
import io.starlet.net.BodyCollector;
import io.starlet.net.Connection;
import io.starlet.net.ConnectionOutput;

/**
 * One worker: a platform thread that takes connections whose request has arrived, serves them,
 * and retires when its request budget is spent (Starlet's {@code max-reqs-per-child}), when a
 * request asks for it (harakiri), on a recycle, or at shutdown; then it runs the child-exit hooks
 * on its own thread and exits, and the pool replaces it. A worker that spent its budget starts
 * its successor itself, right after its last response ({@link WorkerPool#spawnSuccessor}).
 *
 * <p>Per connection:
 * <pre>
 *   take ──▶ serve request ──▶ all sent? ──no──▶ hand to the acceptor, which sends the rest
 *                 ▲                 │ yes
 *                 │                 ▼
 *                 │            keep-alive? ──no──▶ close
 *                 │                 │ yes
 *                 │                 ▼
 *                 └──── yes ── next head buffered, or arrives while lingering
 *                                   │ (unless a queued connection has no worker coming)?
 *                                   │ no
 *                                   ▼
 *                          hand back to the acceptor
 * </pre>
 * A request that went async ({@link io.starlet.Exchange#suspend()}) leaves the loop when its
 * handler returns: the exchange owns the connection from then on, and the worker takes the next
 * one. A connection taken from the queue with work pending for its suspended exchange (a
 * dispatch, a timeout, the client gone) runs that work instead of parsing a request, and does
 * not count: the request was counted once, in the budget of the worker that started it.
 *
 * <p>Everything a worker reuses (selector, parser, output buffer, head writer) is its own, so
 * workers share nothing but the queue.
 */
final class Worker implements WorkerInfo, Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Worker.class);

	/** How long a worker waits for the next request on a busy keep-alive connection. */
	private static final long LINGER_NANOS = 1_000_000;

	private final WorkerPool pool;

	private final int id;

	private final String name;

	private final long budget;

	private final Thread thread;

	private final Handoff.Waiter<Connection> waiter;

	final RequestParser parser;

	/** Taken when the thread starts (a predecessor's, usually), given back when it exits. */
	ConnectionOutput output;

	final ResponseHead responseHead;

	Selector selector;

	private volatile long served;

	private volatile String retireReason;

	private volatile Connection current;

	/** Volatile: a suspended request may ask for it from an application thread. */
	private volatile boolean harakiri;

	private boolean diedOfError;

	/** Set by the pool when this worker's successor started before it exited. */
	boolean replaced;

	/**
	 * @param selector a predecessor's selector, or null to take a spare one when the thread starts
	 * @param output a predecessor's output buffer, or null likewise
	 */
	Worker(WorkerPool pool, int id, long budget, Selector selector, ConnectionOutput output) {
		this.pool = pool;
		this.id = id;
		this.name = "starlet-worker-" + id;
		this.budget = budget;
		this.selector = selector;
		this.output = output;
		this.parser = pool.newParser();
		this.responseHead = new ResponseHead(pool.wallClock());
		this.thread = new Thread(this, this.name);
		this.waiter = new Handoff.Waiter<>(this.thread);
	}

	void start() {
		this.thread.start();
	}

	Thread thread() {
		return this.thread;
	}

	@Override
	public int id() {
		return this.id;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public long requestsServed() {
		return this.served;
	}

	@Override
	public long requestBudget() {
		return this.budget;
	}

	boolean diedOfError() {
		return this.diedOfError;
	}

	/** Whether the response being produced may keep its connection, as far as this worker goes. */
	boolean mayKeepAlive() {
		return !this.harakiri && this.retireReason == null && this.served < this.budget;
	}

	void harakiri() {
		this.harakiri = true;
	}

	/** Retire after the current request (recycle, shutdown). */
	void retire(String reason) {
		if (this.retireReason == null) {
			this.retireReason = reason;
		}
	}

	/** Stop now: used by {@link WorkerPool#stop()}; closes the connection being served. */
	void abort() {
		retire(ServerStats.RETIRED_SHUTDOWN);
		this.thread.interrupt();
		Connection c = this.current;
		// an upgraded connection (its first callback may still be running here) is ended by the
		// stop itself, after its pending output is flushed: UpgradedConnections.endAll
		if (c != null && !(c.suspendedExchange() instanceof UpgradedConnection)) {
			c.close();
		}
	}

	@Override
	public void run() {
		String reason = ServerStats.RETIRED_SHUTDOWN;
		boolean started = false;
		try {
			if (this.output == null) {
				this.output = this.pool.spares().takeOutput();
			}
			if (this.selector == null) {
				this.selector = this.pool.spares().takeSelector();
			}
			started = true;
			this.pool.supervisor().workerStarted();
			while (this.pool.isRunning()) {
				if (this.retireReason != null) {
					reason = this.retireReason;
					break;
				}
				if (this.harakiri) {
					// asked for by an async request this worker started, which ended elsewhere
					reason = ServerStats.RETIRED_HARAKIRI;
					break;
				}
				Connection connection = this.pool.take(this.waiter, 200);
				if (connection == null) {
					continue;
				}
				serve(connection);
				if (this.harakiri) {
					reason = ServerStats.RETIRED_HARAKIRI;
					break;
				}
				if (this.served >= this.budget) {
					reason = ServerStats.RETIRED_BUDGET;
					passOnToSuccessor();
					break;
				}
			}
		}
		catch (InterruptedException ex) {
			// stop(): exit quietly
		}
		catch (IOException ex) {
			logger.error("{} could not open its selector", this.name, ex);
			reason = ServerStats.RETIRED_ERROR;
			this.diedOfError = true;
		}
		catch (Error ex) {
			logger.error("{} died", this.name, ex);
			reason = ServerStats.RETIRED_ERROR;
			this.diedOfError = true;
		}
		finally {
			if (!started) {
				this.pool.supervisor().workerStarted();
			}
			if (this.output != null) {
				this.pool.spares().returnOutput(this.output);
			}
			closeSelector();
			runChildExitHooks();
			this.pool.counters().retired(reason);
			this.pool.supervisor().workerExited(this);
		}
	}

	private void serve(Connection connection) {
		if (connection.suspendedExchange() instanceof UpgradedConnection upgraded) {
			serveUpgraded(upgraded);
			return;
		}
		connection.serving();
		this.current = connection;
		this.pool.counters().busy(true);
		this.output.attach(connection, this.selector, this.pool.config().timeout().toNanos(), this.pool.unsentPolicy());
		boolean keep = false;
		boolean sending = false;
		boolean suspended = false;
		boolean upgraded = false;
		// a connection whose exchange is suspended comes back for the work queued for it
		ServerExchange resumed = (connection.suspendedExchange() instanceof ServerExchange exchange) ? exchange : null;
		try {
			while (true) {
				ServerExchange.Outcome outcome;
				if (resumed != null) {
					// a dispatch, a timeout or an error of an async request: it was counted once, when
					// it started, on the worker that served it then
					outcome = resumed.resume(this);
					resumed = null;
				}
				else {
					this.served++;
					connection.requestStarted();
					this.pool.counters().requestStarted();
					ServerExchange exchange = new ServerExchange(this.pool, this, connection);
					outcome = exchange.run();
				}
				if (outcome == ServerExchange.Outcome.SUSPENDED) {
					// the exchange lives on without a worker; it owns the connection now
					suspended = true;
					break;
				}
				if (outcome == ServerExchange.Outcome.UPGRADED) {
					// out of HTTP: the acceptor holds it, its callbacks come back as queued work
					upgraded = true;
					break;
				}
				keep = outcome == ServerExchange.Outcome.KEEP;
				connection.requestServed();
				if (connection.hasUnsent()) {
					// the client takes the response slower than it was written: the acceptor sends
					// the rest, then reads the next request (a pipelined one waits behind it)
					connection.compact();
					sending = true;
					break;
				}
				if (!keep || !this.pool.isRunning()) {
					keep = false;
					break;
				}
				connection.compact();
				if (nextRequestBuffered(connection)) {
					continue;
				}
				if (!connection.isOpen()) {
					keep = false;
					break;
				}
				if (!this.pool.mustMakeRoom() && lingerForNextRequest(connection, this.pool.workerPerConnection())) {
					continue;
				}
				break;
			}
		}
		catch (IOException ex) {
			keep = false;
			if (logger.isDebugEnabled()) {
				logger.debug("{}: {}", connection, ex.toString());
			}
		}
		finally {
			this.current = null;
			this.pool.counters().busy(false);
			try {
				connection.releaseFrom(this.selector);
			}
			catch (IOException | RuntimeException ex) {
				keep = false;
			}
			if (suspended) {
				// counted as active until the exchange ends (graceful shutdown waits for it)
			}
			else if (upgraded) {
				// the request is over; the upgraded connection is not a request in flight
				this.pool.finished();
			}
			else {
				if (sending && connection.isOpen()) {
					connection.closeAfterSending(!keep || !this.pool.isRunning());
					this.pool.handBack(connection);
				}
				else if (keep && connection.isOpen()) {
					this.pool.handBack(connection);
				}
				else if (connection.isOpen()) {
					this.pool.close(connection);
				}
				else {
					this.pool.connectionClosed();
				}
				this.pool.finished();
			}
		}
	}

	/**
	 * Runs the callbacks queued for an upgraded connection: work that counts as a busy worker,
	 * but no request (no budget spent). The connection stays in the acceptor's hands.
	 */
	private void serveUpgraded(UpgradedConnection upgraded) {
		this.pool.counters().busy(true);
		try {
			upgraded.runQueued();
		}
		finally {
			this.pool.counters().busy(false);
		}
	}

	/**
	 * Parses a pipelined request already in the buffer and collects its body from what has
	 * arrived; answers a bad one and closes. A request whose body is still on its way is left
	 * parsed, for the acceptor to finish collecting once this worker hands the connection back.
	 */
	private boolean nextRequestBuffered(Connection connection) {
		if (!connection.headReady()) {
			if (connection.buffered() == 0) {
				return false;
			}
			try {
				if (!connection.parseHead(this.parser)) {
					return false;
				}
			}
			catch (BadRequestException ex) {
				this.pool.refuse(connection, ex.violation(), ex.getMessage());
				return false;
			}
		}
		BodyCollector bodies = this.pool.bodyCollector();
		if (!bodies.wants(connection)) {
			return true;
		}
		try {
			// A body sent right behind its head (a keep-alive upload) is usually a moment away:
			// wait for it as briefly as for the next head, rather than pay a round trip through
			// the acceptor and the queue. A body that takes longer goes to the acceptor.
			// real time, not the engine's clock: lingering is a mechanism, not a timeout a test
			// drives (on a stopped test clock it would never end)
			long deadline = Clock.SYSTEM.nanoTime() + LINGER_NANOS;
			while (!bodies.collectAvailable(connection)) {
				long left = deadline - Clock.SYSTEM.nanoTime();
				if (left <= 0 || !connection.awaitReadable(this.selector, left)) {
					return false;
				}
			}
			return true;
		}
		catch (BadRequestException ex) {
			this.pool.refuse(connection, ex.violation(), ex.getMessage());
			return false;
		}
		catch (IOException ex) {
			connection.close();
			return false;
		}
	}

	/**
	 * Waits up to {@link #LINGER_NANOS} for the next request on a kept-alive connection.
	 *
	 * <p>When every open connection can have a worker of its own, the worker first yields once
	 * and looks again without sleeping. On a busy machine the thread that runs in its place is
	 * usually the client's, which then sends its next request; finding it already there saves the
	 * worker a sleep in {@code epoll_wait} and its wake-up, a context switch pair that a profile
	 * of ka16 put at a sixth of the worker's CPU time. On an idle machine the yield returns at
	 * once and costs one failed read. With more connections than workers the yield costs more
	 * than it finds (ka256 in docs/benchmarks.md), so the worker goes straight to the wait.
	 */
	private boolean lingerForNextRequest(Connection connection, boolean yieldFirst) throws IOException {
		int n = 0;
		if (yieldFirst) {
			Thread.yield();
			n = connection.readNow();
		}
		if (n == 0) {
			if (!connection.awaitReadable(this.selector, LINGER_NANOS)) {
				return false;
			}
			n = connection.readNow();
		}
		if (n < 0) {
			connection.close();
			return false;
		}
		return nextRequestBuffered(connection);
	}

	/**
	 * Makes the worker's wait in its selector (for a body, for a slow client to read) return, so
	 * that it measures its deadline again: a test's clock moved (any thread). The selector is read
	 * racily: at worst a stale one, a spare's, returns early once, which every wait allows for.
	 */
	void wakeup() {
		Selector current = this.selector;
		if (current != null) {
			current.wakeup();
		}
	}

	/** Starts the successor now, with this worker's selector and buffer, if the pool allows. */
	private void passOnToSuccessor() {
		Selector clean = this.selector.keys().isEmpty() ? this.selector : null;
		this.output.attach(null, null, 0);
		if (this.pool.supervisor().spawnSuccessor(this, clean, this.output)) {
			this.output = null;
			if (clean != null) {
				this.selector = null;
			}
		}
	}

	private void closeSelector() {
		if (this.selector != null) {
			this.pool.spares().returnSelector(this.selector);
		}
	}

	private void runChildExitHooks() {
		for (ChildExitHook hook : this.pool.config().childExitHooks()) {
			try {
				hook.workerExiting(this);
			}
			catch (Exception ex) {
				logger.warn("child-exit hook {} failed on {}", hook, this.name, ex);
			}
		}
	}

	@Override
	public String toString() {
		return this.name + " (" + this.served + "/" + this.budget + ")";
	}

}
