package io.starlet.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.starlet.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class HandoffTest {

	private final Handoff<Integer> handoff = new Handoff<>();

	@Test
	void withNoIdleWorkerConnectionsWaitOldestFirst() throws Exception {
		this.handoff.offer(1);
		this.handoff.offer(2);
		assertThat(this.handoff.queuedCount()).isEqualTo(2);
		assertThat(this.handoff.queued()).containsExactly(1, 2);
		Handoff.Waiter<Integer> waiter = new Handoff.Waiter<>(Thread.currentThread());
		assertThat(this.handoff.take(waiter, 0, false)).isEqualTo(1);
		assertThat(this.handoff.take(waiter, 0, false)).isEqualTo(2);
		assertThat(this.handoff.hasQueued()).isFalse();
	}

	@Test
	void queuedMoreThanCountsTheBacklog() {
		assertThat(this.handoff.queuedMoreThan(0)).isFalse();
		this.handoff.offer(1);
		this.handoff.offer(2);
		assertThat(this.handoff.queuedMoreThan(0)).isTrue();
		assertThat(this.handoff.queuedMoreThan(1)).isTrue();
		assertThat(this.handoff.queuedMoreThan(2)).isFalse();
		assertThat(this.handoff.queuedMoreThan(5)).isFalse();
	}

	@Test
	void aTakeWithNothingOfferedTimesOutAndLeavesNoIdleWorkerBehind() throws Exception {
		Handoff.Waiter<Integer> waiter = new Handoff.Waiter<>(Thread.currentThread());
		long start = System.nanoTime();
		assertThat(this.handoff.take(waiter, TimeUnit.MILLISECONDS.toNanos(50), false)).isNull();
		// The deadline under test: not given up before it (a loaded machine makes it later only).
		assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
		// the timed-out worker is no longer idle: the next offer waits for someone to take it
		this.handoff.offer(7);
		assertThat(this.handoff.queued()).containsExactly(7);
	}

	@Test
	void anIdleWorkerIsHandedTheConnectionDirectly() throws Exception {
		CountDownLatch taking = new CountDownLatch(1);
		Integer[] got = new Integer[1];
		Thread worker = new Thread(() -> {
			Handoff.Waiter<Integer> waiter = new Handoff.Waiter<>(Thread.currentThread());
			taking.countDown();
			try {
				got[0] = this.handoff.take(waiter, TimeUnit.SECONDS.toNanos(10), false);
			}
			catch (InterruptedException ex) {
				// fails below
			}
		});
		worker.start();
		taking.await();
		Await.parked(worker); // offered to an idle worker, not queued
		this.handoff.offer(42);
		worker.join(10_000);
		assertThat(got[0]).isEqualTo(42);
		assertThat(this.handoff.hasQueued()).isFalse();
	}

	@Test
	void anInterruptedWorkerLosesNoConnection() throws Exception {
		CountDownLatch taking = new CountDownLatch(1);
		AtomicInteger outcome = new AtomicInteger();
		Thread worker = new Thread(() -> {
			Handoff.Waiter<Integer> waiter = new Handoff.Waiter<>(Thread.currentThread());
			taking.countDown();
			try {
				this.handoff.take(waiter, TimeUnit.SECONDS.toNanos(10), false);
				outcome.set(1);
			}
			catch (InterruptedException ex) {
				outcome.set(2);
			}
		});
		worker.start();
		taking.await();
		Await.parked(worker); // interrupted while idle, not before it took its place
		worker.interrupt();
		worker.join(10_000);
		assertThat(outcome).hasValue(2);
		this.handoff.offer(5);
		assertThat(this.handoff.queued()).containsExactly(5);
		Thread.currentThread().interrupt();
		Handoff.Waiter<Integer> waiter = new Handoff.Waiter<>(Thread.currentThread());
		// a queued connection is still handed out first, interrupted or not
		assertThat(this.handoff.take(waiter, 0, false)).isEqualTo(5);
		assertThatExceptionOfType(InterruptedException.class)
			.isThrownBy(() -> this.handoff.take(waiter, TimeUnit.SECONDS.toNanos(1), false));
	}

	@Test
	void underContentionEveryConnectionIsTakenExactlyOnce() throws Exception {
		int offers = 200_000;
		int workers = 6;
		ConcurrentHashMap<Integer, Boolean> taken = new ConcurrentHashMap<>();
		AtomicInteger duplicates = new AtomicInteger();
		CountDownLatch all = new CountDownLatch(offers);
		List<Thread> threads = new ArrayList<>();
		for (int w = 0; w < workers; w++) {
			Thread thread = new Thread(() -> {
				Handoff.Waiter<Integer> waiter = new Handoff.Waiter<>(Thread.currentThread());
				// bounded in time as well as count: a lost connection fails the latch below, not the build
				long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
				while (all.getCount() > 0 && System.nanoTime() < end) {
					try {
						// short timeouts exercise the give-up path against concurrent offers
						Integer c = this.handoff.take(waiter, TimeUnit.MICROSECONDS.toNanos(50), true);
						if (c != null) {
							if (taken.put(c, Boolean.TRUE) != null) {
								duplicates.incrementAndGet();
							}
							all.countDown();
						}
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			thread.start();
			threads.add(thread);
		}
		for (int i = 0; i < offers; i++) {
			this.handoff.offer(i);
			if (i % 1000 == 0) {
				Thread.yield();
			}
		}
		assertThat(all.await(60, TimeUnit.SECONDS)).as("every connection was taken").isTrue();
		for (Thread thread : threads) {
			thread.join(10_000);
		}
		assertThat(duplicates).hasValue(0);
		assertThat(taken).hasSize(offers);
		assertThat(this.handoff.hasQueued()).isFalse();
	}

	@ParameterizedTest(name = "yield first: {0}")
	@ValueSource(booleans = { false, true })
	void aConnectionOfferedWhileWorkersGoIdleIsNeverStranded(boolean yieldFirst) throws Exception {
		// Workers wait up to 30 s; a connection left in the backlog while they park would be
		// found only when one times out, so each one must be taken well before that. One worker,
		// offered the next connection the moment it took the last, races its way back to idle.
		int offers = 100_000;
		AtomicInteger takenCount = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		for (int w = 0; w < 1; w++) {
			Thread thread = new Thread(() -> {
				Handoff.Waiter<Integer> waiter = new Handoff.Waiter<>(Thread.currentThread());
				while (takenCount.get() < offers) {
					try {
						if (this.handoff.take(waiter, TimeUnit.SECONDS.toNanos(30), yieldFirst) != null) {
							takenCount.incrementAndGet();
						}
					}
					catch (InterruptedException ex) {
						return;
					}
					catch (Throwable ex) {
						ex.printStackTrace();
						return;
					}
				}
			});
			thread.start();
			threads.add(thread);
		}
		// Bounded in time as well as count: on a loaded machine each hand-off costs a time slice,
		// and fewer rounds still race the same way.
		long offering = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		int offered = 0;
		try {
			for (int i = 0; i < offers && System.nanoTime() - offering < 0; i++) {
				offered++;
				this.handoff.offer(i);
				// The time is the point: a stranded connection waits for the worker's 30 s park to
				// end; 10 s tells that apart from a loaded machine's scheduling delay. Spinning, not
				// waiting, so that the next offer races the worker's way back to idle.
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
				while (takenCount.get() <= i) {
					assertThat(System.nanoTime()).as("connection %d was taken within 10 s", i).isLessThan(deadline);
					Thread.onSpinWait();
				}
			}
		}
		finally {
			threads.forEach(Thread::interrupt);
			for (Thread thread : threads) {
				thread.join(10_000);
			}
		}
		assertThat(offered).as("rounds raced").isGreaterThanOrEqualTo(1000);
	}

}
