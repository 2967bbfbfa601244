package io.starlet.worker;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.starlet.http.Violation;

/**
 * The pool's counters for {@link io.starlet.ServerStats}: requests started, workers busy now,
 * retirements by reason, and the engine's own answers by status and by violation. Written by
 * workers and the acceptor without a lock; read as a snapshot by {@link WorkerPool#stats()}.
 */
final class PoolCounters {

	private final LongAdder requests = new LongAdder();

	private final AtomicInteger busy = new AtomicInteger();

	private final Map<String, LongAdder> retirements = new ConcurrentHashMap<>();

	private final Map<Integer, LongAdder> rejections = new ConcurrentHashMap<>();

	private final Map<Violation, LongAdder> violations = new ConcurrentHashMap<>();

	void requestStarted() {
		this.requests.increment();
	}

	void busy(boolean nowBusy) {
		if (nowBusy) {
			this.busy.incrementAndGet();
		}
		else {
			this.busy.decrementAndGet();
		}
	}

	void retired(String reason) {
		this.retirements.computeIfAbsent(reason, r -> new LongAdder()).increment();
	}

	/** Counts a response the engine made itself, by its violation and its status. */
	void rejected(Violation violation) {
		this.violations.computeIfAbsent(violation, v -> new LongAdder()).increment();
		this.rejections.computeIfAbsent(violation.status(), s -> new LongAdder()).increment();
	}

	long requests() {
		return this.requests.sum();
	}

	int busyNow() {
		return this.busy.get();
	}

	Map<String, Long> retirements() {
		return sums(this.retirements);
	}

	Map<Integer, Long> rejectionsByStatus() {
		return sums(this.rejections);
	}

	Map<String, Long> violationsByName() {
		Map<String, Long> sums = new TreeMap<>();
		this.violations.forEach((violation, count) -> sums.put(violation.name(), count.sum()));
		return sums;
	}

	private static <K> Map<K, Long> sums(Map<K, LongAdder> counters) {
		Map<K, Long> sums = new TreeMap<>();
		counters.forEach((key, count) -> sums.put(key, count.sum()));
		return sums;
	}

}
