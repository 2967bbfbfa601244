package io.starlet.worker;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Clock;

/**
 * Whether the {@link Acceptor}'s listeners are armed. They are disarmed at
 * {@code max-connections}, when new clients wait in the kernel's backlog until connections close,
 * and when {@code accept} fails (out of file descriptors), for a back-off that doubles up to a
 * second instead of spinning on the listeners' readiness; one line is logged when that starts and
 * one when accepting works again. Acceptor thread only.
 */
final class ListenerGate {

	private static final Logger logger = LoggerFactory.getLogger(ListenerGate.class);

	/** First and shortest pause after {@code accept} failed (EMFILE, ENFILE, ...). */
	private static final long BACKOFF_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long BACKOFF_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final Selector selector;

	private final Clock clock;

	/** Whether the listeners' keys are armed (off at max-connections and during a back-off). */
	private boolean open = true;

	/** Until when accepting pauses after a failure; 0 when it is not failing. */
	private long pausedUntil;

	private long backoffNanos;

	/** Failed accepts in the current episode, reported when accepting works again. */
	private long failures;

	ListenerGate(Selector selector, Clock clock) {
		this.selector = selector;
		this.clock = clock;
	}

	boolean isOpen() {
		return this.open;
	}

	/** How long the acceptor may sleep in select: no longer than the back-off left. */
	long selectMillis(long tickMillis) {
		if (this.open || this.pausedUntil == 0) {
			return tickMillis;
		}
		return Math.max(1, Math.min(tickMillis, TimeUnit.NANOSECONDS.toMillis(this.pausedUntil - this.clock.nanoTime())));
	}

	/** The limit of open connections is reached: the rest wait in the kernel's backlog. */
	void closeAtLimit() {
		arm(false);
	}

	/**
	 * Out of file descriptors (or another failure the next accept would repeat at once): stop
	 * watching the listeners for a while, and say so once.
	 */
	void acceptFailed(IOException ex) {
		if (this.failures++ == 0) {
			logger.warn("accept failed: {}; pausing new connections (logged once until accepting works again)",
					ex.toString());
			this.backoffNanos = BACKOFF_MIN_NANOS;
		}
		else {
			this.backoffNanos = Math.min(BACKOFF_MAX_NANOS, 2 * this.backoffNanos);
		}
		this.pausedUntil = this.clock.nanoTime() + this.backoffNanos;
		arm(false);
	}

	void acceptSucceeded() {
		if (this.failures > 0) {
			logger.info("accepting connections again after {} failed attempt(s)", this.failures);
			this.failures = 0;
		}
		this.pausedUntil = 0;
	}

	/** Re-arms the listeners once a back-off has passed and connections are below the limit. */
	void reopen(long now, boolean belowLimit) {
		if (this.open) {
			return;
		}
		if (this.pausedUntil != 0 && now - this.pausedUntil < 0) {
			return;
		}
		if (belowLimit) {
			arm(true);
		}
	}

	private void arm(boolean on) {
		this.open = on;
		for (SelectionKey key : this.selector.keys()) {
			if (key.channel() instanceof ServerSocketChannel && key.isValid()) {
				key.interestOps(on ? SelectionKey.OP_ACCEPT : 0);
			}
		}
	}

}
