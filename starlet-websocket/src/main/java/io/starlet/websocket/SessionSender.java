package io.starlet.websocket;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of one session: queues frames on the connection's {@link Outbound} and waits
 * for them as the caller asked, blocking with a timeout ({@code RemoteEndpoint.Basic}) or with a
 * timer that fails the connection ({@code RemoteEndpoint.Async}). It runs no endpoint callback and
 * takes no lock of the session, so any thread may send; {@link WsSession} owns the callbacks and
 * the close, and reaches the queue through {@link #outbound()}.
 */
final class SessionSender {

	private static final Logger logger = LoggerFactory.getLogger(SessionSender.class);

	private final WsSession session;

	private final StarletServerContainer container;

	private final IdleTimeout idle;

	// Set in WsSession.start() before the session opens; volatile for the threads that send
	// without reading the session's open flag first (Remote.data reads it, the timer does not).
	private volatile Outbound outbound;

	SessionSender(WsSession session, StarletServerContainer container, IdleTimeout idle) {
		this.session = session;
		this.container = container;
		this.idle = idle;
	}

	void open(Outbound outbound) {
		this.outbound = outbound;
	}

	/** The connection's output queue, or null before the session started. */
	Outbound outbound() {
		return this.outbound;
	}

	/**
	 * Queues one frame; {@code future} completes when its bytes are handed to the engine. The
	 * caller then calls {@link #drain()}, outside any lock of its own.
	 */
	CompletableFuture<Void> queueFrame(ByteBuffer[] frame, boolean countMessage) {
		CompletableFuture<Void> future = new CompletableFuture<>();
		if (this.outbound == null) {
			future.completeExceptionally(new IOException("The session is not open yet"));
			return future;
		}
		try {
			this.outbound.enqueue(frame, failure -> {
				if (failure == null) {
					future.complete(null);
				}
				else {
					future.completeExceptionally(failure);
				}
			});
			if (countMessage) {
				this.container.sent();
			}
			this.idle.touch();
		}
		catch (IOException ex) {
			future.completeExceptionally(ex);
		}
		return future;
	}

	/** Hands queued frames to the engine while it is ready. */
	void drain() {
		Outbound outbound = this.outbound;
		if (outbound != null) {
			outbound.drain();
		}
	}

	/**
	 * Waits for a blocking send. On the engine's callback thread the wait would stop the
	 * connection's own onWritePossible, so the send returns once queued, with its buffers copied.
	 */
	void await(CompletableFuture<Void> future, long timeoutMs) throws IOException {
		try {
			if (this.session.onCallbackThread()) {
				if (!future.isDone()) {
					this.outbound.detachBuffers();
					return;
				}
				future.get();
				return;
			}
			if (timeoutMs > 0) {
				future.get(timeoutMs, TimeUnit.MILLISECONDS);
			}
			else {
				future.get();
			}
		}
		catch (ExecutionException ex) {
			throw ex.getCause() instanceof IOException io ? io : new IOException(ex.getCause());
		}
		catch (TimeoutException ex) {
			SocketTimeoutException timeout = new SocketTimeoutException("Send not complete after " + timeoutMs + " ms");
			this.outbound.abort(timeout);
			throw timeout;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while sending", ex);
		}
	}

	/** Fails {@code future}'s connection if it is not complete after {@code timeoutMs}. */
	void enforceTimeout(CompletableFuture<Void> future, long timeoutMs) {
		if (timeoutMs > 0 && !future.isDone()) {
			this.container.schedule(() -> {
				if (!future.isDone()) {
					this.outbound.abort(new SocketTimeoutException("Send not complete after " + timeoutMs + " ms"));
				}
			}, timeoutMs);
		}
	}

	/** A control frame that may fail silently: Pong and Close, whose loss the close handling covers. */
	void sendQuietly(ByteBuffer frame) {
		try {
			this.outbound.send(new ByteBuffer[] { frame }, failure -> {
			});
		}
		catch (IOException ex) {
			logger.debug("Session {}: control frame not sent", this.session.getId(), ex);
		}
	}

}
