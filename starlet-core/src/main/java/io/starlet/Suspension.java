package io.starlet;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * A suspended {@link Exchange}: the request is still open, but no worker is held for it. Obtained
 * from {@link Exchange#suspend()} on the worker that runs the handler; the servlet container uses
 * it for {@code startAsync}.
 *
 * <pre>
 *   handler returns ──▶ SUSPENDED ──resume(work)──▶ QUEUED ──a worker takes it──▶ RUNNING ──┐
 *        ▲                 │  ▲                                                          │
 *        │                 │  └──────────── the work returns, nothing else to do ◀────────┘
 *        │                 │ finish() from any thread
 *        │                 ▼
 *        │               DONE (response completed, connection handed back or closed)
 *        └─ finish() on the worker while it runs the handler or work: done when that returns
 * </pre>
 *
 * <ul>
 * <li>{@link #resume(Runnable)} is new work for a worker: it queues like a request (within
 * {@code max-workers}) and runs with the exchange still suspended.</li>
 * <li>{@link #finish()} completes the response (ends the body, drains what is left of the request
 * body) on the calling thread, and hands the connection back for keep-alive or closes it. Called
 * on a worker that runs the handler or work of this exchange, it takes effect when that returns;
 * while work is queued, after that work.</li>
 * <li>Writes to {@link Exchange#responseBody()} are allowed from any thread; a {@code flush()}
 * sends to the client at once, each write bounded by the write {@code timeout}.</li>
 * </ul>
 *
 * All methods may be called from any thread.
 */
public interface Suspension {

	/** Queues {@code work} for a worker; ignored once the exchange is done or the server stopped. */
	void resume(Runnable work);

	/** Completes the exchange (see the class comment). Idempotent. */
	void finish();

	/**
	 * Ends the exchange without completing the response: the connection is closed (an application
	 * that failed after the response was committed). Idempotent.
	 */
	void abort();

	/**
	 * After {@code millis} (0: never), queues {@code work} for a worker, as {@link #resume} does.
	 * Replaces the timeout set before. The timer is one thread for the whole server; the work
	 * itself runs on a worker.
	 */
	void timeout(long millis, Runnable work);

	/**
	 * What to do when the exchange is lost while suspended: the client closed the connection,
	 * resumed work waited longer than {@code queue-timeout} for a worker (the client got a
	 * {@code 503} if nothing was committed), or the server stops. The connection is closed by then
	 * and queued work is dropped; the action runs on a worker (on the stopping thread at
	 * {@code stop()}) and should end the exchange with {@link #finish()}.
	 */
	void onAbort(Consumer<IOException> action);

}
