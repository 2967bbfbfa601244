package io.starlet;

import java.io.IOException;

/**
 * A connection that left HTTP ({@code 101 Switching Protocols}), obtained from
 * {@link Exchange#upgrade(Upgrade.Listener)}. No worker is held for it: the acceptor watches the
 * socket, and each event becomes a callback of the {@link Listener} that runs as queued work on a
 * worker (within {@code max-workers}, never answered 503, and {@code queue-timeout} does not
 * apply). For one connection at most one callback runs at a time, in the order of the events.
 *
 * <ul>
 * <li>Input: bytes the client sent are buffered by the engine; {@link Listener#onReadable()}
 * says some are there, and {@link #read} takes them without blocking. Once the buffer is empty
 * when a callback returns (or {@link #demand()} is called), the acceptor reads the socket again;
 * while bytes stay buffered it does not (that is the application's back-pressure).</li>
 * <li>Output: {@link #write} appends to the connection's outbound buffer and never blocks;
 * {@link #flush()} starts sending (directly when nothing is queued, else the acceptor finishes).
 * {@link #isWriteReady()} is false while more than {@link #WRITE_READY_LIMIT} bytes are unsent,
 * and {@link Listener#onWritable()} follows when they drain below it. Unsent bytes that make no
 * progress for the write {@code timeout} end the connection with a
 * {@link java.net.SocketTimeoutException} to {@link Listener#onError}.</li>
 * <li>End: {@link #close()}, the client's end of input (after {@link Listener#onEndOfInput()}
 * returns), an error, or the server's stop; {@link Listener#onClosed()} then runs exactly once.</li>
 * </ul>
 *
 * All methods may be called from any thread.
 */
public interface Upgrade {

	/** Unsent bytes above which {@link #isWriteReady()} is false. */
	int WRITE_READY_LIMIT = 64 * 1024;

	/**
	 * Unsent bytes beyond which a write made while not ready ({@link #isWriteReady()} false) fails
	 * instead of buffering more. A write made while ready is taken whole, however large.
	 */
	int WRITE_CAP = 16 * WRITE_READY_LIMIT;

	/** Bytes buffered that {@link #read} returns without blocking. */
	int available();

	/**
	 * Takes buffered bytes without blocking.
	 * @return bytes copied; 0 when none are buffered; -1 once the client ended its input and all
	 * was read
	 */
	int read(byte[] b, int off, int len);

	/** Whether the client ended its input and every byte of it was read. */
	boolean isInputFinished();

	/**
	 * Asks for {@link Listener#onReadable()}: queued at once if bytes are buffered, else when
	 * some arrive. Needed only after a callback returned with bytes left unread.
	 */
	void demand();

	/**
	 * Appends to the outbound buffer; sends nothing by itself until {@link #flush()} (or the
	 * buffer passes {@link #WRITE_READY_LIMIT}, when sending starts on its own).
	 * @throws IOException when the connection is closed, or when it is not ready and more than
	 * {@link #WRITE_CAP} bytes would be unsent
	 */
	void write(byte[] b, int off, int len) throws IOException;

	/** Starts sending what is buffered; never waits. */
	void flush() throws IOException;

	/**
	 * Whether no more than {@link #WRITE_READY_LIMIT} bytes are unsent. When it returns false,
	 * {@link Listener#onWritable()} runs once they drain below.
	 */
	boolean isWriteReady();

	/**
	 * Asks for {@link Listener#onWritable()} once the output is ready: queued at once if no more
	 * than {@link #WRITE_READY_LIMIT} bytes are unsent, else when they drain below.
	 */
	void demandWritable();

	/**
	 * Sends what is buffered (bounded by the write {@code timeout}), then closes the socket.
	 * Idempotent.
	 */
	void close();

	boolean isOpen();

	/** The application's side of an upgraded connection: its callbacks run on workers. */
	interface Listener {

		/**
		 * The {@code 101} head has been written: runs first, on the worker that served the
		 * handshake. Bytes the client sent behind its request are already buffered.
		 */
		void onUpgraded() throws Exception;

		/** Bytes are buffered for {@link Upgrade#read} (never called with none). */
		void onReadable() throws Exception;

		/** The client ended its input; the connection is closed when this returns. */
		void onEndOfInput() throws Exception;

		/** Unsent bytes drained below the limit after {@link Upgrade#isWriteReady()} was false. */
		void onWritable() throws Exception;

		/**
		 * A read or write failed, timed out, or a callback threw; the connection is closed
		 * right after, without flushing.
		 */
		void onError(Throwable error);

		/** The connection is over, whatever ended it; the last callback, exactly once. */
		void onClosed();

	}

}
