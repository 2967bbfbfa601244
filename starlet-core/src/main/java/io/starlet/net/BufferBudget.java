package io.starlet.net;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that request bodies collected in memory may take across the whole server. A body
 * that finds no room here goes to a temporary file instead, so many uploads at once cannot
 * exhaust the heap, however small each one is.
 */
public final class BufferBudget {

	private final long max;

	private final AtomicLong used = new AtomicLong();

	/** @param max most bytes reserved at once; 0 keeps every body beyond the usual buffer on disk */
	public BufferBudget(long max) {
		this.max = max;
	}

	/** Reserves {@code bytes}; false, reserving nothing, when that would go over the maximum. */
	public boolean reserve(long bytes) {
		while (true) {
			long now = this.used.get();
			if (now + bytes > this.max) {
				return false;
			}
			if (this.used.compareAndSet(now, now + bytes)) {
				return true;
			}
		}
	}

	public void release(long bytes) {
		this.used.addAndGet(-bytes);
	}

	/** Bytes reserved now. */
	public long used() {
		return this.used.get();
	}

	public long max() {
		return this.max;
	}

}
