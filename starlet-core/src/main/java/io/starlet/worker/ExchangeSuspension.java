package io.starlet.worker;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.StarletConfig;
import io.starlet.Suspension;
import io.starlet.http.ResponseHead;
import io.starlet.http.Violation;
import io.starlet.net.Connection;
import io.starlet.net.ConnectionOutput;
import io.starlet.worker.ServerExchange.Outcome;

/**
 * A suspended {@link ServerExchange} (the servlet container's {@code startAsync}): the worker is
 * released when the handler returns, and the exchange lives on without one until
 * {@link #finish()}. Its states, guarded by one lock ({@link #lock}):
 * <pre>
 *                       resume(work), timer, client gone
 *   RUNNING ──────────▶ SUSPENDED ─────────────────────▶ QUEUED ──a worker takes it──▶ RUNNING
 *   (a worker runs the    │   ▲ handler or work returned,                 (queue-timeout:
 *    handler or work)     │   └─ nothing queued, no finish                 503/close, onAbort)
 *      │                  │ finish()/abort() from any thread: completed on that thread
 *      │                  ▼
 *      └─ finish() while RUNNING or QUEUED: completed by the worker ──▶ DONE
 * </pre>
 * While suspended the exchange writes through an output of its own (the worker's is lent to its
 * next connection); a write that must wait borrows a selector from the pool. The acceptor watches
 * a SUSPENDED connection whose request body has been read, so that a client that goes away is
 * noticed ({@link #onAbort}); bytes it sends meanwhile (a pipelined request) are kept in the
 * receive buffer after the body, never over the head.
 *
 * <p>Created only when a handler suspends: the ordinary request never allocates one.
 *
 * <p>Over the usual size on purpose: every transition above reads and writes the same few fields
 * under the one lock, and a reader checks a transition against all the others; split, the
 * invariants of the drawing would be spread over classes that share their state anyway.
 */
final class ExchangeSuspension implements Suspension {

	private static final Logger logger = LoggerFactory.getLogger(ExchangeSuspension.class);

	private enum State { RUNNING, SUSPENDED, QUEUED, DONE }

	private final ServerExchange exchange;

	private final WorkerPool pool;

	private final Connection connection;

	/** Guards the state; held only briefly, never while writing or running work. */
	final ReentrantLock lock = new ReentrantLock();

	/** Serializes writes (application threads, the engine completing the response). */
	final ReentrantLock outLock = new ReentrantLock();

	private State state = State.RUNNING;

	private final ArrayDeque<Runnable> work = new ArrayDeque<>(2);

	private boolean finishRequested;

	private boolean abortRequested;

	private boolean stopped;

	/** In the pool's count of suspended requests (SUSPENDED or QUEUED). */
	private boolean counted;

	/** Whether the acceptor may read the connection while SUSPENDED. */
	private boolean watchable;

	/** Why the exchange was lost (client gone, queue timeout, stop); null while it is not. */
	private IOException lost;

	private Consumer<IOException> onAbort;

	private ScheduledFuture<?> timer;

	/** The exchange's own output while suspended (a spare of the pool's). */
	ConnectionOutput own;

	/** Set under outLock once the response is over: late writes fail instead. */
	boolean outputClosed;

	private Selector bodySelector;

	private boolean released;

	ExchangeSuspension(ServerExchange exchange) {
		this.exchange = exchange;
		this.pool = exchange.pool;
		this.connection = exchange.connection;
	}

	Selector bodySelector() {
		if (this.bodySelector == null) {
			try {
				this.bodySelector = this.pool.spares().takeSelector();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return this.bodySelector;
	}

	// --- the API ----------------------------------------------------------------------------

	@Override
	public void resume(Runnable task) {
		boolean offer;
		this.lock.lock();
		try {
			if (this.state == State.DONE || this.stopped || this.lost != null
					|| !this.pool.isRunning()) {
				return;
			}
			this.work.add(task);
			offer = this.state == State.SUSPENDED;
			if (offer) {
				this.state = State.QUEUED;
			}
		}
		finally {
			this.lock.unlock();
		}
		if (offer) {
			this.pool.requeue(this.connection);
		}
	}

	@Override
	public void finish() {
		end(false);
	}

	@Override
	public void abort() {
		end(true);
	}

	private void end(boolean abort) {
		boolean now;
		this.lock.lock();
		try {
			if (this.state == State.DONE) {
				return;
			}
			if (abort) {
				this.abortRequested = true;
			}
			else {
				this.finishRequested = true;
			}
			now = this.state == State.SUSPENDED;
			if (now) {
				toDone();
			}
		}
		finally {
			this.lock.unlock();
		}
		if (now) {
			completeOffWorker();
		}
	}

	@Override
	public void timeout(long millis, Runnable task) {
		this.lock.lock();
		try {
			if (this.timer != null) {
				this.timer.cancel(false);
				this.timer = null;
			}
			if (millis > 0 && this.state != State.DONE && this.pool.isRunning()) {
				try {
					this.timer = this.pool.asyncExchanges().timer().schedule(() -> resume(task), millis,
							TimeUnit.MILLISECONDS);
				}
				catch (java.util.concurrent.RejectedExecutionException ex) {
					// stopping: stop() ends the exchange
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void onAbort(Consumer<IOException> action) {
		this.lock.lock();
		try {
			this.onAbort = action;
		}
		finally {
			this.lock.unlock();
		}
	}

	// --- the engine's side ------------------------------------------------------------------

	/** The handler failed while the exchange was suspended-capable: nothing more will happen. */
	void abandon() {
		this.lock.lock();
		try {
			toDone();
		}
		finally {
			this.lock.unlock();
		}
		release();
	}


	/** With the lock held. */
	void toDone() {
		this.state = State.DONE;
		uncount();
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
		this.work.clear();
		this.connection.resumedFrom(this.exchange);
	}

	/** With the lock held. */
	private void uncount() {
		if (this.counted) {
			this.counted = false;
			this.pool.asyncExchanges().suspendedChanged(-1);
		}
	}

	/**
	 * On the worker, after the handler or a piece of work returned: runs what was queued
	 * meanwhile, then completes the exchange if it was finished, or suspends it.
	 */
	Outcome afterRun() throws IOException {
		try {
			while (true) {
				Runnable next;
				boolean done = false;
				boolean watch = false;
				this.lock.lock();
				try {
					next = this.work.poll();
					if (next == null) {
						if (this.finishRequested || this.abortRequested || this.stopped || this.lost != null) {
							toDone();
							done = true;
						}
						else {
							this.state = State.SUSPENDED;
							this.connection.parked();
							this.counted = true;
							this.pool.asyncExchanges().suspendedChanged(1);
							this.watchable = this.exchange.body().isSettled();
							watch = this.watchable;
						}
					}
				}
				finally {
					this.lock.unlock();
				}
				if (next != null) {
					runWork(next);
					continue;
				}
				if (done) {
					return completeOnWorker();
				}
				if (watch) {
					this.pool.watch(this.connection);
				}
				return Outcome.SUSPENDED;
			}
		}
		catch (Error ex) {
			abandon();
			this.connection.close();
			throw ex;
		}
	}

	private void runWork(Runnable task) {
		try {
			task.run();
		}
		catch (RuntimeException ex) {
			logger.error("Async work for {} {} failed", this.exchange.head.method(),
					this.exchange.head.target(), ex);
			this.lock.lock();
			try {
				this.abortRequested = true;
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	/** A worker took the connection from the queue. */
	Outcome resumeOn(Worker worker) throws IOException {
		StarletConfig config = this.exchange.config;
		boolean expired = config.queueTimeout() != null && this.connection.clock().nanoTime()
				- this.connection.readySince() > config.queueTimeout().toNanos();
		boolean lose = false;
		this.lock.lock();
		try {
			if (this.state == State.DONE) {
				// finished meanwhile by an application thread (the queued work was a stale timer)
				return Outcome.SUSPENDED;
			}
			this.state = State.RUNNING;
			uncount();
			if (expired && this.lost == null) {
				this.lost = new IOException("waited longer than queue-timeout for a worker");
				lose = true;
			}
		}
		finally {
			this.lock.unlock();
		}
		if (lose) {
			this.pool.counters().rejected(Violation.QUEUE_TIMEOUT);
			lost(true);
		}
		return afterRun();
	}

	/**
	 * The exchange is lost (this.lost set): answer 503 if asked and nothing was committed,
	 * close, and replace queued work by the abort action.
	 */
	private void lost(boolean answer503) {
		if (answer503) {
			this.outLock.lock();
			try {
				if (!this.outputClosed && this.exchange.response().takeOver()) {
					this.connection.writeNowAndClose(ResponseHead.plain(Violation.QUEUE_TIMEOUT.status(),
							"no worker became free in time", true, this.exchange.config.serverHeader(),
							this.pool.wallClock()));
				}
			}
			finally {
				this.outLock.unlock();
			}
		}
		this.connection.close();
		this.lock.lock();
		try {
			this.work.clear();
			this.work.add(this::runAbortAction);
		}
		finally {
			this.lock.unlock();
		}
	}

	private void runAbortAction() {
		Consumer<IOException> action;
		IOException reason;
		this.lock.lock();
		try {
			action = this.onAbort;
			reason = this.lost;
		}
		finally {
			this.lock.unlock();
		}
		try {
			if (action != null) {
				action.accept(reason);
			}
		}
		finally {
			this.lock.lock();
			try {
				this.abortRequested = true;
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	/** Acceptor thread; see {@link ServerExchange#clientReadable}. */
	void clientReadable(SelectionKey key) {
		boolean gone = false;
		this.lock.lock();
		try {
			if (this.state != State.SUSPENDED || !this.watchable) {
				key.interestOps(0);
				return;
			}
			Connection c = this.connection;
			int n;
			try {
				n = c.readNow();
			}
			catch (IOException ex) {
				n = -1;
			}
			if (n > 0) {
				return;
			}
			if (n == 0) {
				if (c.end() == c.buffer().length && c.buffer().length >= c.capacity()) {
					// the buffer is full of pipelined bytes: stop watching, keep them
					key.interestOps(0);
				}
				return;
			}
			key.interestOps(0);
			this.lost = new IOException("the client closed the connection");
			this.state = State.QUEUED;
			gone = true;
		}
		finally {
			this.lock.unlock();
		}
		if (gone) {
			lost(false);
			this.pool.requeue(this.connection);
		}
	}

	/** On a stopping thread: a suspended or queued exchange ends now; a running one with its worker. */
	void stopNow() {
		boolean idle;
		this.lock.lock();
		try {
			if (this.state == State.DONE) {
				return;
			}
			this.stopped = true;
			idle = this.state == State.SUSPENDED || this.state == State.QUEUED;
			if (idle) {
				this.state = State.RUNNING;
				uncount();
				if (this.lost == null) {
					this.lost = new IOException("the server stopped");
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		this.connection.close();
		if (!idle) {
			return;
		}
		try {
			runAbortAction();
		}
		catch (RuntimeException ex) {
			logger.warn("Ending {} {} at stop failed", this.exchange.head.method(),
					this.exchange.head.target(), ex);
		}
		this.lock.lock();
		try {
			toDone();
		}
		finally {
			this.lock.unlock();
		}
		completeOffWorker();
	}

	/** State DONE, on the worker: the worker decides what becomes of the connection. */
	private Outcome completeOnWorker() {
		boolean keep = completeResponse();
		release();
		return keep ? Outcome.KEEP : Outcome.CLOSE;
	}

	/** State DONE, on an application (or stopping) thread: hands the connection on itself. */
	private void completeOffWorker() {
		boolean keep = completeResponse();
		release();
		WorkerPool pool = this.pool;
		Connection c = this.connection;
		if (keep && pool.isRunning() && c.isOpen()) {
			c.requestServed();
			c.compact();
			pool.handBack(c);
		}
		else if (c.isOpen()) {
			pool.close(c);
		}
		else {
			pool.connectionClosed();
		}
		pool.finished();
	}

	private boolean completeResponse() {
		if (this.abortRequested || this.stopped || this.lost != null || !this.connection.isOpen()) {
			this.connection.close();
			return false;
		}
		try {
			return this.exchange.complete();
		}
		catch (IOException | RuntimeException ex) {
			if (logger.isDebugEnabled()) {
				logger.debug("Completing {} {} failed: {}", this.exchange.head.method(),
						this.exchange.head.target(), ex.toString());
			}
			this.connection.close();
			return false;
		}
	}

	/** Gives back the output and selector; late writes fail from here on. Idempotent. */
	void release() {
		this.outLock.lock();
		try {
			if (this.released) {
				return;
			}
			this.released = true;
			this.outputClosed = true;
			if (this.own != null) {
				this.pool.spares().returnOutput(this.own);
			}
		}
		finally {
			this.outLock.unlock();
		}
		if (this.bodySelector != null) {
			try {
				this.connection.releaseFrom(this.bodySelector);
			}
			catch (IOException | RuntimeException ex) {
				// returnSelector closes a selector that still has keys
			}
			this.pool.spares().returnSelector(this.bodySelector);
			this.bodySelector = null;
		}
		this.pool.asyncExchanges().ended(this.exchange);
	}

}
