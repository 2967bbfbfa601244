package io.starlet.worker;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

import io.starlet.Clock;

/**
 * Hands connections whose request has arrived from the acceptor to workers (generic only so
 * that tests can hand over plain objects).
 *
 * <pre>
 *   offer(c) ──▶ an idle worker? ──yes──▶ its slot = c, unpark it
 *                      │
 *                      no ──▶ backlog (oldest first) ◀── take() polls it first
 * </pre>
 *
 * An idle worker waits on a slot of its own, and the worker that became idle last is handed the
 * next connection: its stack and caches are still warm, and under light load the same few
 * threads do all the work. Nothing here takes a lock: a hand-off costs the acceptor one
 * {@code unpark} and the worker one {@code park}.
 *
 * <p>Whether a worker yields once before it parks is the caller's choice, because on two cores
 * it cuts both ways (docs/benchmarks.md). With many more connections than workers (ka256) the
 * acceptor, a single thread, is the bottleneck, and every worker it must wake costs it a system
 * call: a worker that yields first usually finds its next connection already there. With about
 * as many connections as workers (close16, ka16) the yield is a wasted context switch; a
 * {@code LinkedTransferQueue}, which always yields first, spent more CPU per request there.
 *
 * <p>A worker checks the backlog again after it has registered as idle, and an offer that found
 * no idle worker checks for one again after it queued its connection: one of the two always sees
 * the other, so no connection waits while a worker sleeps. If both see each other, the worker
 * keeps one connection and the other goes round again (or the worker is woken with nothing).
 */
final class Handoff<T> {

	/** In a slot: no connection after all; look again. */
	private static final Object NOTHING = new Object();

	/** One per worker; reused across its waits. */
	static final class Waiter<T> {

		final Thread thread;

		/** A connection, {@link #NOTHING}, or null while the worker waits. */
		volatile Object slot;

		Waiter(Thread thread) {
			this.thread = thread;
		}

	}

	private final ConcurrentLinkedQueue<T> backlog = new ConcurrentLinkedQueue<>();

	/** Idle workers, the most recent first. */
	private final ConcurrentLinkedDeque<Waiter<T>> idle = new ConcurrentLinkedDeque<>();

	void offer(T connection) {
		Waiter<T> waiter = this.idle.pollFirst();
		if (waiter != null) {
			fill(waiter, connection);
			return;
		}
		this.backlog.add(connection);
		// A worker may have gone idle after we looked, and looked at the backlog before we added
		// to it: one of us must see the other, so look again.
		if (this.idle.peekFirst() != null && (waiter = this.idle.pollFirst()) != null) {
			T oldest = this.backlog.poll();
			fill(waiter, (oldest != null) ? oldest : NOTHING);
		}
	}

	/** Only the one who removed a waiter from the deque fills its slot, exactly once. */
	private static void fill(Waiter<?> waiter, Object value) {
		waiter.slot = value;
		LockSupport.unpark(waiter.thread);
	}

	/**
	 * The next connection for the calling worker, or null after {@code timeoutNanos}.
	 * @param yieldFirst let the other threads run once before parking, when the next connection
	 * is probably a moment away
	 * @throws InterruptedException if the worker is interrupted; no connection is lost
	 */
	T take(Waiter<T> waiter, long timeoutNanos, boolean yieldFirst) throws InterruptedException {
		// real time, not the engine's clock: how long a worker parks is no policy a test drives
		long deadline = Clock.SYSTEM.nanoTime() + timeoutNanos;
		while (true) {
			T connection = this.backlog.poll();
			if (connection != null) {
				return connection;
			}
			this.idle.addFirst(waiter);
			connection = this.backlog.poll();
			if (connection != null) {
				if (!this.idle.removeFirstOccurrence(waiter)) {
					// an offer removed us meanwhile: what it places goes round again
					reoffer(awaitSlot(waiter));
				}
				return connection;
			}
			if (yieldFirst) {
				Thread.yield();
			}
			Object value = awaitOffer(waiter, deadline);
			if (value != NOTHING) {
				@SuppressWarnings("unchecked")
				T offered = (T) value;
				return offered;
			}
			// woken with nothing: an offer saw us idle while we missed its connection; look again
		}
	}

	/** The value an offer placed in the slot, or null when the deadline passed. */
	private Object awaitOffer(Waiter<T> waiter, long deadline) throws InterruptedException {
		while (true) {
			Object value = waiter.slot;
			if (value != null) {
				waiter.slot = null;
				return value;
			}
			if (Thread.interrupted()) {
				if (!this.idle.removeFirstOccurrence(waiter)) {
					reoffer(awaitSlot(waiter));
				}
				throw new InterruptedException();
			}
			long remaining = deadline - Clock.SYSTEM.nanoTime();
			if (remaining <= 0) {
				if (this.idle.removeFirstOccurrence(waiter)) {
					return null;
				}
				return awaitSlot(waiter);
			}
			LockSupport.parkNanos(this, remaining);
		}
	}

	@SuppressWarnings("unchecked")
	private void reoffer(Object value) {
		if (value != NOTHING) {
			offer((T) value);
		}
	}

	/** What an offer that already removed this waiter from the deque is placing. */
	private static Object awaitSlot(Waiter<?> waiter) {
		Object value;
		while ((value = waiter.slot) == null) {
			Thread.onSpinWait();
			Thread.yield();
		}
		waiter.slot = null;
		return value;
	}

	/** Takes a connection back from the backlog (queue timeout); false if a worker has it. */
	boolean withdraw(T connection) {
		return this.backlog.remove(connection);
	}

	/** Removes the oldest waiting connection, or null (shutdown closes them). */
	T poll() {
		return this.backlog.poll();
	}

	/** The connections waiting for a worker, oldest first (a weakly consistent view). */
	Iterable<T> queued() {
		return this.backlog;
	}

	boolean hasQueued() {
		return !this.backlog.isEmpty();
	}

	int queuedCount() {
		return this.backlog.size();
	}

	/** Whether more than {@code n} connections wait; looks at no more than n + 1 of them. */
	boolean queuedMoreThan(int n) {
		if (n <= 0) {
			return hasQueued();
		}
		int seen = 0;
		for (T ignored : this.backlog) {
			if (++seen > n) {
				return true;
			}
		}
		return false;
	}

}
