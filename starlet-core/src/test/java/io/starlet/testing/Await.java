package io.starlet.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for observable state (a stats gauge, a socket, a thread's state) instead of for time:
 * a test that waits on what it needs is as fast as the machine allows and as slow as it must be
 * on a loaded one. The patience is long because only a broken server uses it up.
 */
public final class Await {

	/** How long a condition may take before the test fails: far more than a loaded CI needs. */
	public static final Duration PATIENCE = Duration.ofSeconds(20);

	private Await() {
	}

	/**
	 * Returns once {@code condition} holds; fails with {@code what} after {@link #PATIENCE}.
	 * Checks every few milliseconds: the pause is the polling interval, not a guess at timing.
	 */
	public static void until(String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + PATIENCE.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
			}
			Thread.sleep(2);
		}
	}

	/** Returns once {@code thread} waits (parked, in {@code wait} or a timed wait). */
	public static void parked(Thread thread) throws InterruptedException {
		until(thread.getName() + " parks", () -> thread.getState() == Thread.State.WAITING
				|| thread.getState() == Thread.State.TIMED_WAITING);
	}

}
