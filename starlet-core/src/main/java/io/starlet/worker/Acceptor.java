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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.http.BadRequestException;
import io.starlet.http.RequestParser;
import io.starlet.http.ResponseHead;
import io.starlet.http.Violation;
import io.starlet.net.Connection;

/**
 * The one thread that holds every connection no worker is serving, so that idle and slow clients
 * never occupy a worker (Starlet relies on the kernel's {@code TCP_DEFER_ACCEPT} and on the
 * reverse proxy for this; Java has neither).
 *
 * <pre>
 *             accept                    head complete (+ small body)
 *   listener ────────▶ READING_HEAD ─────────────────────────────────▶ READY (queue) ──▶ worker
 *                          │   ▲                                                           │
 *          head deadline,  │   │ bytes arrive                       keep-alive, nothing    │
 *          bad request,    │   │                                    buffered: hand back    │
 *          EOF: close      ▼   │                                                           │
 *                         IDLE ◀────────────────────────────────────────────────────────────┘
 *                          │ keepalive-timeout, EOF, drain finished: close
 * </pre>
 *
 * A head that arrives whole, with a body that fits the buffer, goes to a worker in one piece; a
 * trickling client costs a buffer here and nothing else. The acceptor parses the head (cheap, and
 * a bad request is answered here without ever reaching a worker).
 *
 * <p>Selector traffic is kept to what the model needs: a connection whose request came with the
 * handshake is never registered (a close-per-request client costs no {@code epoll_ctl} at all),
 * and a kept-alive connection stays armed while a worker serves it, since a client waiting for
 * its response sends nothing; only if bytes do arrive meanwhile is it disarmed until it comes back.
 * Queue timeouts are checked on the worker queue itself, oldest first.
 */
final class Acceptor implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Acceptor.class);

	private static final long TICK_MILLIS = 100;

	private final WorkerPool pool;

	private final Selector selector;

	private final RequestParser parser;

	private final ConcurrentLinkedQueue<Connection> returned = new ConcurrentLinkedQueue<>();

	/** Connections of suspended exchanges to watch for the client going away. */
	private final ConcurrentLinkedQueue<Connection> watched = new ConcurrentLinkedQueue<>();

	private final long headTimeoutNanos;

	private final long keepaliveTimeoutNanos;

	private long nextConnectionId;

	private boolean listening = true;

	private long nextTick;

	/** A client that connected just before a graceful shutdown still gets this long to send. */
	private static final long DRAIN_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

	private long drainGraceEnd;

	Acceptor(WorkerPool pool, RequestParser parser) throws IOException {
		this.pool = pool;
		this.parser = parser;
		this.selector = Selector.open();
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
	 * Watch a suspended exchange's connection (any thread): when it becomes readable the exchange
	 * reads what came ({@link ServerExchange#clientReadable}), which notices a client that closed.
	 */
	void watch(Connection connection) {
		this.watched.add(connection);
		this.selector.wakeup();
	}

	private void takeWatched() {
		Connection connection;
		while ((connection = this.watched.poll()) != null) {
			if (!connection.isOpen() || connection.suspendedExchange == null || connection.held) {
				continue; // ended meanwhile
			}
			try {
				SelectionKey key = connection.acceptorKey;
				if (key == null || !key.isValid()) {
					connection.acceptorKey = connection.channel().register(this.selector, SelectionKey.OP_READ, connection);
				}
				else if (key.interestOps() != SelectionKey.OP_READ) {
					key.interestOps(SelectionKey.OP_READ);
				}
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
		this.selector.select(TICK_MILLIS);
		takeReturned();
		takeWatched();
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
				else if (key.isReadable()) {
					Connection connection = (Connection) key.attachment();
					if (connection.held) {
						readable(connection);
					}
					else if (connection.suspendedExchange instanceof ServerExchange exchange) {
						// a suspended async request: the client sent more, or went away
						exchange.clientReadable(key);
					}
					else {
						// A worker has it and bytes arrived (a body, the next request): stop
						// watching until it comes back.
						key.interestOps(0);
					}
				}
			}
			catch (CancelledKeyException ex) {
				// closed by a worker meanwhile
			}
		}
		long now = System.nanoTime();
		if (now - this.nextTick >= 0) {
			this.nextTick = now + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
			expire(now);
		}
		if (this.pool.isShuttingDown()) {
			drain();
		}
	}

	private void acceptAll(ServerSocketChannel listener) {
		while (this.listening) {
			SocketChannel channel;
			Connection connection;
			try {
				channel = listener.accept();
			}
			catch (IOException ex) {
				// Out of file descriptors and the like: try again on the next readiness.
				logger.warn("accept failed: {}", ex.toString());
				return;
			}
			if (channel == null) {
				return;
			}
			try {
				channel.configureBlocking(false);
				if (channel.getLocalAddress() instanceof java.net.InetSocketAddress) {
					channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				}
				connection = new Connection(++this.nextConnectionId, channel, this.pool.bufferSize());
			}
			catch (IOException ex) {
				closeQuietly(channel);
				continue;
			}
			connection.deadline = System.nanoTime() + this.headTimeoutNanos;
			connection.held = true;
			this.pool.connectionOpened();
			// Most clients send their request right behind the handshake: look now. A request that
			// is already whole goes to a worker without ever being registered with the selector,
			// which saves the registration, its cancellation and a deferred close per connection.
			readable(connection);
			if (connection.held && connection.isOpen()) {
				register(connection);
			}
		}
	}

	/** Starts watching a connection the acceptor holds; closes it if that fails. */
	private void register(Connection connection) {
		try {
			connection.acceptorKey = connection.channel().register(this.selector, SelectionKey.OP_READ, connection);
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

	/** Parses what the connection has; hands it to the workers when a request is complete. */
	private void tryDispatch(Connection connection) {
		if (!connection.headReady) {
			int headEnd;
			try {
				headEnd = this.parser.parse(connection.buffer(), 0, connection.end, connection.head);
			}
			catch (BadRequestException ex) {
				reject(connection, ex);
				return;
			}
			if (headEnd < 0) {
				if (connection.idle) {
					// The head deadline runs from the first byte of the next request.
					connection.idle = false;
					connection.deadline = System.nanoTime() + this.headTimeoutNanos;
				}
				return;
			}
			connection.idle = false;
			connection.headReady = true;
			connection.pos = headEnd;
			connection.deadline = System.nanoTime() + this.headTimeoutNanos;
		}
		long contentLength = connection.head.contentLength();
		long buffered = connection.end - connection.pos;
		int room = connection.capacity() - connection.pos;
		// A small body is collected here too, so a stalled upload of ordinary size pins no worker;
		// but not one behind Expect: 100-continue, which the client sends only after the 100 that
		// the worker sends when the application reads.
		if (contentLength > buffered && contentLength <= room && !connection.head.expectsContinue()) {
			return;
		}
		// The key stays armed: a request/response connection is silent while a worker serves it,
		// so it comes back with nothing to change (two epoll_ctl calls saved per request). If bytes
		// do arrive meanwhile, the select loop disarms it then.
		connection.held = false;
		this.pool.dispatch(connection);
	}

	private void reject(Connection connection, BadRequestException ex) {
		Violation violation = ex.violation();
		if (logger.isDebugEnabled()) {
			logger.debug("{}: {} {} ({})", connection, violation.status(), ex.getMessage(), violation.rule());
		}
		this.pool.rejected(violation.status());
		connection.writeNowAndClose(
				ResponseHead.plain(violation.status(), ex.getMessage(), true, this.pool.config().serverHeader()));
		this.pool.connectionClosed();
	}

	private void takeReturned() {
		Connection connection;
		while ((connection = this.returned.poll()) != null) {
			if (!connection.isOpen()) {
				continue;
			}
			SelectionKey key = connection.acceptorKey;
			if (key == null) {
				register(connection);
				if (!connection.isOpen()) {
					continue;
				}
			}
			else if (key.isValid()) {
				if (key.interestOps() != SelectionKey.OP_READ) {
					key.interestOps(SelectionKey.OP_READ);
				}
			}
			else {
				close(connection);
				continue;
			}
			connection.held = true;
			if (connection.buffered() > 0) {
				connection.idle = false;
				connection.deadline = System.nanoTime() + this.headTimeoutNanos;
				tryDispatch(connection);
			}
			else {
				connection.idle = true;
				connection.deadline = System.nanoTime() + this.keepaliveTimeoutNanos;
			}
		}
	}

	private void expire(long now) {
		if (this.pool.config().queueTimeout() != null) {
			expireQueued(now, this.pool.config().queueTimeout().toNanos());
		}
		for (SelectionKey key : this.selector.keys()) {
			if (!(key.attachment() instanceof Connection connection) || !key.isValid() || !connection.held) {
				// queued for a worker or being served: only the queue timeout applies
				continue;
			}
			if (now - connection.deadline > 0) {
				if (connection.buffered() > 0) {
					this.pool.rejected(408);
					connection.writeNowAndClose(ResponseHead.plain(408, "request head not received in time", true,
							this.pool.config().serverHeader()));
					this.pool.connectionClosed();
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
			if (now - connection.readySince <= queueTimeoutNanos) {
				return; // the queue is in arrival order: the rest waited less
			}
			if (connection.suspendedExchange != null) {
				// async work: the worker that takes it applies the queue timeout (the exchange's
				// listeners must run on a worker)
				continue;
			}
			if (this.pool.withdraw(connection)) {
				this.pool.rejected(503);
				connection.writeNowAndClose(ResponseHead.plain(503, "no worker became free in time", true,
						this.pool.config().serverHeader()));
				this.pool.connectionClosed();
			}
		}
	}

	/**
	 * During a graceful shutdown: stop listening at once; once no request is queued or being
	 * served, close idle keep-alive connections, give a client that has connected (or started its
	 * next request) a short grace to deliver it, then close what is left and report drained.
	 */
	private void drain() {
		long now = System.nanoTime();
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
		if (!this.pool.isIdle()) {
			return;
		}
		boolean pending = false;
		for (SelectionKey key : this.selector.keys()) {
			if (key.attachment() instanceof Connection connection && key.isValid() && connection.held) {
				boolean mayStillSend = connection.buffered() > 0 || connection.requests == 0;
				if (connection.headReady && now - connection.deadline < 0) {
					// A request whose head is here and whose small body is still arriving is a
					// request in flight: it is served when the body is complete (or gets 408).
					pending = true;
				}
				else if (mayStillSend && now - this.drainGraceEnd < 0) {
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

	private void close(Connection connection) {
		if (connection.isOpen()) {
			connection.close();
			this.pool.connectionClosed();
		}
	}

	private void closeAll() {
		try {
			for (SelectionKey key : this.selector.keys()) {
				if (key.attachment() instanceof Connection connection) {
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
