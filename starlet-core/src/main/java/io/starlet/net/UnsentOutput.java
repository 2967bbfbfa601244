package io.starlet.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes of a response that a slow client has not taken yet, held in memory (and beyond it in
 * a temporary file) so that the worker that wrote them does not wait for the client. The worker holds what the socket left
 * full for a while ({@link Connection#writeOrHold}); the acceptor sends it as the socket drains
 * ({@code OP_WRITE}), and once the application's response is complete it holds the connection
 * until the last byte is out (the {@code SENDING} state). While bytes are held, the worker's next
 * write sends them first itself, so a client that catches up is sent to by its worker, not byte
 * by byte through the one acceptor thread. A worker waits only when a response outgrows the
 * per-connection limit or the server-wide memory: then, as without this class, the client's pace
 * sets the worker's, and holding stops for the rest of that response.
 *
 * <p>Memory comes first: up to the per-connection limit, within the server-wide budget. Beyond
 * it, the bytes go to a temporary file ({@link UnsentFile}), up to the per-connection file limit,
 * so that a large download to a slow client holds no worker either. Order: while the file has
 * bytes to send, every new byte goes behind them into the file, so whatever memory holds is
 * always older than what the file holds, and memory is sent first. A file that cannot be written
 * (a full disk) makes the worker wait, as the limits do.
 *
 * <p>Threads: the connection's worker writes and may wait; the acceptor sends. Both under this
 * object's monitor. A suspended exchange's application threads never write here: the suspension
 * waits until this is empty first. {@link #isPending} is read without the monitor on every write,
 * so a response the socket takes at once costs one volatile read.
 *
 * <p>The write deadline is the connection's: {@code timeout} from the last time the client took
 * {@link Connection#MIN_WRITE_PROGRESS} bytes (or everything), whoever waits for it.
 */
public final class UnsentOutput {

	private static final Logger logger = LoggerFactory.getLogger(UnsentOutput.class);

	private static final TemporaryFile.FailureWarning fileFailure = new TemporaryFile.FailureWarning(logger);

	/**
	 * What bounds the unsent bytes and who sends them; one per server.
	 * @param limitPerConnection most bytes one connection holds in memory
	 * @param budget the heap all connections' held bytes may take together
	 * @param fileLimitPerConnection most bytes one connection's temporary file takes; 0 = no file
	 * @param fileDirectory where the temporary files go
	 * @param fileBytes bytes held in temporary files now, server-wide (for stats)
	 * @param sendLater asks the acceptor to send a connection's held bytes as its socket drains
	 */
	public record Policy(int limitPerConnection, BufferBudget budget, long fileLimitPerConnection, Path fileDirectory,
			AtomicLong fileBytes, Consumer<Connection> sendLater) {
	}

	private final Connection connection;

	private final Policy policy;

	private final SendQueue queue = new SendQueue();

	/** What memory had no room for, behind {@link #queue}; null when nothing is in a file. */
	private UnsentFile file;

	/**
	 * Bytes reserved from the budget: what the queue holds, except after a send that failed
	 * part-way, whose bytes left the queue but were never given back; {@link #fail} gives them.
	 */
	private long reserved;

	/** When the client last took enough to move the deadline ({@code Clock.nanoTime}). */
	private long lastProgress;

	private long progressSince;

	private boolean failed;

	private boolean waiting;

	/** The current response outgrew what may be held: the worker writes the rest itself. */
	private boolean overflowed;

	/** The worker appends to the file outside the monitor: the acceptor must not delete it. */
	private boolean appending;

	private volatile boolean pending;

	UnsentOutput(Connection connection, Policy policy) {
		this.connection = connection;
		this.policy = policy;
	}

	/** Whether bytes wait to be sent: a write must go behind them. */
	public boolean isPending() {
		return this.pending;
	}

	/**
	 * Worker: writes {@code src} behind what is held. What is held goes first, as far as the socket
	 * takes it now; if that empties the queue, {@code src} is written straight to the socket, so a
	 * client that keeps up is sent to by its worker, not through the acceptor. What the socket does
	 * not take is held, in memory or in the file, if the limits and the budget have room; the
	 * acceptor is asked to send it when it is the first byte held.
	 * @return false when there was no room: {@code src}'s remaining bytes are neither sent nor held,
	 * and the caller waits until what is held is sent ({@link #awaitSent}), then writes them
	 * itself; holding stops for the rest of the response
	 */
	boolean write(ByteBuffer src) throws IOException {
		UnsentFile appendTo = null;
		boolean toFile = false;
		boolean askAcceptor;
		synchronized (this) {
			if (this.failed) {
				throw new IOException("the client stopped taking the response");
			}
			// with nothing held the caller has just tried the socket (or the acceptor emptied the
			// queue a moment ago, and holding these bytes is as right): no second try
			boolean wasHeld = !isEmpty();
			if (wasHeld) {
				sendQueued();
			}
			if (isEmpty()) {
				this.pending = false;
				if (wasHeld) {
					writeNow(src);
					if (!src.hasRemaining()) {
						return true;
					}
				}
			}
			if (this.overflowed) {
				return false;
			}
			int n = src.remaining();
			askAcceptor = isEmpty();
			if ((this.file == null || this.file.pending() == 0) && this.queue.size() + n <= this.policy.limitPerConnection()
					&& this.policy.budget().reserve(n)) {
				this.reserved += n;
				this.queue.add(src);
				held(askAcceptor);
			}
			else {
				long fileLimit = this.policy.fileLimitPerConnection();
				if (fileLimit <= 0 || ((this.file != null) ? this.file.size() : 0) + n > fileLimit) {
					this.overflowed = true;
					return false;
				}
				// the disk may be slow: the file is written outside the monitor, so that the
				// acceptor sending this connection's earlier bytes never waits for it
				this.appending = true;
				appendTo = this.file;
				toFile = true;
			}
		}
		if (toFile) {
			return appendToFile(src, appendTo);
		}
		if (askAcceptor) {
			this.policy.sendLater().accept(this.connection);
		}
		return true;
	}

	/**
	 * Under the monitor: bytes are held now.
	 * @param first whether they are the first: the acceptor must then be asked to send them
	 */
	private void held(boolean first) {
		if (first) {
			this.lastProgress = this.connection.clock().nanoTime();
			this.progressSince = 0;
		}
		this.pending = true;
	}

	/**
	 * Worker, outside the monitor: appends {@code src} to the file (created first if there is none)
	 * at its end, which the acceptor does not read until this publishes it. The acceptor meanwhile
	 * sends what was held before, and does not delete the file while this appends.
	 */
	private boolean appendToFile(ByteBuffer src, UnsentFile existing) throws IOException {
		int before = src.position();
		UnsentFile target = existing;
		Exception failure = null;
		try {
			if (target == null) {
				target = UnsentFile.create(this.policy.fileDirectory(), this.policy.fileBytes());
			}
			target.append(src);
		}
		catch (IOException | RuntimeException ex) {
			// a full disk, a missing or forbidden directory, or the connection failed meanwhile
			failure = ex;
		}
		int n = src.position() - before;
		boolean askAcceptor;
		synchronized (this) {
			this.appending = false;
			if (this.failed) {
				// fail() deleted the file it knew; one created meanwhile goes too
				if (target != null && target != this.file) {
					target.delete();
				}
				throw new IOException("the client stopped taking the response");
			}
			if (target != null && this.file == null) {
				this.file = target;
			}
			askAcceptor = isEmpty();
			if (n > 0) {
				target.published(n);
			}
			if (failure != null) {
				this.overflowed = true;
				if (target != null && target.pending() == 0) {
					target.delete();
					this.file = null;
				}
			}
			if (isEmpty()) {
				askAcceptor = false;
			}
			else {
				held(askAcceptor);
			}
		}
		if (askAcceptor) {
			this.policy.sendLater().accept(this.connection);
		}
		if (failure != null) {
			warnAboutFile(failure);
			return false;
		}
		return true;
	}

	private void warnAboutFile(Exception ex) {
		fileFailure.log(this.connection.clock().nanoTime(), "Could not hold a response for a slow client in a "
				+ "temporary file in {} ({}); its worker waits for the client", this.policy.fileDirectory(), ex.toString());
	}

	/** Whether nothing is held; under the monitor. */
	private boolean isEmpty() {
		return this.queue.isEmpty() && (this.file == null || this.file.pending() == 0);
	}

	/**
	 * Acceptor: sends what the socket takes now.
	 * @return true when nothing is left
	 * @throws IOException the client is gone; what was held is dropped
	 */
	public boolean send() throws IOException {
		synchronized (this) {
			if (!isEmpty()) {
				sendQueued();
			}
			boolean empty = isEmpty();
			if (empty) {
				this.pending = false;
			}
			return empty;
		}
	}

	/** Writes what the socket takes of the queue, then of the file, now; under the monitor. */
	private void sendQueued() throws IOException {
		long n = 0;
		if (!this.queue.isEmpty()) {
			n = writeNow(() -> this.queue.writeTo(this.connection.channel()));
			this.reserved -= n;
			this.policy.budget().release(n);
		}
		UnsentFile f = this.file;
		if (this.queue.isEmpty() && f != null) {
			n += writeNow(() -> f.sendTo(this.connection.channel()));
			if (f.pending() == 0 && !this.appending) {
				f.delete();
				this.file = null;
			}
		}
		if (n > 0 && this.waiting) {
			notifyAll();
		}
	}

	/** Writes what the socket takes of {@code src} now; under the monitor. */
	private void writeNow(ByteBuffer src) throws IOException {
		writeNow(() -> {
			long total = 0;
			int n;
			while (src.hasRemaining() && (n = this.connection.channel().write(src)) > 0) {
				total += n;
			}
			return total;
		});
	}

	private interface Write {

		long write() throws IOException;

	}

	/** One write to the socket: counts the client's progress; a failure drops what is held. */
	private long writeNow(Write write) throws IOException {
		long n;
		try {
			n = write.write();
		}
		catch (IOException ex) {
			// the client's doing: a worker still serving it must not take it for an application
			// error when its next write fails
			this.connection.markFailed();
			fail();
			throw ex;
		}
		if (n > 0) {
			this.progressSince += n;
			if (this.progressSince >= Connection.MIN_WRITE_PROGRESS || isEmpty()) {
				this.progressSince = 0;
				this.lastProgress = this.connection.clock().nanoTime();
			}
		}
		return n;
	}

	/** Worker: a new response starts; it may be held again. */
	synchronized void responseStarted() {
		this.overflowed = false;
	}

	/** Whether the client has taken nothing worth counting for {@code timeoutNanos} up to {@code now}. */
	public synchronized boolean stalled(long now, long timeoutNanos) {
		return this.pending && now - (this.lastProgress + timeoutNanos) > 0;
	}

	/**
	 * Worker: waits until everything held is sent (before the connection leaves the worker's
	 * hands for good: a suspension, an upgrade, or a write that found no room).
	 * @throws SocketTimeoutException the client took too little for {@code timeoutNanos}; the
	 * connection is closed, since what was held can no longer go out in order
	 */
	void awaitSent(long timeoutNanos) throws IOException {
		synchronized (this) {
			try {
				while (!isEmpty()) {
					if (this.failed) {
						throw new IOException("the client stopped taking the response");
					}
					long left = this.lastProgress + timeoutNanos - this.connection.clock().nanoTime();
					if (left <= 0) {
						break;
					}
					this.waiting = true;
					// a slice at most: a test's clock moves without notifying this monitor
					wait(Math.max(1, Math.min(100, left / 1_000_000)));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("interrupted while the client took the response");
			}
			finally {
				this.waiting = false;
			}
			if (isEmpty()) {
				return;
			}
		}
		this.connection.markFailed();
		this.connection.close();
		throw new SocketTimeoutException("write timed out: the client stopped reading");
	}

	/** Drops what is held (the connection closed or failed) and wakes a waiting worker. */
	synchronized void fail() {
		this.failed = true;
		this.queue.clear();
		this.pending = false;
		if (this.reserved > 0) {
			this.policy.budget().release(this.reserved);
			this.reserved = 0;
		}
		if (this.file != null) {
			this.file.delete();
			this.file = null;
		}
		notifyAll();
	}

}
