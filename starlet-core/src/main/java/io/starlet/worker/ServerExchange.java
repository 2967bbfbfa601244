package io.starlet.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Exchange;
import io.starlet.StarletConfig;
import io.starlet.Suspension;
import io.starlet.WorkerInfo;
import io.starlet.http.BadRequestException;
import io.starlet.http.ChunkedInputStream;
import io.starlet.http.ChunkedOutputStream;
import io.starlet.http.Fields;
import io.starlet.http.FixedLengthInputStream;
import io.starlet.http.FixedLengthOutputStream;
import io.starlet.http.HttpFields;
import io.starlet.http.RequestHead;
import io.starlet.http.ResponseHead;
import io.starlet.http.Violation;
import io.starlet.net.CollectedBody;
import io.starlet.net.Connection;
import io.starlet.net.ConnectionInput;
import io.starlet.net.ConnectionOutput;

/**
 * One request on a worker: runs the handler, then completes the response and decides whether
 * the connection lives on. Keep-alive needs all of: the client asked for it, framing was
 * unambiguous, the connection is below {@code max-keepalive-reqs}, the worker has budget left and
 * is not retiring, the server is not shutting down, the response is not close-delimited, and any
 * unread request body can be drained.
 *
 * <p>A handler may {@link #suspend()} the exchange (the servlet container's {@code startAsync}):
 * the worker is then released when the handler returns, and the exchange lives on without one
 * until {@link Suspension#finish()}. Its states, guarded by one lock ({@link Suspended#lock}):
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
 * noticed ({@link Suspension#onAbort}); bytes it sends meanwhile (a pipelined request) are kept in
 * the receive buffer after the body, never over the head.
 */
final class ServerExchange implements Exchange {

	private static final Logger logger = LoggerFactory.getLogger(ServerExchange.class);

	private static final AtomicLong REQUEST_IDS = new AtomicLong();

	/** Most unread request-body bytes skipped to keep a connection; beyond that it closes. */
	private static final long DRAIN_LIMIT = 64 * 1024;

	private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final InputStream EMPTY = InputStream.nullInputStream();

	private final WorkerPool pool;

	private final Worker worker;

	private final Connection connection;

	private final RequestHead head;

	private final StarletConfig config;

	private final long requestId = REQUEST_IDS.incrementAndGet();

	private ConnectionInput input;

	private InputStream body;

	private int status = 200;

	private final HttpFields responseHeaders = new HttpFields();

	private boolean committed;

	private boolean keepAlive;

	private OutputStream framed;

	private final ResponseBody responseBody = new ResponseBody();

	private boolean continueSent;

	private java.util.function.Supplier<java.util.Map<String, String>> trailers;

	/** Where the framed response goes: the worker's output, or once suspended the exchange's own. */
	private ConnectionOutput out;

	private final Sink sink = new Sink();

	/** Set (on the worker) by {@link #suspend()}; null for the ordinary request. */
	private volatile Suspended suspension;

	/** The worker's keep-alive verdict when the exchange was suspended (it serves others since). */
	private boolean workerKeepAlive;

	private volatile boolean harakiriAsked;

	/** Set by {@link #upgrade}: switch protocols when the handler returns with status 101. */
	private UpgradedConnection upgrade;

	/** What {@link #run()} and {@link #resume(Worker)} tell the worker to do with the connection. */
	enum Outcome {

		/** Close it. */
		CLOSE,

		/** Serve the next request on it (the response went out whole). */
		KEEP,

		/** Nothing: the exchange is suspended and no longer needs the worker. */
		SUSPENDED,

		/** Nothing: the connection left HTTP (101) and is held by the acceptor now. */
		UPGRADED

	}

	ServerExchange(WorkerPool pool, Worker worker, Connection connection) {
		this.pool = pool;
		this.worker = worker;
		this.connection = connection;
		this.head = connection.head;
		this.config = pool.config();
		this.out = worker.output;
	}

	/** Runs the handler and completes the response, unless the handler suspended the exchange. */
	Outcome run() throws IOException {
		try {
			this.pool.handler().handle(this);
		}
		catch (BadRequestException ex) {
			// The body broke the framing rules while the handler read it.
			return refused(ex.violation(), ex.getMessage());
		}
		catch (java.net.SocketTimeoutException ex) {
			// The client stopped sending its body (or reading the response) for `timeout`.
			return refused(Violation.BODY_TIMEOUT, "timed out");
		}
		catch (Exception ex) {
			if (this.connection.clientFailed()) {
				// The client went away mid-request (closed, reset): nothing to answer, nothing to log loudly.
				if (logger.isDebugEnabled()) {
					logger.debug("{} {}: client gone: {}", this.head.method(), this.head.target(), ex.toString());
				}
				this.connection.close();
				endSuspension();
				return Outcome.CLOSE;
			}
			return failed(500, null, ex);
		}
		catch (Error ex) {
			failed(500, null, ex);
			throw ex;
		}
		if (this.suspension != null) {
			return this.suspension.afterRun();
		}
		if (this.upgrade != null) {
			return switchProtocols();
		}
		return complete() ? Outcome.KEEP : Outcome.CLOSE;
	}

	// --- upgrade ----------------------------------------------------------------------------------

	@Override
	public io.starlet.Upgrade upgrade(io.starlet.Upgrade.Listener listener) {
		java.util.Objects.requireNonNull(listener, "listener");
		if (this.suspension != null) {
			throw new IllegalStateException("The exchange is suspended (async started): it cannot be upgraded");
		}
		if (this.committed) {
			throw new IllegalStateException("The response is committed: the exchange cannot be upgraded");
		}
		if (this.upgrade != null) {
			throw new IllegalStateException("The exchange is already being upgraded");
		}
		this.upgrade = new UpgradedConnection(this.pool, this.connection, listener);
		return this.upgrade;
	}

	/**
	 * The handler returned after asking for an upgrade: with status 101 the head goes out (no
	 * body, no framing) and the connection leaves HTTP; with any other status the upgrade is
	 * dropped and the response completes as usual.
	 */
	private Outcome switchProtocols() throws IOException {
		if (this.status != 101 || (this.committed && !(this.framed instanceof SwitchedBody))) {
			this.upgrade = null;
			return complete() ? Outcome.KEEP : Outcome.CLOSE;
		}
		// what is left of the request body (if any) comes before the new protocol's bytes
		if (!this.committed) {
			commit(0);
		}
		this.out.flush();
		if (!drainRequestBody() || !this.connection.isOpen()) {
			this.connection.close();
			return Outcome.CLOSE;
		}
		UpgradedConnection upgraded = this.upgrade;
		this.connection.startOver();
		this.connection.upgradedBy(upgraded);
		this.pool.upgradeStarted(upgraded);
		upgraded.runFirst();
		return Outcome.UPGRADED;
	}

	/** The body of a 101 response: there is none, and the engine's framing stays out. */
	private static final class SwitchedBody extends OutputStream {

		@Override
		public void write(int b) {
			// no body after 101: the new protocol's bytes go through the Upgrade handle
		}

	}

	/** Answers a request the engine refuses while the handler runs, counted by its violation. */
	private Outcome refused(Violation violation, String message) throws IOException {
		this.pool.rejected(violation);
		return failed(violation.status(), message, null);
	}

	private Outcome failed(int status, String message, Throwable ex) throws IOException {
		if (ex != null) {
			logger.error("Request {} {} failed on {}", this.head.method(), this.head.target(), this.worker.name(), ex);
		}
		try {
			writeUnlessCommitted(ResponseHead.plain(status, message, true, this.config.serverHeader()));
		}
		finally {
			// Whatever was committed cannot be finished properly: the connection ends here.
			this.connection.close();
			endSuspension();
		}
		return Outcome.CLOSE;
	}

	/** An engine response (error, 100 Continue) straight to the output, if nothing was committed. */
	private void writeUnlessCommitted(byte[] response) throws IOException {
		Suspended s = this.suspension;
		if (s != null) {
			s.outLock.lock();
		}
		try {
			if (!this.committed && (s == null || !s.outputClosed)) {
				ConnectionOutput o = out();
				o.write(response);
				o.flush();
			}
		}
		finally {
			if (s != null) {
				s.outLock.unlock();
			}
		}
	}

	/**
	 * The output to write to: the worker's, or once suspended the exchange's own, taken from the
	 * pool's spares at the first write. Suspended, only with the output lock held.
	 */
	private ConnectionOutput out() {
		ConnectionOutput o = this.out;
		if (o == null) {
			o = this.pool.takeOutput();
			o.attachBorrowing(this.connection, this.pool.selectors(), this.config.timeout().toNanos());
			this.suspension.own = o;
			this.out = o;
		}
		return o;
	}

	private boolean complete() throws IOException {
		Suspended s = this.suspension;
		if (s != null) {
			s.outLock.lock();
		}
		try {
			if (!this.committed) {
				commit(0);
			}
			this.framed.close();
			if (this.framed instanceof FixedLengthOutputStream fixed && fixed.remaining() > 0) {
				logger.warn("Response to {} {} ended {} bytes short of its Content-Length; closing the connection",
						this.head.method(), this.head.target(), fixed.remaining());
				this.keepAlive = false;
			}
			out().flush();
		}
		finally {
			if (s != null) {
				s.outLock.unlock();
			}
		}
		if (this.keepAlive && !drainRequestBody()) {
			this.keepAlive = false;
		}
		return this.keepAlive;
	}

	// --- suspension -------------------------------------------------------------------------------

	@Override
	public Suspension suspend() {
		Suspended s = this.suspension;
		if (s != null) {
			return s;
		}
		if (this.upgrade != null) {
			throw new IllegalStateException("The exchange is being upgraded: it cannot be suspended");
		}
		// On the worker, inside the handler: what the worker's output holds goes out now, and the
		// exchange writes through its own output from here on (framing streams write to the sink).
		s = new Suspended();
		try {
			this.out.flush();
		}
		catch (IOException ex) {
			// the client is gone: the next write fails the same way
		}
		// the exchange's own output is taken at its first write (a long poll writes only in its
		// ASYNC dispatch, and thousands of them need no buffer meanwhile)
		this.out = null;
		this.workerKeepAlive = this.worker.mayKeepAlive();
		if (this.input != null && !bodySettled()) {
			this.input.selector(s.bodySelector());
		}
		this.connection.suspendedBy(this);
		this.suspension = s;
		this.pool.asyncStarted(this);
		return s;
	}

	/**
	 * A worker took this exchange's connection from the queue: runs the queued work there.
	 */
	Outcome resume(Worker worker) throws IOException {
		return this.suspension.resumeOn(worker);
	}

	/** The server stops: ends a suspended exchange (on a stopping thread). */
	void stopNow() {
		Suspended s = this.suspension;
		if (s != null) {
			s.stopNow();
		}
	}

	/** The handler failed while the exchange was suspended-capable: nothing more will happen. */
	private void endSuspension() {
		Suspended s = this.suspension;
		if (s != null) {
			s.lock.lock();
			try {
				s.toDone();
			}
			finally {
				s.lock.unlock();
			}
			s.release();
		}
	}

	/** Whether no byte of the request body is left for the application to read. */
	private boolean bodySettled() {
		if (!this.head.isChunked() && this.head.contentLength() == 0) {
			return true;
		}
		if (this.body instanceof FixedLengthInputStream fixed) {
			return fixed.isFinished();
		}
		if (this.body instanceof ChunkedInputStream chunked) {
			return chunked.isFinished();
		}
		return false;
	}

	/**
	 * The acceptor's selector found the suspended connection readable (acceptor thread): bytes
	 * of a next request are kept, end of stream or a reset means the client is gone.
	 */
	void clientReadable(java.nio.channels.SelectionKey key) {
		Suspended s = this.suspension;
		if (s == null) {
			key.interestOps(0);
			return;
		}
		s.clientReadable(key);
	}

	private enum State { RUNNING, SUSPENDED, QUEUED, DONE }

	/** The suspension handle and its state; see the class comment. */
	private final class Suspended implements Suspension {

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

		Selector bodySelector() {
			if (this.bodySelector == null) {
				try {
					this.bodySelector = ServerExchange.this.pool.takeSelector();
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
						|| !ServerExchange.this.pool.isRunning()) {
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
				ServerExchange.this.pool.requeue(ServerExchange.this.connection);
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
				if (millis > 0 && this.state != State.DONE && ServerExchange.this.pool.isRunning()) {
					try {
						this.timer = ServerExchange.this.pool.timer().schedule(() -> resume(task), millis,
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

		/** With the lock held. */
		void toDone() {
			this.state = State.DONE;
			uncount();
			if (this.timer != null) {
				this.timer.cancel(false);
				this.timer = null;
			}
			this.work.clear();
			ServerExchange.this.connection.resumedFrom(ServerExchange.this);
		}

		/** With the lock held. */
		private void uncount() {
			if (this.counted) {
				this.counted = false;
				ServerExchange.this.pool.suspendedChanged(-1);
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
								ServerExchange.this.connection.parked();
								this.counted = true;
								ServerExchange.this.pool.suspendedChanged(1);
								this.watchable = bodySettled();
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
						ServerExchange.this.pool.watch(ServerExchange.this.connection);
					}
					return Outcome.SUSPENDED;
				}
			}
			catch (Error ex) {
				endSuspension();
				ServerExchange.this.connection.close();
				throw ex;
			}
		}

		private void runWork(Runnable task) {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				logger.error("Async work for {} {} failed", ServerExchange.this.head.method(),
						ServerExchange.this.head.target(), ex);
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
			StarletConfig config = ServerExchange.this.config;
			boolean expired = config.queueTimeout() != null && System.nanoTime()
					- ServerExchange.this.connection.readySince() > config.queueTimeout().toNanos();
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
				ServerExchange.this.pool.rejected(Violation.QUEUE_TIMEOUT);
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
					if (!ServerExchange.this.committed && !this.outputClosed) {
						ServerExchange.this.committed = true;
						ServerExchange.this.connection.writeNowAndClose(ResponseHead.plain(Violation.QUEUE_TIMEOUT.status(),
								"no worker became free in time", true, ServerExchange.this.config.serverHeader()));
					}
				}
				finally {
					this.outLock.unlock();
				}
			}
			ServerExchange.this.connection.close();
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
		void clientReadable(java.nio.channels.SelectionKey key) {
			boolean gone = false;
			this.lock.lock();
			try {
				if (this.state != State.SUSPENDED || !this.watchable) {
					key.interestOps(0);
					return;
				}
				Connection c = ServerExchange.this.connection;
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
				ServerExchange.this.pool.requeue(ServerExchange.this.connection);
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
			ServerExchange.this.connection.close();
			if (!idle) {
				return;
			}
			try {
				runAbortAction();
			}
			catch (RuntimeException ex) {
				logger.warn("Ending {} {} at stop failed", ServerExchange.this.head.method(),
						ServerExchange.this.head.target(), ex);
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
			WorkerPool pool = ServerExchange.this.pool;
			Connection c = ServerExchange.this.connection;
			if (keep && pool.isRunning() && c.isOpen()) {
				c.requestServed();
				c.compact();
				pool.handBack(c);
			}
			else {
				c.close();
				pool.connectionClosed();
			}
			pool.finished();
		}

		private boolean completeResponse() {
			if (this.abortRequested || this.stopped || this.lost != null || !ServerExchange.this.connection.isOpen()) {
				ServerExchange.this.connection.close();
				return false;
			}
			try {
				return complete();
			}
			catch (IOException | RuntimeException ex) {
				if (logger.isDebugEnabled()) {
					logger.debug("Completing {} {} failed: {}", ServerExchange.this.head.method(),
							ServerExchange.this.head.target(), ex.toString());
				}
				ServerExchange.this.connection.close();
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
					ServerExchange.this.pool.returnOutput(this.own);
				}
			}
			finally {
				this.outLock.unlock();
			}
			if (this.bodySelector != null) {
				try {
					ServerExchange.this.connection.releaseFrom(this.bodySelector);
				}
				catch (IOException | RuntimeException ex) {
					// returnSelector closes a selector that still has keys
				}
				ServerExchange.this.pool.returnSelector(this.bodySelector);
				this.bodySelector = null;
			}
			ServerExchange.this.pool.asyncEnded(ServerExchange.this);
		}

	}

	// --- request ------------------------------------------------------------------------------

	@Override
	public String method() {
		return this.head.method();
	}

	@Override
	public String target() {
		return this.head.target();
	}

	@Override
	public String path() {
		return this.head.path();
	}

	@Override
	public String query() {
		return this.head.query();
	}

	@Override
	public String protocol() {
		return this.head.protocol();
	}

	@Override
	public Fields requestHeaders() {
		return this.head;
	}

	@Override
	public long requestContentLength() {
		return this.head.contentLength();
	}

	@Override
	public long requestBodyRemaining() {
		if (this.body == null) {
			return this.head.isChunked() ? -1 : this.head.contentLength();
		}
		if (this.body instanceof FixedLengthInputStream fixed) {
			return fixed.remaining();
		}
		return (this.body == EMPTY) ? 0 : -1;
	}

	@Override
	public InputStream requestBody() {
		if (this.body == null) {
			this.body = openBody();
		}
		return this.body;
	}

	private InputStream openBody() {
		if (!this.head.isChunked() && this.head.contentLength() == 0) {
			return EMPTY;
		}
		CollectedBody collected = this.connection.body();
		InputStream source;
		if (collected != null && collected.spilled()) {
			source = collected.openSpilled();
		}
		else {
			// suspended, the body is read off the worker that started the request: with a selector of
			// the exchange's own
			Suspended s = this.suspension;
			this.input = new ConnectionInput(this.connection, (s != null) ? s.bodySelector() : this.worker.selector,
					this.config.timeout().toNanos(), this.head.headLength());
			if (collected == null) {
				// streamed: the application waits for the client, so the client must keep a pace
				this.input.minRate(this.config.minRequestBodyRate(), StarletConfig.MIN_BODY_RATE_GRACE.toNanos());
				if (this.head.expectsContinue()) {
					this.input.beforeFirstWait(this::sendContinue);
				}
			}
			source = this.input;
		}
		// Trailers are bounded like the header section; a chunked body by the same maximum that
		// refuses a declared Content-Length up front (413).
		return this.head.isChunked()
				? new ChunkedInputStream(source, this.config.maxChunkLineSize(),
						this.config.maxRequestHeaderSize(), this.config.maxRequestBodySize())
				: new FixedLengthInputStream(source, this.head.contentLength());
	}

	private void sendContinue() {
		if (this.committed || this.continueSent) {
			return;
		}
		this.continueSent = true;
		try {
			writeUnlessCommitted(ResponseHead.CONTINUE);
		}
		catch (IOException ex) {
			// The read that follows fails the same way.
		}
	}

	@Override
	public Fields requestTrailers() {
		if (this.body instanceof ChunkedInputStream chunked && chunked.isFinished()) {
			return chunked.trailers();
		}
		return new HttpFields();
	}

	@Override
	public SocketAddress remoteAddress() {
		return this.connection.remoteAddress();
	}

	@Override
	public SocketAddress localAddress() {
		return this.connection.localAddress();
	}

	@Override
	public long requestId() {
		return this.requestId;
	}

	@Override
	public long connectionId() {
		return this.connection.id();
	}

	@Override
	public WorkerInfo worker() {
		return this.worker;
	}

	// --- response -----------------------------------------------------------------------------

	@Override
	public void setStatus(int status) {
		if (!this.committed) {
			this.status = status;
		}
	}

	@Override
	public int status() {
		return this.status;
	}

	@Override
	public HttpFields responseHeaders() {
		return this.responseHeaders;
	}

	@Override
	public boolean isCommitted() {
		return this.committed;
	}

	@Override
	public boolean isKeepAlive() {
		return this.committed ? this.keepAlive : keepAlivePermitted();
	}

	@Override
	public void setResponseTrailers(java.util.function.Supplier<java.util.Map<String, String>> trailers) {
		if (!this.committed) {
			this.trailers = trailers;
		}
	}

	@Override
	public void retireWorker() {
		this.harakiriAsked = true;
		this.worker.harakiri();
	}

	@Override
	public OutputStream responseBody() {
		return this.responseBody;
	}

	@Override
	public void commit(long contentLength) throws IOException {
		Suspended s = this.suspension;
		if (s == null) {
			doCommit(contentLength, this.worker.responseHead);
			return;
		}
		s.outLock.lock();
		try {
			// off the worker, the worker's head writer may be formatting another response
			doCommit(contentLength, new ResponseHead());
		}
		finally {
			s.outLock.unlock();
		}
	}

	private void doCommit(long contentLength, ResponseHead rh) throws IOException {
		if (this.committed) {
			return;
		}
		this.committed = true;
		if (this.upgrade != null && this.status == 101) {
			this.keepAlive = false;
			this.framed = new SwitchedBody();
			rh.formatSwitching(this.responseHeaders, this.config.serverHeader());
			this.sink.write(rh.bytes(), 0, rh.length());
			return;
		}
		boolean keep = keepAlivePermitted();
		boolean noBody = isHead() || this.status == 204 || this.status == 304 || this.status < 200;
		long lengthHeader = -1;
		boolean chunked = false;
		// framing streams write through the sink, which follows the exchange to its own output
		// if it is suspended
		OutputStream out = this.sink;
		if (noBody) {
			lengthHeader = (isHead() && contentLength >= 0) ? contentLength : -1;
			this.framed = OutputStream.nullOutputStream();
		}
		else if (contentLength >= 0 && (this.trailers == null || !this.head.isHttp11())) {
			lengthHeader = contentLength;
			this.framed = new FixedLengthOutputStream(out, contentLength);
		}
		else if (this.head.isHttp11()) {
			chunked = true;
			ChunkedOutputStream chunkedBody = new ChunkedOutputStream(out);
			chunkedBody.trailers(this.trailers);
			this.framed = chunkedBody;
		}
		else {
			// HTTP/1.0 and unknown length: the body ends when the connection does.
			keep = false;
			this.framed = new NonClosing(out);
		}
		this.keepAlive = keep;
		rh.format(this.status, this.responseHeaders, this.config.serverHeader(), lengthHeader, chunked, !keep,
				keep && !this.head.isHttp11());
		out.write(rh.bytes(), 0, rh.length());
	}

	private boolean workerMayKeepAlive() {
		return (this.suspension != null) ? this.workerKeepAlive && !this.harakiriAsked : this.worker.mayKeepAlive();
	}

	private boolean keepAlivePermitted() {
		return this.head.clientWantsKeepAlive() && !this.head.mustCloseAfterResponse()
				&& this.connection.requests() < this.config.maxKeepaliveReqs() && workerMayKeepAlive()
				&& !this.pool.isShuttingDown() && !handlerAskedToClose() && requestBodyMayBeDrained();
	}

	private boolean handlerAskedToClose() {
		String value = this.responseHeaders.get("Connection");
		return value != null && value.toLowerCase(java.util.Locale.ROOT).contains("close");
	}

	/** Whether what is left of the request body can be skipped cheaply (else close instead). */
	private boolean requestBodyMayBeDrained() {
		CollectedBody collected = this.connection.body();
		if (collected != null && collected.complete) {
			// all here: skipping it waits for nothing
			return !(this.body instanceof ChunkedInputStream chunked && chunked.hasFailed());
		}
		if (this.body == null) {
			// Never read: a client waiting for 100 Continue will not send it at all.
			return !this.head.expectsContinue() && (this.head.isChunked() || this.head.contentLength() <= DRAIN_LIMIT);
		}
		if (this.body instanceof FixedLengthInputStream fixed) {
			return fixed.remaining() <= DRAIN_LIMIT && (!this.head.expectsContinue() || this.continueSent || fixed.isFinished());
		}
		if (this.body instanceof ChunkedInputStream chunked) {
			return !chunked.hasFailed() && (!this.head.expectsContinue() || this.continueSent || chunked.isFinished());
		}
		return true;
	}

	private boolean drainRequestBody() {
		if (!requestBodyMayBeDrained()) {
			return false;
		}
		CollectedBody collected = this.connection.body();
		if (collected != null && collected.complete && !this.head.isChunked()) {
			// The end is known: skip to it. (A chunked body is still read through, so that the
			// strict decoder, not the collector's scan, decides where the next request starts.)
			if (!collected.spilled()) {
				this.connection.consumedTo(collected.scanned);
			}
			return true;
		}
		InputStream in = requestBody();
		if (in == EMPTY) {
			return true;
		}
		boolean unbounded = collected != null && collected.complete;
		if (this.input != null) {
			// Don't trigger 100 Continue just to throw the body away.
			this.input.beforeFirstWait(null);
			this.input.timeoutNanos(Math.min(DRAIN_TIMEOUT_NANOS, this.config.timeout().toNanos()));
		}
		try {
			if (in.read() < 0) {
				return true; // the usual case: the application read the whole body
			}
			byte[] scratch = new byte[4096];
			long drained = 1;
			int n;
			while ((n = in.read(scratch)) >= 0) {
				drained += n;
				if (drained > DRAIN_LIMIT && !unbounded) {
					return false;
				}
			}
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Commits on first write, then passes bytes to the framing stream. */
	private final class ResponseBody extends OutputStream {

		@Override
		public void write(int b) throws IOException {
			Suspended s = ServerExchange.this.suspension;
			if (s == null) {
				ensureCommitted();
				ServerExchange.this.framed.write(b);
				return;
			}
			s.outLock.lock();
			try {
				ensureCommitted();
				ServerExchange.this.framed.write(b);
			}
			finally {
				s.outLock.unlock();
			}
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			Suspended s = ServerExchange.this.suspension;
			if (s == null) {
				ensureCommitted();
				ServerExchange.this.framed.write(b, off, len);
				return;
			}
			s.outLock.lock();
			try {
				ensureCommitted();
				ServerExchange.this.framed.write(b, off, len);
			}
			finally {
				s.outLock.unlock();
			}
		}

		@Override
		public void flush() throws IOException {
			Suspended s = ServerExchange.this.suspension;
			if (s == null) {
				if (ServerExchange.this.committed) {
					ServerExchange.this.framed.flush();
				}
				return;
			}
			s.outLock.lock();
			try {
				if (ServerExchange.this.committed) {
					ServerExchange.this.framed.flush();
				}
			}
			finally {
				s.outLock.unlock();
			}
		}

		@Override
		public void close() throws IOException {
			Suspended s = ServerExchange.this.suspension;
			if (s != null) {
				s.outLock.lock();
			}
			try {
				ensureCommitted();
				ServerExchange.this.framed.close();
				ServerExchange.this.sink.flush();
			}
			finally {
				if (s != null) {
					s.outLock.unlock();
				}
			}
		}

		private void ensureCommitted() throws IOException {
			if (!ServerExchange.this.committed) {
				commit(-1);
			}
		}

	}

	/**
	 * The framing streams' target: the worker's output, or the exchange's own once it is
	 * suspended. While suspended every write holds the output lock and fails once the exchange is
	 * over (its output may serve another exchange by then).
	 */
	private final class Sink extends OutputStream {

		@Override
		public void write(int b) throws IOException {
			Suspended s = ServerExchange.this.suspension;
			if (s == null) {
				ServerExchange.this.out.write(b);
				return;
			}
			s.outLock.lock();
			try {
				checkOpen(s);
				out().write(b);
			}
			finally {
				s.outLock.unlock();
			}
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			Suspended s = ServerExchange.this.suspension;
			if (s == null) {
				ServerExchange.this.out.write(b, off, len);
				return;
			}
			s.outLock.lock();
			try {
				checkOpen(s);
				out().write(b, off, len);
			}
			finally {
				s.outLock.unlock();
			}
		}

		@Override
		public void flush() throws IOException {
			Suspended s = ServerExchange.this.suspension;
			if (s == null) {
				ServerExchange.this.out.flush();
				return;
			}
			s.outLock.lock();
			try {
				checkOpen(s);
				out().flush();
			}
			finally {
				s.outLock.unlock();
			}
		}

		private void checkOpen(Suspended s) throws IOException {
			if (s.outputClosed) {
				throw new IOException("The response is complete");
			}
		}

	}

	/** Close-delimited body: closing it must not close the worker's shared output. */
	private static final class NonClosing extends OutputStream {

		private final OutputStream target;

		NonClosing(OutputStream target) {
			this.target = target;
		}

		@Override
		public void write(int b) throws IOException {
			this.target.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.target.write(b, off, len);
		}

		@Override
		public void flush() throws IOException {
			this.target.flush();
		}

	}

}
