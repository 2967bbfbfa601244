package io.starlet.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.starlet.Clock;
import io.starlet.http.BadRequestException;
import io.starlet.http.RequestHead;
import io.starlet.http.RequestParser;

/**
 * One client connection and its receive buffer. The channel is always non-blocking: the acceptor
 * polls it with its selector, and a worker waits on it with its own selector, so that every read
 * and every write has a deadline (a blocking {@code SocketChannel} write cannot time out).
 *
 * <p>Buffer layout while a request is served: {@code [0, headLength)} is the request head (its
 * fields are read lazily from there, so it must stay intact), then body bytes and any pipelined
 * bytes up to {@link #end}. Between requests {@link #compact} moves the unread bytes to the
 * front.
 *
 * <p>Owned by one thread at a time (acceptor or worker); the hand-off goes through a queue,
 * which publishes the state safely. An upgraded connection is the exception: the acceptor reads
 * into its buffer while workers and application threads take bytes from it, all under the lock
 * of its {@code UpgradedConnection}.
 *
 * <p>Over the usual size on purpose: it is the one owner of the socket and its receive buffer.
 * Reads, writes with deadlines, the buffer's growth within the budget, the state and its deadline
 * all move the same indices over the same channel, and each method is a few lines; what decides
 * (parsing, collecting a body, timeouts, keep-alive) lives in {@code http} and {@code worker}.
 */
public final class Connection {

	/**
	 * The receive buffer's first size: enough for nearly every request head (browsers send under
	 * 2 KiB, proxies less). It grows up to its capacity only for a large head or a small body,
	 * so a connection that closes after one request costs a small allocation, not the maximum.
	 */
	static final int INITIAL_BUFFER = 4096;

	/** Bytes a client must take before a write's deadline starts over. */
	static final int MIN_WRITE_PROGRESS = 16 * 1024;

	/** How long a worker's write waits for room in the socket before it holds what is left. */
	private static final long HOLD_AFTER_NANOS = 1_000_000;

	private final long id;

	private final SocketChannel channel;

	private final SocketAddress remote;

	private final SocketAddress local;

	/** The receive buffer's usual limit: the largest head plus a small body. */
	private final int baseCapacity;

	/** The engine's clock: the read and write timeouts of a worker's blocking I/O are measured in it. */
	private final Clock clock;

	/** The limit now: raised while a body is collected in memory, back to the base after it. */
	private int capacity;

	/** Bytes of {@link #buf} beyond {@link #baseCapacity}, reserved from {@link #budget}. */
	private int reserved;

	private BufferBudget budget;

	private byte[] buf;

	private ByteBuffer view;

	/**
	 * Read position and end of received data in {@link #buf}. Package-private for
	 * {@link ConnectionInput}, the stream over this buffer; other packages move them only
	 * through the methods below that say why.
	 */
	int pos;

	int end;

	/** The current request's head, parsed from {@code buf[0, head.headLength())}. */
	public final RequestHead head = new RequestHead();

	/** Whether {@link #head} holds a parsed head that has not been served yet. */
	private boolean headReady;

	/** Where the connection is in its lifecycle; see the drawing in {@code Acceptor}. */
	private State state = State.READING_HEAD;

	/** The request body being collected off the workers, or collected; null when there is none. */
	private CollectedBody body;

	/** Requests started on this connection. */
	private int requests;

	/** Deadline ({@link Clock#nanoTime}) for whatever the connection is waiting for in the acceptor. */
	private long deadline;

	/** When the connection became ready for a worker ({@link Clock#nanoTime}), for queue-timeout. */
	private long readySince;

	/** The acceptor's key for this connection. */
	private SelectionKey acceptorKey;

	/**
	 * While the exchange on this connection is suspended (async), the worker package's handle for
	 * it: the acceptor watches such a connection for the client going away, and a worker that
	 * takes it from the queue resumes that exchange instead of parsing a request. Null otherwise.
	 */
	private volatile Object suspendedExchange;

	/** Volatile: another thread may close the connection (stop, a suspended request's end). */
	private volatile boolean closed;

	/** A read or write failed or timed out: the client is gone or stuck, not the application. */
	private boolean failed;

	/** The client closed its side. */
	private boolean endOfInput;

	/** A request body was not all received: its client may still be sending it (see {@link #mayStillSend}). */
	private boolean inputMayFollow;

	/** Set by the acceptor, read by the serving worker: see {@link #inputArrived()}. */
	private volatile boolean inputArrived;

	/** Bytes dropped in {@link State#CLOSING}. */
	private long discarded;

	/**
	 * What a slow client has not taken of the response yet, once there was some (created by the
	 * worker, read by the acceptor after the hand-back that publishes it).
	 */
	private volatile UnsentOutput unsent;

	/** The response being sent off the worker ({@link State#SENDING}) ends the connection. */
	private boolean closeAfterSending;

	/** A connection timed by the system clock (for a test of the connection alone). */
	public Connection(long id, SocketChannel channel, int capacity) throws IOException {
		this(id, channel, capacity, Clock.SYSTEM);
	}

	/**
	 * @param capacity the most the receive buffer holds: the largest request head plus the small
	 * body the acceptor collects
	 * @param clock the engine's clock ({@link io.starlet.StarletConfig#clock()})
	 */
	public Connection(long id, SocketChannel channel, int capacity, Clock clock) throws IOException {
		this.id = id;
		this.clock = clock;
		this.channel = channel;
		this.remote = channel.getRemoteAddress();
		this.local = channel.getLocalAddress();
		this.baseCapacity = capacity;
		this.capacity = capacity;
		this.buf = new byte[Math.min(capacity, INITIAL_BUFFER)];
		this.view = ByteBuffer.wrap(this.buf);
	}

	public long id() {
		return this.id;
	}

	public SocketChannel channel() {
		return this.channel;
	}

	public SocketAddress remoteAddress() {
		return this.remote;
	}

	public SocketAddress localAddress() {
		return this.local;
	}

	/**
	 * The receive buffer. It may be replaced by a larger one when a read fills it, so callers
	 * must not keep it across reads (a parsed head may: the old array keeps its bytes).
	 */
	public byte[] buffer() {
		return this.buf;
	}

	/** The size the receive buffer may grow to. */
	public int capacity() {
		return this.capacity;
	}

	public int buffered() {
		return this.end - this.pos;
	}

	/** Where the unread bytes start in {@link #buffer()}. */
	public int pos() {
		return this.pos;
	}

	/** Where the received bytes end in {@link #buffer()}. */
	public int end() {
		return this.end;
	}

	/** Marks the bytes before {@code pos} as read: a body that was skipped whole. */
	public void consumedTo(int pos) {
		this.pos = pos;
	}

	/** Whether a parsed head waits to be served. */
	public boolean headReady() {
		return this.headReady;
	}

	/**
	 * Parses a request head from the start of the buffer into {@link #head}; when it is whole,
	 * the read position moves just past it and {@link #headReady()} turns true.
	 * @return whether the head is whole
	 */
	public boolean parseHead(RequestParser parser) throws BadRequestException {
		int headEnd = parser.parse(this.buf, 0, this.end, this.head);
		if (headEnd < 0) {
			return false;
		}
		this.pos = headEnd;
		this.headReady = true;
		return true;
	}

	/** The request is over: its head is spent and its body goes ({@link #bodyDone()}). */
	public void requestServed() {
		this.headReady = false;
		bodyDone();
	}

	/** Counts a request started on this connection. */
	public void requestStarted() {
		this.requests++;
		UnsentOutput held = this.unsent;
		if (held != null) {
			held.responseStarted();
		}
	}

	/** Requests started on this connection. */
	public int requests() {
		return this.requests;
	}

	public State state() {
		return this.state;
	}

	/** The engine's clock, which this connection's deadlines are readings of. */
	public Clock clock() {
		return this.clock;
	}

	/**
	 * The application's response is complete and the acceptor sends what the client has not taken
	 * ({@link State#SENDING}); its deadline is the write timeout, measured by {@link UnsentOutput}.
	 */
	public void sending() {
		this.state = State.SENDING;
	}

	/**
	 * The acceptor holds the connection in {@code state} (one it {@link State#heldByAcceptor()
	 * holds}) until {@code deadline} ({@link Clock#nanoTime}).
	 */
	public void waitFor(State state, long deadline) {
		if (!state.heldByAcceptor()) {
			throw new IllegalArgumentException(state + " is not held by the acceptor");
		}
		this.state = state;
		this.deadline = deadline;
	}

	/** The deadline of what the acceptor waits for. */
	public long deadline() {
		return this.deadline;
	}

	/** Starts the deadline over: a body being collected made progress. */
	public void deadline(long deadline) {
		this.deadline = deadline;
	}

	/** A whole request is queued for a worker since {@code now} ({@link Clock#nanoTime}). */
	public void queued(long now) {
		this.state = State.QUEUED;
		this.readySince = now;
	}

	/** When the connection was queued, for queue-timeout. */
	public long readySince() {
		return this.readySince;
	}

	/** A worker took the connection and runs the application for it. */
	public void serving() {
		this.state = State.SERVING;
		if (this.inputArrived) {
			this.inputArrived = false; // (a volatile write on every request only when needed)
		}
	}

	/**
	 * The acceptor saw bytes arrive while a worker serves the connection (a request sent behind
	 * the one being served, the rest of a body): if the connection closes after this response,
	 * its client may still be sending ({@link #mayStillSend}).
	 */
	public void inputArrived() {
		this.inputArrived = true;
	}

	/**
	 * The exchange on this connection went async: {@code exchange} is its handle, for the worker
	 * that resumes it. The state becomes {@link State#SUSPENDED} separately, by {@link #parked()},
	 * once the exchange actually lets go of its worker.
	 */
	public void suspendedBy(Object exchange) {
		this.suspendedExchange = exchange;
	}

	/** The exchange has let go of its worker: the acceptor only watches for the client leaving. */
	public void parked() {
		this.state = State.SUSPENDED;
	}

	/** Forgets the suspended exchange, if it is still {@code exchange}. */
	public void resumedFrom(Object exchange) {
		if (this.suspendedExchange == exchange) {
			this.suspendedExchange = null;
		}
	}

	/**
	 * The connection left HTTP (101 Switching Protocols): {@code connection} is the handle of
	 * what it became, found where a suspended exchange's would be.
	 */
	public void upgradedBy(Object connection) {
		this.suspendedExchange = connection;
		this.state = State.UPGRADED;
	}

	/**
	 * Takes up to {@code len} unread bytes into {@code dst} (an upgraded connection's input); once
	 * all are taken the buffer starts over from its beginning.
	 * @return bytes taken
	 */
	public int take(byte[] dst, int off, int len) {
		int n = Math.min(len, this.end - this.pos);
		System.arraycopy(this.buf, this.pos, dst, off, n);
		this.pos += n;
		if (this.pos == this.end) {
			this.pos = 0;
			this.end = 0;
		}
		return n;
	}

	/** The suspended exchange's handle, or null. */
	public Object suspendedExchange() {
		return this.suspendedExchange;
	}

	/** The request body being collected or collected, or null. */
	public CollectedBody body() {
		return this.body;
	}

	/** Starts collecting the current request's body. */
	public void collect(CollectedBody body) {
		this.body = body;
	}

	/**
	 * Moves the body bytes before {@code stop} to {@code body}'s file; the bytes after them
	 * (pipelined ones) move up to the read position.
	 */
	public void spillTo(CollectedBody body, int stop) throws IOException {
		int start = this.pos;
		body.write(this.buf, start, stop - start);
		int rest = this.end - stop;
		System.arraycopy(this.buf, stop, this.buf, start, rest);
		this.end = start + rest;
		body.scanned = start;
	}

	/** The acceptor's key, or null when the acceptor does not watch this connection yet. */
	public SelectionKey acceptorKey() {
		return this.acceptorKey;
	}

	/** Registers with the acceptor's selector for reads, keeping the key. */
	public void watchBy(Selector acceptor) throws IOException {
		watchBy(acceptor, SelectionKey.OP_READ);
	}

	/** Registers with the acceptor's selector for {@code ops}, keeping the key. */
	public void watchBy(Selector acceptor, int ops) throws IOException {
		this.acceptorKey = this.channel.register(acceptor, ops, this);
	}

	/**
	 * Reads what the socket has into the buffer without waiting.
	 * @return bytes read, 0 when nothing is there or the buffer is full, -1 at end of stream
	 */
	public int readNow() throws IOException {
		if (this.end == this.buf.length && !grow()) {
			return 0;
		}
		this.view.limit(this.buf.length).position(this.end);
		int n = readNow(this.view);
		if (n > 0) {
			this.end += n;
			if (this.end == this.buf.length) {
				// more is probably waiting: make room now so the next read takes it in one go
				grow();
			}
		}
		return n;
	}

	/**
	 * Reads what the socket has straight into {@code dst}, bypassing the receive buffer (a large
	 * body read into the application's array), without waiting.
	 * @return bytes read, 0 when nothing is there, -1 at end of stream
	 */
	public int readNow(ByteBuffer dst) throws IOException {
		int n;
		try {
			n = this.channel.read(dst);
		}
		catch (IOException ex) {
			this.failed = true;
			throw ex;
		}
		if (n < 0) {
			this.endOfInput = true;
		}
		return n;
	}

	private boolean grow() {
		if (this.buf.length >= this.capacity) {
			return false;
		}
		this.buf = Arrays.copyOf(this.buf, (int) Math.min(this.capacity, 4L * this.buf.length));
		this.view = ByteBuffer.wrap(this.buf);
		return true;
	}

	/**
	 * Reads at least one byte, waiting up to {@code timeoutNanos} on the worker's selector.
	 * @return bytes read, or -1 at end of stream
	 * @throws SocketTimeoutException when nothing arrived in time
	 */
	public int read(Selector selector, long timeoutNanos) throws IOException {
		return read(null, selector, timeoutNanos);
	}

	/**
	 * Reads at least one byte into {@code dst} (or, if it is null, into the receive buffer),
	 * waiting up to {@code timeoutNanos} on the worker's selector.
	 * @return bytes read, or -1 at end of stream
	 * @throws SocketTimeoutException when nothing arrived in time
	 */
	public int read(ByteBuffer dst, Selector selector, long timeoutNanos) throws IOException {
		int n = (dst != null) ? readNow(dst) : readNow();
		if (n != 0) {
			return n;
		}
		if (dst == null && this.end == this.buf.length) {
			throw new IllegalStateException("receive buffer full");
		}
		long deadline = this.clock.nanoTime() + timeoutNanos;
		while (true) {
			long left = deadline - this.clock.nanoTime();
			if (left <= 0) {
				this.failed = true;
				throw new SocketTimeoutException("read timed out");
			}
			await(selector, SelectionKey.OP_READ, left);
			n = (dst != null) ? readNow(dst) : readNow();
			if (n != 0) {
				return n;
			}
		}
	}

	/** Waits up to {@code timeoutNanos} for bytes; returns false on timeout (nothing read). */
	public boolean awaitReadable(Selector selector, long timeoutNanos) throws IOException {
		return await(selector, SelectionKey.OP_READ, timeoutNanos);
	}

	/**
	 * Writes all of {@code src}. The deadline is {@code timeoutNanos} from the last real progress:
	 * a client that stops reading is dropped after one timeout even if zero-window probes let a
	 * few bytes through now and then, while a slow reader that keeps reading is served.
	 */
	public void write(ByteBuffer src, Selector selector, long timeoutNanos) throws IOException {
		long deadline = this.clock.nanoTime() + timeoutNanos;
		int progress = 0;
		while (src.hasRemaining()) {
			int n = writeOnce(src);
			if (n > 0) {
				progress += n;
				if (progress >= MIN_WRITE_PROGRESS) {
					progress = 0;
					deadline = this.clock.nanoTime() + timeoutNanos;
				}
				continue;
			}
			long left = deadline - this.clock.nanoTime();
			if (left <= 0) {
				this.failed = true;
				throw new SocketTimeoutException("write timed out: the client stopped reading");
			}
			await(selector, SelectionKey.OP_WRITE, left);
		}
	}

	/**
	 * A worker's write: like {@link #write(ByteBuffer, Selector, long)}, except that what the
	 * socket does not take within {@link #HOLD_AFTER_NANOS} is held ({@link UnsentOutput}) within
	 * {@code policy}'s limits, for the acceptor to send, and the worker goes on. Bytes written while some are held go
	 * behind them. With no room, the worker waits for the client as {@code write} does.
	 */
	public void writeOrHold(ByteBuffer src, Selector selector, long timeoutNanos, UnsentOutput.Policy policy)
			throws IOException {
		UnsentOutput held = this.unsent;
		if (held != null && held.isPending()) {
			// behind what is held: the worker sends that first, as far as the socket takes it
			if (held.write(src)) {
				return;
			}
			held.awaitSent(timeoutNanos);
		}
		else {
			// A client that keeps up makes room within moments (on loopback, microseconds): the
			// worker goes on writing itself, as it would without holding. Only a socket that stays
			// full for HOLD_AFTER (a slow client) is worth the copy and the acceptor's help.
			while (true) {
				while (src.hasRemaining() && writeOnce(src) > 0) {
					// the socket takes it without waiting
				}
				if (!src.hasRemaining()) {
					return;
				}
				if (!await(selector, SelectionKey.OP_WRITE, HOLD_AFTER_NANOS)) {
					break;
				}
			}
			if (held == null) {
				held = new UnsentOutput(this, policy);
				this.unsent = held;
			}
			if (held.write(src)) {
				return;
			}
			// a full disk may have taken part of src: that goes first
			held.awaitSent(timeoutNanos);
		}
		write(src, selector, timeoutNanos);
	}

	/** Whether bytes of a response wait to be sent to the client. */
	public boolean hasUnsent() {
		UnsentOutput held = this.unsent;
		return held != null && held.isPending();
	}

	/** What the client has not taken yet; null if nothing was ever held. */
	public UnsentOutput unsent() {
		return this.unsent;
	}

	/**
	 * Worker: waits until every held byte is sent, before the connection leaves the worker for an
	 * owner that writes straight to the socket (a suspended exchange, an upgraded connection).
	 */
	public void awaitSent(long timeoutNanos) throws IOException {
		UnsentOutput held = this.unsent;
		if (held != null && held.isPending()) {
			held.awaitSent(timeoutNanos);
		}
	}

	/** Set by the worker before it hands over a response still being sent: close after it. */
	public void closeAfterSending(boolean close) {
		this.closeAfterSending = close;
	}

	public boolean closesAfterSending() {
		return this.closeAfterSending;
	}

	void markFailed() {
		this.failed = true;
	}

	/**
	 * Writes all of {@code src} like {@link #write(ByteBuffer, Selector, long)}, from a thread that
	 * has no selector of its own: a selector is borrowed from {@code selectors} only if the socket
	 * is full and the write must wait, and given back before this returns.
	 */
	public void write(ByteBuffer src, SelectorSource selectors, long timeoutNanos) throws IOException {
		while (src.hasRemaining() && writeOnce(src) > 0) {
			// the socket takes it without waiting: no selector needed
		}
		if (!src.hasRemaining()) {
			return;
		}
		Selector selector = selectors.takeSelector();
		try {
			write(src, selector, timeoutNanos);
		}
		finally {
			try {
				releaseFrom(selector);
			}
			catch (IOException | RuntimeException ex) {
				// the selector is closed rather than lent again if it still has the key
			}
			selectors.returnSelector(selector);
		}
	}

	/** One non-blocking write; a failure marks the client as gone. */
	private int writeOnce(ByteBuffer src) throws IOException {
		try {
			return this.channel.write(src);
		}
		catch (IOException ex) {
			this.failed = true;
			throw ex;
		}
	}

	private boolean await(Selector selector, int ops, long timeoutNanos) throws IOException {
		SelectionKey key = this.channel.keyFor(selector);
		if (key == null) {
			key = this.channel.register(selector, ops);
		}
		else if (key.interestOps() != ops) {
			key.interestOps(ops);
		}
		long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
		int selected = selector.select(millis);
		selector.selectedKeys().clear();
		return selected > 0;
	}

	/** Drops this connection from a worker's selector so that it can be handed on. */
	public void releaseFrom(Selector selector) throws IOException {
		SelectionKey key = this.channel.keyFor(selector);
		if (key != null) {
			key.cancel();
			selector.selectNow();
		}
	}

	/**
	 * Moves the unread bytes to the front of the buffer (between requests only). A buffer that
	 * grew to hold a request body keeps its size while its worker serves the connection (the next
	 * upload on it reuses it); {@link #shrink} gives it back when the connection goes idle.
	 */
	public void compact() {
		int n = this.end - this.pos;
		if (n > 0 && this.pos > 0) {
			System.arraycopy(this.buf, this.pos, this.buf, 0, n);
		}
		this.pos = 0;
		this.end = n;
	}

	/**
	 * Leaves HTTP (an upgrade): the bytes after the request head and body move to a buffer of
	 * their own, so the parsed head (which keeps the old array) stays readable, and the memory a
	 * request body held goes back.
	 */
	public void startOver() {
		bodyDone();
		int n = this.end - this.pos;
		byte[] fresh = new byte[Math.max(Math.min(this.baseCapacity, INITIAL_BUFFER), n)];
		System.arraycopy(this.buf, this.pos, fresh, 0, n);
		this.buf = fresh;
		this.view = ByteBuffer.wrap(fresh);
		this.capacity = Math.max(this.baseCapacity, n);
		this.pos = 0;
		this.end = n;
		this.headReady = false;
		releaseReserved();
	}

	/**
	 * Grows the receive buffer to hold {@code size} bytes, beyond its usual capacity if need be,
	 * reserving what goes beyond it from {@code budget}.
	 * @return false, changing nothing, when the budget has no room for it
	 */
	public boolean growTo(int size, BufferBudget budget) {
		if (size <= this.buf.length) {
			return true;
		}
		int extra = Math.max(0, size - this.baseCapacity);
		if (extra > this.reserved) {
			if (this.budget != null && this.budget != budget) {
				return false;
			}
			if (!budget.reserve(extra - this.reserved)) {
				return false;
			}
			this.budget = budget;
			this.reserved = extra;
		}
		this.buf = Arrays.copyOf(this.buf, size);
		this.view = ByteBuffer.wrap(this.buf);
		this.capacity = Math.max(this.capacity, size);
		return true;
	}

	/**
	 * Gives back the heap the buffer took beyond its usual size, keeping {@code [0, end)}: a
	 * body that moved to a file needs it no more, nor does an idle keep-alive connection.
	 */
	public void shrink() {
		if (this.reserved > 0 && this.end <= this.baseCapacity) {
			byte[] small = new byte[Math.max(Math.min(this.baseCapacity, INITIAL_BUFFER), this.end)];
			System.arraycopy(this.buf, 0, small, 0, this.end);
			this.buf = small;
			this.view = ByteBuffer.wrap(small);
			this.capacity = this.baseCapacity;
			releaseReserved();
		}
	}

	/** Bytes of heap this connection holds beyond its usual buffer, for a request body. */
	public int reservedBytes() {
		return this.reserved;
	}

	private void releaseReserved() {
		if (this.reserved > 0 && this.budget != null) {
			this.budget.release(this.reserved);
		}
		this.reserved = 0;
	}

	/** Ends the current request's body: deletes a spilled one and forgets the collection. */
	public void bodyDone() {
		CollectedBody collected = this.body;
		if (collected != null) {
			this.body = null;
			collected.discard();
		}
	}

	/**
	 * Whether the client broke the exchange: a socket error, a timeout, or end of stream. An
	 * exception escaping a handler after this is the client's doing, not an application error.
	 */
	public boolean clientFailed() {
		return this.failed || this.endOfInput;
	}

	public boolean isOpen() {
		return !this.closed;
	}

	/**
	 * Closes the socket and frees what the request body held; idempotent, and safe from any
	 * thread (synchronized, so that two threads closing at once free the body memory once).
	 */
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.state = State.CLOSED;
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// nothing to do: the connection is gone either way
		}
		releaseReserved();
		bodyDone();
		UnsentOutput held = this.unsent;
		if (held != null) {
			held.fail();
		}
	}

	/**
	 * Writes a few bytes without waiting ({@code 100 Continue} from the acceptor).
	 * @return whether all of them went out
	 */
	public boolean writeNow(byte[] bytes) {
		try {
			ByteBuffer src = ByteBuffer.wrap(bytes);
			writeOnce(src);
			return !src.hasRemaining();
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** The request's body was not all received when the server finished with it. */
	public void inputMayFollow() {
		this.inputMayFollow = true;
	}

	/**
	 * Whether the client may still be sending now that the server is done with the connection:
	 * bytes it sent are unread here, bytes arrived while a worker served it, or a request body
	 * was not all received. (A connection the acceptor never watched, whose only request came with
	 * the handshake, gives no such sign; it is closed at once.) Closing such a socket
	 * makes the kernel answer with a reset, which destroys the end of the response on its way if
	 * the client has not read it yet (RFC 9112 §9.6): {@link #lingerUntil} closes it gently instead.
	 */
	public boolean mayStillSend() {
		return !this.failed && !this.endOfInput && (this.end > this.pos || this.inputMayFollow || this.inputArrived);
	}

	/**
	 * The server is done, but its client may still be sending ({@link #mayStillSend}): shuts the
	 * output (the client reads the response to its end, then end of stream) and waits in
	 * {@link State#CLOSING} until {@code deadline} or until the client closes its side, dropping
	 * what comes meanwhile ({@link #discardInput}). The response must be all written.
	 */
	public void lingerUntil(long deadline) throws IOException {
		this.channel.shutdownOutput();
		this.state = State.CLOSING;
		this.deadline = deadline;
		this.headReady = false;
		bodyDone();
		this.pos = 0;
		this.end = 0;
		shrink();
	}

	/**
	 * CLOSING: reads and drops what the client sent, without waiting, a few buffers at a time (a
	 * fast sender must not keep the acceptor from its other connections; the selector reports
	 * the rest).
	 * @param limit most bytes to drop in all, since {@link #lingerUntil}
	 * @return false when the connection should close now: the client closed its side, the
	 * connection failed, or the client sent more than {@code limit}
	 */
	public boolean discardInput(long limit) {
		ByteBuffer into = ByteBuffer.wrap(this.buf);
		try {
			for (int reads = 0; reads < 16; reads++) {
				into.clear();
				int n = this.channel.read(into);
				if (n < 0) {
					return false;
				}
				if (n == 0) {
					return true;
				}
				this.discarded += n;
				if (this.discarded > limit) {
					return false;
				}
			}
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Writes a short response without waiting (engine errors); gives up if the socket is full. */
	public void writeNowAndClose(byte[] response) {
		try {
			this.channel.write(ByteBuffer.wrap(response));
		}
		catch (IOException ex) {
			// the client is gone; closing is all that is left
		}
		close();
	}

	/**
	 * The states of a connection. The acceptor owns it in the first three, in {@link #SENDING} and in {@link #CLOSING},
	 * a worker in {@link #SERVING}, a suspended async exchange in {@link #SUSPENDED}, its upgraded connection in
	 * {@link #UPGRADED}; in {@link #QUEUED} it belongs to the queue.
	 */
	public enum State {

		/** Receiving a request head. */
		READING_HEAD,
		/** Head parsed; receiving the body, in memory or into a temporary file. */
		COLLECTING_BODY,
		/** Between requests on a persistent connection. */
		IDLE,
		/** A whole request is here, waiting for a worker. */
		QUEUED,
		/** A worker runs the application for it. */
		SERVING,
		/**
		 * The application's response is complete, but the client has not taken all of it: the
		 * acceptor sends the rest ({@link UnsentOutput}), then the connection goes idle or closes.
		 * The write {@code timeout} applies.
		 */
		SENDING,
		/**
		 * Its request went async and holds no worker: the suspended exchange owns the connection,
		 * and the acceptor only watches it for the client going away. Work for the exchange (a
		 * dispatch, a timeout, an error) queues it again ({@link #QUEUED}).
		 */
		SUSPENDED,
		/**
		 * It left HTTP (101 Switching Protocols): no worker holds it; the acceptor reads and
		 * writes it for the upgraded connection, whose callbacks run as queued work on workers.
		 * No engine deadline applies to reading; unsent bytes must progress within the write
		 * {@code timeout}.
		 */
		UPGRADED,
		/**
		 * The server is done with it and has shut its output; the client may still be sending
		 * (a pipelined request, a body the server refused): the acceptor reads and drops what
		 * comes until the client closes, for a short while at most, so that those bytes do not
		 * make the kernel reset the connection under the response (RFC 9112 §9.6).
		 */
		CLOSING,
		/** Closed; nothing more happens. */
		CLOSED;

		/** Whether the acceptor watches the connection and enforces its deadlines. */
		public boolean heldByAcceptor() {
			return this == READING_HEAD || this == COLLECTING_BODY || this == IDLE;
		}

	}

	@Override
	public String toString() {
		return "connection " + this.id + " from " + this.remote;
	}

}
