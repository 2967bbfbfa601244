package io.starlet;

/**
 * The engine's one source of time. {@link #nanoTime()} is monotonic and measures every deadline,
 * timeout, rate and interval (keep-alive, request head, body rate, queue-timeout, spawn-interval,
 * session expiry); {@link #currentTimeMillis()} is the wall clock, for the {@code Date} header,
 * session times and cookie expiry.
 *
 * <p>The server uses {@link #SYSTEM}. A test passes a clock it moves by hand
 * ({@link StarletConfig.Builder#clock}), so that a timeout is a step of the test rather than a
 * wait on a loaded machine.
 *
 * <p>Read on hot paths (a few times per request), so an implementation must be cheap and
 * thread-safe. In production {@link #SYSTEM} is the only implementation loaded: every call site
 * is monomorphic and the JIT inlines it down to the {@code System} call.
 */
public interface Clock {

	/** The system's clocks: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
	Clock SYSTEM = new SystemClock();

	/** Monotonic nanoseconds from an arbitrary origin; compare two readings by subtraction. */
	long nanoTime();

	/** Milliseconds since the epoch (wall-clock time, which may jump). */
	long currentTimeMillis();

}
