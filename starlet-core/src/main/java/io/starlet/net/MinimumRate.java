package io.starlet.net;

import java.util.concurrent.TimeUnit;

/**
 * The least rate at which a request body must arrive ({@code min-request-body-rate}, Kestrel's
 * minimum data rate): once the grace has passed, the bytes received must average at least
 * {@code bytesPerSecond} since the body started. One formula for both places that enforce it:
 * the acceptor collecting a body, and a worker reading a streamed one.
 */
public final class MinimumRate {

	private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

	private final long bytesPerSecond;

	private final long graceNanos;

	/** {@code bytesPerSecond} 0 means no minimum. */
	public MinimumRate(long bytesPerSecond, long graceNanos) {
		this.bytesPerSecond = bytesPerSecond;
		this.graceNanos = graceNanos;
	}

	public boolean applies() {
		return this.bytesPerSecond > 0;
	}

	public long bytesPerSecond() {
		return this.bytesPerSecond;
	}

	/**
	 * Until when ({@link io.starlet.Clock#nanoTime}) {@code received} bytes keep a body that started at
	 * {@code start} above the rate: the time they are due at the rate, and never before the grace
	 * ends. Only when {@link #applies()}.
	 */
	public long deadline(long start, long received) {
		// split so that received * 10^9 cannot overflow for a body of any size
		long due = (received / this.bytesPerSecond) * NANOS_PER_SECOND
				+ (received % this.bytesPerSecond) * NANOS_PER_SECOND / this.bytesPerSecond;
		return start + Math.max(this.graceNanos, due);
	}

	/** Whether a body that started at {@code start} has fallen below the rate by {@code now}. */
	public boolean isBehind(long start, long received, long now) {
		return applies() && now - deadline(start, received) > 0;
	}

}
