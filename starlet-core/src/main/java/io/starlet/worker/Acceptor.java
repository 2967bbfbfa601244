package io.starlet.worker;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Clock;
import io.starlet.http.BadRequestException;
import io.starlet.http.RequestParser;
import io.starlet.http.Violation;
import io.starlet.net.BodyCollector;
import io.starlet.net.CollectedBody;
import io.starlet.net.Connection;
import io.starlet.net.Connection.State;

/**
 * The one thread that holds every connection no worker is serving, so that idle and slow clients
 * never occupy a worker (Starlet relies on the kernel's {@code TCP_DEFER_ACCEPT} and on the
 * reverse proxy for this; Java has neither). It owns the connection lifecycle; every state is a
 * {@link Connection.State}:
 *
 * <pre>
 *              accept (fewer than max-connections open)
 *   listener ───────────────────────────────▶ READING_HEAD ───────────────────────┐
 *                                               │  ▲     head deadline (408), bad  │
 *                                               │  │     head (400/413/431/...),   │
 *                          head parsed          │  │     EOF                       │
 *                                               ▼  │                               │
 *                                      COLLECTING_BODY ────────────────────────────┤
 *                                               │  │     too slow or stalled (408),│
 *            whole body here (at once when      │  │     chunked body over the     │
 *            there is none, or it streams)      │  │     limit (413), EOF          │
 *                                               ▼  │                               │
 *                       queue-timeout (503) ◀── QUEUED                             │
 *                                               │  │ next request on the worker,   │
 *                                  a worker     │  │ body not all here: hand back  │
 *                                  takes it     ▼  │                               ▼
 *                                            SERVING ────────────────────────▶ CLOSED
 *                                               │  ▲  close: not keep-alive,       ▲
 *                                   keep-alive, │  │  error, shutdown              │
 *                               nothing queued  ▼  │ bytes arrive                  │
 *                                              IDLE ───────────────────────────────┘
 *                                                     keepalive-timeout, EOF, drain
 * </pre>
 *
 * A connection closed while its client may still be sending (a pipelined request, the rest of a
 * refused upload: {@link Connection#mayStillSend}) goes to CLOSED by way of CLOSING, where its
 * output is shut and what the client sends is dropped until it closes, {@link #CLOSING_NANOS}
 * and {@link #CLOSING_BYTES} at most ({@link #closeGently}): closed at once, the kernel would
 * answer those bytes with a reset that destroys the response on its way (RFC 9112 §9.6).
 *
 * A response that its client takes slower than it was written leaves SERVING without a worker
 * ({@link io.starlet.net.UnsentOutput}):
 * <pre>
 *   SERVING ──the response is complete, the client has not taken all of it──▶ SENDING (no worker:
 *                                                                              │  sent here as the
 *     all sent, keep-alive: IDLE (READING_HEAD, QUEUED if the next request  ◀──┤  socket drains)
 *     is already here)                                                         │
 *                                                                              ▼
 *                         all sent and Connection: close, no progress for timeout, error: CLOSED
 * </pre>
 * A worker that holds bytes while still serving asks for them to be sent here too; it waits for
 * them only when its response outgrows the limit, or before a suspension or an upgrade.
 *
 * An async request leaves SERVING without a worker ({@link ServerExchange}, which owns it then):
 * <pre>
 *   SERVING ──the dispatch returns with async started──▶ SUSPENDED  (no worker; watched here
 *      ▲                                                   │   │      for the client going away)
 *      │ a worker takes it                                 │   │
 *   QUEUED ◀──── dispatch(), async timeout, client gone ───┘   │ complete() on an application
 *                                                              │ thread: keep-alive ▶ IDLE
 *                                                              ▼ (via the hand-back), else CLOSED
 * </pre>
 *
 * An upgraded connection (101 Switching Protocols, e.g. WebSocket) leaves HTTP for good
 * ({@link UpgradedConnection}, which owns it then):
 * <pre>
 *   SERVING ──the dispatch returns with status 101 after upgrade()──▶ UPGRADED (no worker)
 *                                                                     │  ▲
 *     bytes read here, end of input, unsent bytes drained, an error:  │  │ the callbacks
 *     the callbacks queue like requests (within max-workers, no 503)  ▼  │ returned
 *                                                                   queued work on a worker
 *   UPGRADED ──close(), end of input, error, write timeout, stop──▶ CLOSED
 * </pre>
 * Here it is read only while its buffer is empty (the application's back-pressure), written on
 * {@code OP_WRITE} when the socket did not take all at once, and given no deadline but the write
 * timeout; it counts in {@code max-connections}, not as a request in flight for a drain.
 *
 * <p>A worker that finds the next request already buffered (pipelining), or arriving while it
 * lingers, serves it without the round trip through IDLE and QUEUED. Every response the engine
 * makes itself before a worker runs the application (400, 408, 413, 431, 503, ...) goes through
 * {@link WorkerPool#refuse}, which writes it, closes and counts it by its {@link Violation}.
 *
 * <p>A body is collected here ({@link BodyCollector}) before the request is queued, so a stalled
 * upload pins no worker. Beyond {@code max-connections}, and for a back-off when {@code accept}
 * fails (out of file descriptors), the listeners are disarmed ({@link ListenerGate}).
 *
 * <p>Selector traffic is kept to what the model needs: a connection whose request came with the
 * handshake is never registered (a close-per-request client costs no {@code epoll_ctl} at all),
 * and a kept-alive connection stays armed while a worker serves it, since a client waiting for
 * its response sends nothing; only if bytes do arrive meanwhile is it disarmed until it comes back.
 * Queue timeouts are checked on the worker queue itself, oldest first.
 *
 * <p>Over the usual size on purpose (a sixth of it this comment): it is the single thread that owns
 * the selector, and accepting, reading heads and bodies, the deadlines and the drain each walk
 * the same keys and move connections through the same states drawn above; the parts that do not
 * are classes of their own ({@link ListenerGate}, {@link BodyCollector}, {@link UpgradedConnection},
 * {@link ExchangeSuspension}).
 */
final class Acceptor implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Acceptor.class);

	private static final long TICK_MILLIS = 100;

	/**
	 * How long, and how many more bytes, a client may go on sending to a connection the server
	 * is done with (CLOSING) before it is closed all the same: enough for a pipelined request, or
	 * for the rest of an upload refused for its size (beyond the default 30 MB) that a client
	 * sends whole before it reads the answer, as most do; not for endless sending.
	 */
	private static final long CLOSING_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final long CLOSING_BYTES = 64L * 1024 * 1024;

	private final WorkerPool pool;

	/** The engine's clock: every deadline held here is a reading of it. */
	private final Clock clock;

	private final Selector selector;

	private final RequestParser parser;

	private final BodyCollector bodies;

	private final ConcurrentLinkedQueue<Connection> returned = new ConcurrentLinkedQueue<>();

	/** Upgraded connections whose wish to read or write changed. */
	private final ConcurrentLinkedQueue<UpgradedConnection> upgradedChanged = new ConcurrentLinkedQueue<>();

	/** Connections being served whose worker holds bytes the client has not taken yet. */
	private final ConcurrentLinkedQueue<Connection> unsentWanted = new ConcurrentLinkedQueue<>();

	/** Connections of suspended exchanges to watch for the client going away. */
	private final ConcurrentLinkedQueue<Connection> watched = new ConcurrentLinkedQueue<>();

	/** Asked-for deadline checks ({@link #recheck()}), completed once done. */
	private final ConcurrentLinkedQueue<CompletableFuture<Void>> rechecks = new ConcurrentLinkedQueue<>();

	private final long headTimeoutNanos;

	private final long keepaliveTimeoutNanos;

	private long nextConnectionId;

	private boolean listening = true;

	private final ListenerGate gate;

	private long nextTick;

	/** A client that connected just before a graceful shutdown still gets this long to send. */
	private static final long DRAIN_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

	private long drainGraceEnd;

	Acceptor(WorkerPool pool, RequestParser parser) throws IOException {
		this.pool = pool;
		this.clock = pool.clock();
		this.parser = parser;
		this.bodies = pool.bodyCollector();
		this.selector = Selector.open();
		this.gate = new ListenerGate(this.selector, this.clock);
		this.headTimeoutNanos = pool.config().requestHeadTimeout().toNanos();
		this.keepaliveTimeoutNanos = pool.config().keepaliveTimeout().toNanos();
		for (ServerSocketChannel listener : pool.listeners().channels()) {
			listener.register(this.selector, SelectionKey.OP_ACCEPT);
		}
	}

	/** A worker gives a kept-alive connection back (any thread). */
	void handBack(Connection connection) {
		this.returned.add(connection);
		this.selector.wakeup();
	}

	void wakeup() {
		this.selector.wakeup();
	}

	/**
	 * Checks every deadline now rather than at the next tick, and completes when it has (any
	 * thread). For a clock a test moves: on the system clock the tick does it within 100 ms.
	 */
	CompletableFuture<Void> recheck() {
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.rechecks.add(done);
		this.selector.wakeup();
		return done;
	}

	/**
	 * Watch a suspended exchange's connection (any thread): when it becomes readable the exchange
	 * reads what came ({@link ServerExchange#clientReadable}), which notices a client that closed.
	 */
	void watch(Connection connection) {
		this.watched.add(connection);
		this.selector.wakeup();
	}

	/**
	 * A worker holds bytes of a response the client has not taken (any thread): send them as the
	 * socket drains, while the worker goes on.
	 */
	void sendUnsent(Connection connection) {
		this.unsentWanted.add(connection);
		this.selector.wakeup();
	}

	private void takeUnsent() {
		Connection connection;
		while ((connection = this.unsentWanted.poll()) != null) {
			if (connection.isOpen() && connection.hasUnsent() && connection.state() != State.SENDING) {
				watchWrites(connection);
			}
		}
	}

	/** Makes the acceptor's key watch the connection for bytes to read, and only that. */
	private void watchReads(Connection connection) throws IOException {
		SelectionKey key = connection.acceptorKey();
		if (key == null || !key.isValid()) {
			connection.watchBy(this.selector);
		}
		else if (key.interestOps() != SelectionKey.OP_READ) {
			key.interestOps(SelectionKey.OP_READ);
		}
	}

	/** Makes the acceptor's key watch the connection for room to write, and only that. */
	private void watchWrites(Connection connection) {
		try {
			SelectionKey key = connection.acceptorKey();
			if (key == null || !key.isValid()) {
				connection.watchBy(this.selector, SelectionKey.OP_WRITE);
			}
			else if (key.interestOps() != SelectionKey.OP_WRITE) {
				key.interestOps(SelectionKey.OP_WRITE);
			}
		}
		catch (IOException | CancelledKeyException ex) {
			// closed meanwhile: its worker finds out at its next write
		}
	}

	/** The socket has room: sends what is held; a complete response then goes idle or closes. */
	private void sendable(Connection connection, SelectionKey key) {
		boolean done;
		try {
			done = connection.unsent().send();
		}
		catch (IOException ex) {
			// the client is gone: what was held is dropped; a worker still serving finds out at its
			// next write
			if (connection.state() == State.SENDING) {
				this.pool.sendingChanged(-1);
				close(connection);
			}
			else {
				key.interestOps(0);
			}
			return;
		}
		if (!done) {
			return;
		}
		if (connection.state() == State.SENDING) {
			sent(connection);
		}
		else {
			// sent while its worker still serves it: watched again when it comes back
			key.interestOps(0);
		}
	}

	/** A response that was sent off the worker is out: the connection closes or waits for more. */
	private void sent(Connection connection) {
		this.pool.sendingChanged(-1);
		if (connection.closesAfterSending() || this.pool.isShuttingDown()) {
			closeGently(connection);
		}
		else {
			resumeReading(connection);
		}
	}

	/** An upgraded connection wants to read, or has bytes the socket did not take (any thread). */
	void updateUpgraded(UpgradedConnection connection) {
		this.upgradedChanged.add(connection);
		this.selector.wakeup();
	}

	private void takeUpgraded() {
		UpgradedConnection connection;
		while ((connection = this.upgradedChanged.poll()) != null) {
			connection.syncKey(this.selector);
		}
	}

	private void takeWatched() {
		Connection connection;
		while ((connection = this.watched.poll()) != null) {
			if (!connection.isOpen() || connection.suspendedExchange() == null
					|| connection.state() != Connection.State.SUSPENDED) {
				continue; // ended meanwhile
			}
			try {
				watchReads(connection);
			}
			catch (IOException | CancelledKeyException ex) {
				// closed meanwhile: the exchange finds out when it next writes or ends
			}
		}
	}

	@Override
	public void run() {
		try {
			while (this.pool.isRunning()) {
				try {
					loopOnce();
				}
				catch (ClosedSelectorException ex) {
					throw ex;
				}
				catch (RuntimeException ex) {
					// One bad connection must never take the acceptor down with it.
					logger.error("Starlet acceptor: unexpected failure, continuing", ex);
				}
			}
		}
		catch (ClosedSelectorException ex) {
			// stopped
		}
		catch (Throwable ex) {
			logger.error("Starlet acceptor failed; the server stops accepting", ex);
		}
		finally {
			closeAll();
		}
	}

	private void loopOnce() throws IOException {
		this.selector.select(this.gate.selectMillis(TICK_MILLIS));
		// taken first: a recheck sees what was handed back before it was asked for, and the time
		// it reads below is the clock's after the move that asked for it
		CompletableFuture<Void> recheck = this.rechecks.poll();
		takeReturned();
		takeUnsent();
		takeWatched();
		takeUpgraded();
		Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
		while (keys.hasNext()) {
			SelectionKey key = keys.next();
			keys.remove();
			if (!key.isValid()) {
				continue;
			}
			try {
				if (key.isAcceptable()) {
					acceptAll((ServerSocketChannel) key.channel());
				}
				else if (((Connection) key.attachment()).suspendedExchange() instanceof UpgradedConnection upgraded) {
					upgraded.selected(key);
				}
				else if (key.isWritable()) {
					sendable((Connection) key.attachment(), key);
				}
				else if (key.isReadable()) {
					Connection connection = (Connection) key.attachment();
					if (connection.state() == State.CLOSING) {
						lingering(connection);
					}
					else if (connection.state().heldByAcceptor()) {
						readable(connection);
					}
					else if (connection.suspendedExchange() instanceof ServerExchange exchange) {
						// a suspended async request: the client sent more, or went away
						exchange.clientReadable(key);
					}
					else {
						// A worker has it and bytes arrived (a body, the next request): stop
						// watching until it comes back.
						key.interestOps(0);
						connection.inputArrived();
					}
				}
			}
			catch (CancelledKeyException ex) {
				// closed by a worker meanwhile
			}
		}
		long now = this.clock.nanoTime();
		if (now - this.nextTick >= 0 || recheck != null) {
			this.nextTick = now + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
			expire(now);
		}
		if (this.listening) {
			this.gate.reopen(now, belowConnectionLimit());
		}
		if (this.pool.isShuttingDown()) {
			drain();
		}
		if (recheck != null) {
			recheck.complete(null);
			if (!this.rechecks.isEmpty()) {
				// asked for during this pass: the next one does it
				this.selector.wakeup();
			}
		}
	}

	// --- accepting -------------------------------------------------------------------------------

	private void acceptAll(ServerSocketChannel listener) {
		while (this.listening && this.gate.isOpen()) {
			if (!belowConnectionLimit()) {
				// The rest wait in the kernel's backlog; the gate reopens as connections close.
				this.gate.closeAtLimit();
				return;
			}
			SocketChannel channel;
			try {
				channel = listener.accept();
			}
			catch (IOException ex) {
				this.gate.acceptFailed(ex);
				return;
			}
			if (channel == null) {
				return;
			}
			this.gate.acceptSucceeded();
			Connection connection;
			try {
				channel.configureBlocking(false);
				if (channel.getLocalAddress() instanceof java.net.InetSocketAddress) {
					channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				}
				connection = new Connection(++this.nextConnectionId, channel, this.pool.bufferSize(), this.clock);
			}
			catch (IOException ex) {
				closeQuietly(channel);
				continue;
			}
			connection.waitFor(State.READING_HEAD, this.clock.nanoTime() + this.headTimeoutNanos);
			this.pool.connectionOpened();
			// Most clients send their request right behind the handshake: look now. A request that
			// is already whole goes to a worker without ever being registered with the selector,
			// which saves the registration, its cancellation and a deferred close per connection.
			readable(connection);
			if (connection.state().heldByAcceptor()) {
				register(connection);
			}
		}
	}

	private boolean belowConnectionLimit() {
		return this.pool.openConnections() < this.pool.config().maxConnections();
	}

	/** Starts watching a connection the acceptor holds; closes it if that fails. */
	private void register(Connection connection) {
		try {
			connection.watchBy(this.selector);
		}
		catch (IOException ex) {
			close(connection);
		}
	}

	private static void closeQuietly(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ignored) {
			// gone
		}
	}

	// --- reading heads and bodies ------------------------------------------------------------------

	private void readable(Connection connection) {
		int n;
		try {
			n = connection.readNow();
		}
		catch (IOException ex) {
			close(connection);
			return;
		}
		if (n < 0) {
			close(connection);
			return;
		}
		if (n == 0 && connection.buffered() == 0) {
			return;
		}
		tryDispatch(connection);
	}

	/** Parses what the connection has, collects its body, and queues it once the request is whole. */
	private void tryDispatch(Connection connection) {
		if (!connection.headReady()) {
			boolean whole;
			try {
				whole = connection.parseHead(this.parser);
			}
			catch (BadRequestException ex) {
				refuse(connection, ex.violation(), ex.getMessage());
				return;
			}
			if (!whole) {
				if (connection.state() == State.IDLE) {
					// The head deadline runs from the first byte of the next request.
					connection.waitFor(State.READING_HEAD, this.clock.nanoTime() + this.headTimeoutNanos);
				}
				return;
			}
			connection.waitFor(State.COLLECTING_BODY, this.clock.nanoTime() + this.headTimeoutNanos);
		}
		if (!bodyHere(connection)) {
			return;
		}
		// The key stays armed: a request/response connection is silent while a worker serves it,
		// so it comes back with nothing to change (two epoll_ctl calls saved per request). If bytes
		// do arrive meanwhile, the select loop disarms it then.
		this.pool.dispatch(connection);
	}

	/** Whether the request's body is all here (or will be streamed): collects what has come. */
	private boolean bodyHere(Connection connection) {
		if (this.bodies.wants(connection)) {
			try {
				return this.bodies.collectAvailable(connection);
			}
			catch (BadRequestException ex) {
				refuse(connection, ex.violation(), ex.getMessage());
				return false;
			}
			catch (java.io.EOFException ex) {
				close(connection);
				return false;
			}
			catch (IOException ex) {
				logger.warn("{}: could not collect the request body: {}", connection, ex.toString());
				close(connection);
				return false;
			}
		}
		// Streaming: a small body is still collected here, so that an ordinary form post pins no
		// worker; but not one behind Expect: 100-continue, which the client sends only after the
		// 100 that the worker sends when the application reads.
		long contentLength = connection.head.contentLength();
		long buffered = connection.buffered();
		int room = connection.capacity() - connection.pos();
		return !(contentLength > buffered && contentLength <= room && !connection.head.expectsContinue());
	}

	private void takeReturned() {
		Connection connection;
		while ((connection = this.returned.poll()) != null) {
			if (!connection.isOpen()) {
				continue;
			}
			if (connection.hasUnsent()) {
				// the response is complete but the client has not taken all of it
				connection.sending();
				this.pool.sendingChanged(1);
				watchWrites(connection);
				if (!connection.hasUnsent()) {
					sent(connection); // sent meanwhile
				}
				continue;
			}
			if (connection.closesAfterSending()) {
				// handed back to be closed gently, or to be sent and sent meanwhile
				closeGently(connection);
				continue;
			}
			resumeReading(connection);
		}
	}

	/** A connection comes back from a worker (or from sending): it waits for its next request. */
	private void resumeReading(Connection connection) {
		SelectionKey key = connection.acceptorKey();
		if (key == null) {
			register(connection);
			if (!connection.isOpen()) {
				return;
			}
		}
		else if (key.isValid()) {
			if (key.interestOps() != SelectionKey.OP_READ) {
				key.interestOps(SelectionKey.OP_READ);
			}
		}
		else {
			close(connection);
			return;
		}
		if (!connection.headReady()) {
			// the last request is over, however it ended (on a worker or off one): its body
			// file goes, and no upload's worth of heap stays with a connection that waits
			connection.bodyDone();
			connection.shrink();
		}
		if (connection.headReady()) {
			// a worker found the next head but not all of its body
			connection.waitFor(State.COLLECTING_BODY, this.clock.nanoTime() + this.headTimeoutNanos);
			tryDispatch(connection);
		}
		else if (connection.buffered() > 0) {
			connection.waitFor(State.READING_HEAD, this.clock.nanoTime() + this.headTimeoutNanos);
			tryDispatch(connection);
		}
		else {
			connection.waitFor(State.IDLE, this.clock.nanoTime() + this.keepaliveTimeoutNanos);
		}
	}

	// --- deadlines ------------------------------------------------------------------------------------

	private void expire(long now) {
		for (UpgradedConnection upgraded : this.pool.upgraded().all()) {
			upgraded.expire(now);
		}
		if (this.pool.config().queueTimeout() != null) {
			expireQueued(now, this.pool.config().queueTimeout().toNanos());
		}
		long writeTimeoutNanos = this.pool.config().timeout().toNanos();
		for (SelectionKey key : this.selector.keys()) {
			if (key.attachment() instanceof Connection connection && key.isValid()
					&& connection.state() == State.SENDING) {
				if (connection.unsent().stalled(now, writeTimeoutNanos)) {
					this.pool.sendingChanged(-1);
					close(connection); // the client stopped reading
				}
				continue;
			}
			if (key.attachment() instanceof Connection connection && key.isValid()
					&& connection.state() == State.CLOSING) {
				if (now - connection.deadline() > 0) {
					close(connection); // the client goes on sending: enough
				}
				continue;
			}
			if (!(key.attachment() instanceof Connection connection) || !key.isValid()
					|| !connection.state().heldByAcceptor()) {
				// queued for a worker or being served: only the queue timeout applies
				continue;
			}
			CollectedBody body = connection.body();
			if (connection.state() == State.COLLECTING_BODY && body != null && this.bodies.tooSlow(body, now)) {
				refuse(connection, Violation.BODY_TIMEOUT, "request body arrived below "
						+ this.pool.config().minRequestBodyRate() + " bytes per second");
			}
			else if (now - connection.deadline() > 0) {
				if (connection.state() == State.COLLECTING_BODY) {
					refuse(connection, Violation.BODY_TIMEOUT, "request body not received in time");
				}
				else if (connection.buffered() > 0) {
					refuse(connection, Violation.REQUEST_TIMEOUT, "request head not received in time");
				}
				else {
					close(connection);
				}
			}
		}
	}

	/** Answers 503 to requests that waited longer than {@code queue-timeout} for a worker. */
	private void expireQueued(long now, long queueTimeoutNanos) {
		for (Connection connection : this.pool.queued()) {
			if (now - connection.readySince() <= queueTimeoutNanos) {
				return; // the queue is in arrival order: the rest waited less
			}
			if (connection.suspendedExchange() != null) {
				// async work: the worker that takes it applies the queue timeout (the exchange's
				// listeners must run on a worker)
				continue;
			}
			if (this.pool.withdraw(connection)) {
				refuse(connection, Violation.QUEUE_TIMEOUT, "no worker became free in time");
			}
		}
	}

	// --- shutdown --------------------------------------------------------------------------------------

	/**
	 * During a graceful shutdown: stop listening at once; once no request is queued or being
	 * served, close idle keep-alive connections, give a client that has connected (or started its
	 * next request) a short grace to deliver it, then close what is left and report drained.
	 */
	private void drain() {
		long now = this.clock.nanoTime();
		if (this.listening) {
			this.listening = false;
			this.drainGraceEnd = now + DRAIN_GRACE_NANOS;
			for (SelectionKey key : this.selector.keys()) {
				if (key.channel() instanceof ServerSocketChannel) {
					key.cancel();
				}
			}
			this.pool.listeners().close();
		}
		if (!this.pool.isIdle() || bodiesArriving(now)) {
			// Requests in flight, on workers or still arriving: idle keep-alive connections stay
			// open meanwhile, and a request sent on one is served (with Connection: close).
			return;
		}
		boolean pending = false;
		for (SelectionKey key : this.selector.keys()) {
			if (key.attachment() instanceof Connection connection && key.isValid()
					&& (connection.state() == State.SENDING || connection.state() == State.CLOSING)) {
				// a response still going out: it ends by its last byte or by the write timeout;
				// a client still sending: it ends when the client closes, or after CLOSING_NANOS
				pending = true;
			}
			else if (key.attachment() instanceof Connection connection && key.isValid()
					&& connection.state().heldByAcceptor()) {
				boolean mayStillSend = connection.buffered() > 0 || connection.requests() == 0;
				if (mayStillSend && now - this.drainGraceEnd < 0) {
					pending = true;
				}
				else {
					close(connection);
				}
			}
		}
		if (!pending) {
			this.pool.drained();
		}
	}

	private void refuse(Connection connection, Violation violation, String message) {
		if (connection.isOpen()) {
			this.pool.answerRefusal(connection, violation, message);
			closeGently(connection);
		}
	}

	/**
	 * Whether a request whose head is here is still receiving its body: a request in flight,
	 * served when the body is complete (or refused in time).
	 */
	private boolean bodiesArriving(long now) {
		for (SelectionKey key : this.selector.keys()) {
			if (key.attachment() instanceof Connection connection && key.isValid()
					&& connection.state() == State.COLLECTING_BODY && now - connection.deadline() < 0) {
				return true;
			}
		}
		return false;
	}

	private void close(Connection connection) {
		if (connection.isOpen()) {
			connection.close();
			this.pool.connectionClosed();
		}
	}

	/**
	 * Closes a connection the server is done with, once its response is all written: at once, or,
	 * if its client may still be sending ({@link Connection#mayStillSend}), after it lingers in
	 * CLOSING, so that the client reads the whole response rather than a reset.
	 */
	private void closeGently(Connection connection) {
		if (!connection.isOpen()) {
			return;
		}
		if (!connection.mayStillSend() && !sentMore(connection)) {
			close(connection);
			return;
		}
		try {
			connection.lingerUntil(this.clock.nanoTime() + CLOSING_NANOS);
			watchReads(connection);
		}
		catch (IOException | CancelledKeyException ex) {
			close(connection);
			return;
		}
		lingering(connection); // what came already
	}

	/**
	 * Whether the client has sent something the connection has not read: a look at the socket,
	 * worth its system call off the workers' path (a refusal, the end of a held response), where
	 * the acceptor's key may have been watching for room to write rather than for bytes to read.
	 */
	private static boolean sentMore(Connection connection) {
		try {
			return connection.readNow() > 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** CLOSING: drops what the client sent; closes once it has closed, or sent too much. */
	private void lingering(Connection connection) {
		if (!connection.discardInput(CLOSING_BYTES)) {
			close(connection);
		}
	}

	private void closeAll() {
		CompletableFuture<Void> recheck;
		while ((recheck = this.rechecks.poll()) != null) {
			recheck.complete(null); // stopped: no deadline is left to check
		}
		try {
			for (SelectionKey key : this.selector.keys()) {
				if (key.attachment() instanceof Connection connection
						&& !(connection.suspendedExchange() instanceof UpgradedConnection)) {
					// (upgraded connections stay open for the handler's goodbye: WorkerPool.endUpgraded)
					close(connection);
				}
			}
			this.selector.close();
		}
		catch (IOException | ClosedSelectorException ex) {
			// stopping anyway
		}
	}

	void stop() {
		this.selector.wakeup();
	}

}
