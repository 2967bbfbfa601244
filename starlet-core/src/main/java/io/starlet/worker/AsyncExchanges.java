package io.starlet.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchanges that were suspended ({@code startAsync}) and have not ended: their count for
 * stats and graceful shutdown, the timer their async timeouts run on, and their end at stop.
 */
final class AsyncExchanges {

	private static final Logger logger = LoggerFactory.getLogger(AsyncExchanges.class);

	/** Exchanges that were suspended and have not ended, for stop(). */
	private final Set<ServerExchange> exchanges = ConcurrentHashMap.newKeySet();

	/** Async requests that hold no worker now: suspended, or queued for a dispatch/timeout/error. */
	private final AtomicInteger suspended = new AtomicInteger();

	/** Async timeouts: one thread for the server, started with the first one. */
	private volatile ScheduledThreadPoolExecutor timer;

	void started(ServerExchange exchange) {
		this.exchanges.add(exchange);
	}

	void ended(ServerExchange exchange) {
		this.exchanges.remove(exchange);
	}

	void suspendedChanged(int delta) {
		this.suspended.addAndGet(delta);
	}

	/** Async requests that hold no worker right now (suspended, or queued for their work). */
	int suspendedNow() {
		return this.suspended.get();
	}

	ScheduledExecutorService timer() {
		ScheduledThreadPoolExecutor t = this.timer;
		if (t == null) {
			synchronized (this) {
				t = this.timer;
				if (t == null) {
					t = new ScheduledThreadPoolExecutor(1, (runnable) -> {
						Thread thread = new Thread(runnable, "starlet-async-timer");
						thread.setDaemon(true);
						return thread;
					});
					t.setRemoveOnCancelPolicy(true);
					this.timer = t;
				}
			}
		}
		return t;
	}

	/**
	 * Ends the suspended async requests: their connections close, and their abort actions (the
	 * servlet container's onError and onComplete) run on a thread of their own, so that stop()
	 * returns by the deadline even if an application's listener hangs.
	 */
	void stopAll(long deadline) {
		ScheduledThreadPoolExecutor t = this.timer;
		if (t != null) {
			t.shutdownNow();
		}
		if (this.exchanges.isEmpty()) {
			return;
		}
		List<ServerExchange> ending = new ArrayList<>(this.exchanges);
		Thread stopper = new Thread(() -> {
			for (ServerExchange exchange : ending) {
				try {
					exchange.stopNow();
				}
				catch (RuntimeException ex) {
					logger.warn("Ending an async request at stop failed", ex);
				}
			}
		}, "starlet-async-stop");
		stopper.setDaemon(true);
		stopper.start();
		WorkerPool.joinUntil(stopper, deadline);
	}

}
