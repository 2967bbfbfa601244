package io.starlet.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.starlet.Clock;

/**
 * A {@link Clock} that moves only when a test says so: both its monotonic and its wall-clock
 * time advance together, by exactly the step asked for. Pass it to
 * {@code StarletConfig.Builder.clock} (the engine's deadlines) and to
 * {@code ContainerSettings.Builder.clock} (sessions, cookies, the resource cache), then step past
 * a timeout instead of waiting for it.
 *
 * <p>A server sleeps in {@code select} until its nearest deadline, measured on its own: after a
 * move it must look again. {@link #onMove} registers what does that (the test fixtures register
 * the server's package-private hook), and every move runs those before it returns, so that what
 * the move expired has happened when {@link #advance} returns. Thread-safe.
 */
public final class ManualClock implements Clock {

	/** An arbitrary start, far from 0 so that no "unset" 0 in the engine is mistaken for a time. */
	private static final long START_NANOS = Duration.ofDays(1).toNanos();

	/** 2026-01-01T00:00:00Z: a fixed wall-clock start makes dates in responses predictable. */
	public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

	private long nanos = START_NANOS;

	private long millis = START.toEpochMilli();

	@Override
	public synchronized long nanoTime() {
		return this.nanos;
	}

	@Override
	public synchronized long currentTimeMillis() {
		return this.millis;
	}

	/** Moves both times forward by {@code step} (not backward: the monotonic time never does). */
	public void advance(Duration step) {
		if (step.isNegative()) {
			throw new IllegalArgumentException("A clock's monotonic time does not go back: " + step);
		}
		synchronized (this) {
			this.nanos += step.toNanos();
			this.millis += step.toMillis();
		}
		moved();
	}

	/** Sets the wall-clock time (it may jump either way, as the system's can); the monotonic one stays. */
	public void setWallClock(Instant now) {
		synchronized (this) {
			this.millis = now.toEpochMilli();
		}
		moved();
	}

	/** The wall-clock time now. */
	public Instant instant() {
		return Instant.ofEpochMilli(currentTimeMillis());
	}

	/**
	 * Runs {@code listener} after every move, on the thread that moved the clock, before the move
	 * returns.
	 * @return what removes it again
	 */
	public Runnable onMove(Runnable listener) {
		this.listeners.add(listener);
		return () -> this.listeners.remove(listener);
	}

	private void moved() {
		// outside the lock: a listener waits for threads that read this clock
		for (Runnable listener : this.listeners) {
			listener.run();
		}
	}

	@Override
	public String toString() {
		return "ManualClock[" + instant() + "]";
	}

}
