package io.starlet.worker;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Clock;
import io.starlet.Upgrade;
import io.starlet.net.Connection;
import io.starlet.net.SendQueue;

/**
 * A connection after {@code 101 Switching Protocols} (see {@link Upgrade} for the contract). It is
 * in {@link Connection.State#UPGRADED}, attached to the connection where a suspended exchange
 * would be, so that the acceptor and the workers find it.
 *
 * <p>Callbacks, guarded by {@link #lock}:
 * <pre>
 *             event (bytes read, end of input, drained, error, closed)
 *   IDLE ─────────────────────────────────────────────────────────▶ QUEUED
 *     ▲                                                               │ a worker takes it
 *     └──── no event left (re-arms reading if the buffer is empty) ── RUNNING ◀── the handshake's
 *                                                                     worker starts here (onUpgraded)
 * </pre>
 * Events wait in {@link #events}, each at most once, and run one at a time in order. Reading:
 * the acceptor reads only while {@link #wantRead} (the buffer was empty when a callback
 * returned), and stops at the first bytes until the application has taken them; its key stays
 * armed meanwhile unless more bytes come ({@link #readWatched}). Writing: bytes go straight to
 * the socket while it takes them; the rest is sent by the acceptor on {@code OP_WRITE}
 * ({@link #writeArmed}), whose tick also enforces the write timeout.
 *
 * <p>Over the usual size on purpose: reading, writing and the callbacks are one state machine
 * under one lock ({@link #events}, {@link #wantRead}, {@link #readWatched}; {@link #writeArmed}
 * under the output's), driven from three sides (the acceptor, a worker, application threads);
 * split, each transition would be spread over classes that share that lock and its state anyway.
 */
final class UpgradedConnection implements Upgrade {

	private static final Logger logger = LoggerFactory.getLogger(UpgradedConnection.class);

	private enum Run { IDLE, QUEUED, RUNNING }

	private enum Event { READABLE, END_OF_INPUT, WRITABLE, ERROR, CLOSED }

	private final WorkerPool pool;

	private final Connection connection;

	private final Listener listener;

	private final long writeTimeoutNanos;

	/** Guards callbacks, events and the receive buffer; never held while a callback runs. */
	private final ReentrantLock lock = new ReentrantLock();

	private Run run = Run.RUNNING;

	private final ArrayDeque<Event> events = new ArrayDeque<>(4);

	private final EnumSet<Event> pending = EnumSet.noneOf(Event.class);

	private Throwable error;

	/** The connection is over: only ERROR and CLOSED remain to run. Written under {@link #lock}. */
	private volatile boolean ended;

	/** The acceptor may read the socket (written under {@link #lock}). */
	private volatile boolean wantRead;

	/**
	 * The acceptor's key watches for reads (written under {@link #lock}). It keeps watching after
	 * a read while the application has the bytes ({@link #wantRead} false), and is disarmed only
	 * if more bytes come meanwhile: the usual callback takes every byte, and reading can resume
	 * with no change to the key and no wake-up of the acceptor, two {@code epoll_ctl} calls and a
	 * context switch less per message.
	 */
	private volatile boolean readWatched;

	private boolean endOfInput;

	/** Guards the outbound bytes; never held while a callback runs. */
	private final ReentrantLock outLock = new ReentrantLock();

	private final SendQueue out = new SendQueue();

	/** The socket was full: the acceptor sends the rest (written under {@link #outLock}). */
	private volatile boolean writeArmed;

	private boolean wantWritable;

	private boolean closeRequested;

	private long lastProgress;

	UpgradedConnection(WorkerPool pool, Connection connection, Listener listener) {
		this.pool = pool;
		this.connection = connection;
		this.listener = listener;
		this.writeTimeoutNanos = pool.config().timeout().toNanos();
	}

	Connection connection() {
		return this.connection;
	}

	// --- callbacks ------------------------------------------------------------------------------

	/** On the handshake's worker, after the 101 head went out: onUpgraded, then what is pending. */
	void runFirst() {
		call("onUpgraded", this.listener::onUpgraded);
		this.lock.lock();
		try {
			if (this.connection.buffered() > 0) {
				addLocked(Event.READABLE);
			}
		}
		finally {
			this.lock.unlock();
		}
		drain();
	}

	/** A worker took the connection from the queue. */
	void runQueued() {
		this.lock.lock();
		try {
			if (this.run != Run.QUEUED) {
				return; // the stop already ran it
			}
			this.run = Run.RUNNING;
		}
		finally {
			this.lock.unlock();
		}
		drain();
	}

	/** Runs events until none is left, then goes IDLE (and re-arms reading if the buffer is empty). */
	private void drain() {
		while (true) {
			Event event;
			Throwable failure = null;
			boolean arm = false;
			this.lock.lock();
			try {
				event = this.events.poll();
				while (event == Event.READABLE && this.connection.buffered() == 0) {
					// taken meanwhile (by the callback before, or another thread): nothing to say
					this.pending.remove(event);
					event = this.events.poll();
				}
				if (event != null) {
					this.pending.remove(event);
					failure = this.error;
				}
				else {
					this.run = Run.IDLE;
					if (!this.ended && !this.endOfInput && this.connection.buffered() == 0 && !this.wantRead) {
						this.wantRead = true;
						arm = watchReads();
					}
				}
			}
			finally {
				this.lock.unlock();
			}
			if (event == null) {
				if (arm) {
					this.pool.updateUpgraded(this);
				}
				return;
			}
			dispatch(event, failure);
		}
	}

	private void dispatch(Event event, Throwable failure) {
		switch (event) {
			case READABLE -> call("onReadable", this.listener::onReadable);
			case END_OF_INPUT -> {
				call("onEndOfInput", this.listener::onEndOfInput);
				close();
			}
			case WRITABLE -> call("onWritable", this.listener::onWritable);
			case ERROR -> {
				try {
					this.listener.onError(failure);
				}
				catch (RuntimeException ex) {
					logger.warn("{}: onError failed", this.connection, ex);
				}
			}
			case CLOSED -> {
				try {
					this.listener.onClosed();
				}
				catch (RuntimeException ex) {
					logger.warn("{}: onClosed failed", this.connection, ex);
				}
			}
		}
	}

	private interface Callback {

		void run() throws Exception;

	}

	private void call(String name, Callback callback) {
		try {
			callback.run();
		}
		catch (Exception | LinkageError | AssertionError | StackOverflowError ex) {
			logger.debug("{}: {} failed", this, name, ex);
			fail(ex);
		}
	}

	/** Adds an event; with the lock held. @return whether the caller must queue the connection */
	private boolean addLocked(Event event) {
		if (this.pending.add(event)) {
			this.events.add(event);
		}
		if (this.run == Run.IDLE) {
			this.run = Run.QUEUED;
			return true;
		}
		return false;
	}

	private void post(Event event) {
		boolean queue;
		this.lock.lock();
		try {
			if (this.ended) {
				return;
			}
			queue = addLocked(event);
		}
		finally {
			this.lock.unlock();
		}
		if (queue) {
			this.pool.queueUpgraded(this.connection);
		}
	}

	// --- input ----------------------------------------------------------------------------------

	@Override
	public int available() {
		this.lock.lock();
		try {
			return this.connection.buffered();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public int read(byte[] b, int off, int len) {
		java.util.Objects.checkFromIndexSize(off, len, b.length);
		this.lock.lock();
		try {
			if (this.connection.buffered() == 0) {
				return (this.endOfInput && len > 0) ? -1 : 0;
			}
			return this.connection.take(b, off, len);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public boolean isInputFinished() {
		this.lock.lock();
		try {
			return this.endOfInput && this.connection.buffered() == 0;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void demand() {
		boolean queue = false;
		boolean arm = false;
		this.lock.lock();
		try {
			if (this.ended || this.endOfInput) {
				return;
			}
			if (this.connection.buffered() > 0) {
				queue = addLocked(Event.READABLE);
			}
			else if (!this.wantRead) {
				this.wantRead = true;
				arm = watchReads();
			}
		}
		finally {
			this.lock.unlock();
		}
		if (queue) {
			this.pool.queueUpgraded(this.connection);
		}
		if (arm) {
			this.pool.updateUpgraded(this);
		}
	}

	/** With the lock held: whether the acceptor must arm the key for reads again. */
	private boolean watchReads() {
		if (this.readWatched) {
			return false;
		}
		this.readWatched = true;
		return true;
	}

	/** Acceptor thread: the socket is readable. */
	private void receive() {
		IOException failure = null;
		boolean queue = false;
		this.lock.lock();
		try {
			if (this.ended) {
				return;
			}
			if (!this.wantRead) {
				// more bytes while the application still has some: stop watching (syncKey)
				this.readWatched = false;
				return;
			}
			int n;
			try {
				n = this.connection.readNow();
			}
			catch (IOException ex) {
				failure = ex;
				n = 0;
			}
			if (n > 0) {
				this.wantRead = false;
				queue = addLocked(Event.READABLE);
			}
			else if (n < 0) {
				this.wantRead = false;
				this.readWatched = false;
				this.endOfInput = true;
				queue = addLocked(Event.END_OF_INPUT);
			}
		}
		finally {
			this.lock.unlock();
		}
		if (failure != null) {
			fail(failure);
		}
		else if (queue) {
			this.pool.queueUpgraded(this.connection);
		}
	}

	// --- output ---------------------------------------------------------------------------------

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		java.util.Objects.checkFromIndexSize(off, len, b.length);
		boolean start;
		this.outLock.lock();
		try {
			if (this.ended || this.closeRequested) {
				throw new IOException("The upgraded connection is closed");
			}
			// the cap is for writing while not ready: a write made while ready is taken whole
			if (this.out.size() > WRITE_READY_LIMIT && this.out.size() + len > WRITE_CAP) {
				throw new IOException("More than " + WRITE_CAP + " bytes would wait to be sent: the client does not read");
			}
			if (this.out.isEmpty()) {
				this.lastProgress = this.connection.clock().nanoTime();
			}
			this.out.add(b, off, len);
			start = this.out.size() >= WRITE_READY_LIMIT && !this.writeArmed;
		}
		finally {
			this.outLock.unlock();
		}
		if (start) {
			flush();
		}
	}

	@Override
	public void flush() throws IOException {
		if (this.ended) {
			throw new IOException("The upgraded connection is closed");
		}
		send(false);
	}

	/**
	 * Sends what the socket takes now; on a worker or application thread only when the acceptor
	 * is not already sending ({@code fromAcceptor} false), else on the acceptor's OP_WRITE.
	 */
	private void send(boolean fromAcceptor) throws IOException {
		IOException failure = null;
		boolean arm = false;
		boolean writable = false;
		boolean finish = false;
		this.outLock.lock();
		try {
			if (this.ended || (!fromAcceptor && this.writeArmed)) {
				return;
			}
			if (!this.out.isEmpty()) {
				try {
					if (this.out.writeTo(this.connection.channel()) > 0) {
						this.lastProgress = this.connection.clock().nanoTime();
					}
				}
				catch (IOException ex) {
					failure = ex;
				}
			}
			if (failure == null) {
				boolean more = !this.out.isEmpty();
				if (more != this.writeArmed) {
					this.writeArmed = more;
					arm = !fromAcceptor;
				}
				finish = !more && this.closeRequested;
				if (this.wantWritable && this.out.size() <= WRITE_READY_LIMIT) {
					this.wantWritable = false;
					writable = true;
				}
			}
		}
		finally {
			this.outLock.unlock();
		}
		if (failure != null) {
			fail(failure);
			throw failure;
		}
		if (arm) {
			this.pool.updateUpgraded(this);
		}
		if (writable && !finish) {
			post(Event.WRITABLE);
		}
		if (finish) {
			end(null);
		}
	}

	@Override
	public boolean isWriteReady() {
		this.outLock.lock();
		try {
			if (this.ended) {
				return true; // the next write fails and says why
			}
			boolean ready = this.out.size() <= WRITE_READY_LIMIT;
			if (!ready) {
				this.wantWritable = true;
			}
			return ready;
		}
		finally {
			this.outLock.unlock();
		}
	}

	@Override
	public void demandWritable() {
		boolean now;
		this.outLock.lock();
		try {
			now = this.out.size() <= WRITE_READY_LIMIT;
			this.wantWritable = !now;
		}
		finally {
			this.outLock.unlock();
		}
		if (now) {
			post(Event.WRITABLE);
		}
	}

	@Override
	public void close() {
		this.outLock.lock();
		try {
			if (this.closeRequested || this.ended) {
				return;
			}
			this.closeRequested = true;
		}
		finally {
			this.outLock.unlock();
		}
		try {
			send(false);
		}
		catch (IOException ex) {
			// failed: fail() ended the connection
		}
		this.outLock.lock();
		boolean now;
		try {
			now = this.out.isEmpty() && !this.writeArmed;
		}
		finally {
			this.outLock.unlock();
		}
		if (now) {
			end(null);
		}
	}

	@Override
	public boolean isOpen() {
		return !this.ended;
	}

	// --- the end --------------------------------------------------------------------------------

	/** Ends the connection because of {@code failure}: onError, then onClosed. */
	private void fail(Throwable failure) {
		end(failure);
	}

	/**
	 * Closes the socket once, drops the events that no longer make sense, and queues onError (if
	 * {@code failure} is set) and onClosed.
	 */
	private void end(Throwable failure) {
		boolean queue = false;
		this.lock.lock();
		try {
			if (this.ended) {
				return;
			}
			this.ended = true;
			this.wantRead = false;
			this.events.clear();
			this.pending.clear();
			if (failure != null) {
				this.error = failure;
				queue = addLocked(Event.ERROR);
			}
			queue |= addLocked(Event.CLOSED);
		}
		finally {
			this.lock.unlock();
		}
		this.outLock.lock();
		try {
			this.out.clear();
			this.writeArmed = false;
		}
		finally {
			this.outLock.unlock();
		}
		if (this.connection.isOpen()) {
			this.connection.close();
			this.pool.connectionClosed();
		}
		this.pool.upgraded().ended(this);
		if (queue) {
			this.pool.queueUpgraded(this.connection);
		}
	}

	// --- the acceptor's side --------------------------------------------------------------------

	/** Acceptor thread: the key is ready. */
	void selected(SelectionKey key) {
		int ready = key.readyOps();
		if ((ready & SelectionKey.OP_WRITE) != 0) {
			try {
				send(true);
			}
			catch (IOException ex) {
				// ended by send
			}
		}
		if ((ready & SelectionKey.OP_READ) != 0) {
			receive();
		}
		syncKey(key.selector());
	}

	/** Acceptor thread: makes the acceptor's key watch what is wanted now. */
	void syncKey(Selector selector) {
		if (!this.connection.isOpen()) {
			return;
		}
		int ops = (this.readWatched ? SelectionKey.OP_READ : 0) | (this.writeArmed ? SelectionKey.OP_WRITE : 0);
		try {
			SelectionKey key = this.connection.acceptorKey();
			if (key == null || !key.isValid()) {
				if (ops != 0) {
					this.connection.watchBy(selector);
					this.connection.acceptorKey().interestOps(ops);
				}
			}
			else if (key.interestOps() != ops) {
				key.interestOps(ops);
			}
		}
		catch (IOException | CancelledKeyException ex) {
			fail(ex);
		}
	}

	/** Acceptor tick: unsent bytes that made no progress for the write timeout end the connection. */
	void expire(long now) {
		boolean stuck;
		this.outLock.lock();
		try {
			stuck = this.writeArmed && now - this.lastProgress > this.writeTimeoutNanos;
		}
		finally {
			this.outLock.unlock();
		}
		if (stuck) {
			fail(new SocketTimeoutException("write timed out: the client stopped reading"));
		}
	}

	// --- stop -------------------------------------------------------------------------------------

	/**
	 * The server stopped (the stopping thread): sends what is buffered until {@code deadline}
	 * (real time: {@link Clock#SYSTEM}, which bounds how long a stop takes whatever the engine's clock),
	 * closes, and runs what is left of the callbacks here, onClosed last, unless a worker is
	 * still running one (it runs them when that returns).
	 */
	void endAtStop(Selector selector, long deadline) {
		this.outLock.lock();
		try {
			while (!this.ended && !this.out.isEmpty() && deadline - Clock.SYSTEM.nanoTime() > 0) {
				if (this.out.writeTo(this.connection.channel()) > 0 || this.out.isEmpty()) {
					continue;
				}
				SelectionKey key = this.connection.channel().register(selector, SelectionKey.OP_WRITE);
				selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - Clock.SYSTEM.nanoTime())));
				selector.selectedKeys().clear();
				key.cancel();
				selector.selectNow();
			}
		}
		catch (IOException | RuntimeException ex) {
			// closing anyway
		}
		finally {
			this.outLock.unlock();
		}
		end(null);
		boolean mine;
		this.lock.lock();
		try {
			mine = this.run != Run.RUNNING;
			if (mine) {
				this.run = Run.RUNNING;
			}
		}
		finally {
			this.lock.unlock();
		}
		if (mine) {
			drain();
		}
	}

	@Override
	public String toString() {
		return "upgraded " + this.connection;
	}

}
