package io.starlet.websocket;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.CloseReason;

/**
 * The idle timeout of one session ({@code Session.setMaxIdleTimeout}): remembers the last
 * activity in either direction and closes the session with 1001 once none happened for the
 * timeout. One timer task at a time, rescheduled for the time that remains when it fires rather
 * than on every message, so a busy session costs no scheduling.
 */
final class IdleTimeout {

	private final WsSession session;

	private final StarletServerContainer container;

	private volatile long timeoutMs;

	private volatile long lastActivity = System.nanoTime();

	private volatile ScheduledFuture<?> check;

	IdleTimeout(WsSession session, StarletServerContainer container, long timeoutMs) {
		this.session = session;
		this.container = container;
		this.timeoutMs = timeoutMs;
	}

	long timeoutMs() {
		return this.timeoutMs;
	}

	/** A frame went out or bytes came in. */
	void touch() {
		this.lastActivity = System.nanoTime();
	}

	/** The session is open: start counting. */
	void start() {
		schedule(this.timeoutMs);
	}

	/** A new timeout, counted from now; before the session {@code started} it is only kept. */
	void change(long timeoutMs, boolean started) {
		this.timeoutMs = timeoutMs;
		cancel();
		touch();
		if (started) {
			schedule(timeoutMs);
		}
	}

	void cancel() {
		ScheduledFuture<?> check = this.check;
		if (check != null) {
			check.cancel(false);
		}
	}

	private void schedule(long delayMs) {
		if (delayMs > 0 && this.session.isOpen()) {
			this.check = this.container.schedule(this::fire, delayMs);
		}
	}

	private void fire() {
		long timeout = this.timeoutMs;
		if (!this.session.isOpen() || timeout <= 0) {
			return;
		}
		long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.lastActivity);
		if (idleMs < timeout || this.session.inCallback()) {
			// Active since, or a message is being handled right now: not idle.
			schedule(Math.max(1, timeout - idleMs));
			return;
		}
		this.session.closeQuietly(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "Idle timeout of " + timeout + " ms"));
	}

}
