package io.starlet.sample;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent events, each flushed to the client as it is sent ({@code curl -N
 * localhost:8080/stream}). The request holds no Starlet worker while it streams, so subscribers
 * may far outnumber {@code starlet.max-workers}; and no thread waits between two events either:
 * each event is a task on a small timer pool that schedules the next one, so hundreds of streams
 * share a few threads.
 */
@RestController
class StreamController {

	private static final Duration TIMEOUT = Duration.ofMinutes(1);

	private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(4, new ThreadNames());

	/**
	 * @param count how many {@code tick} events to send
	 * @param delay milliseconds between two events
	 */
	@GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter stream(@RequestParam(defaultValue = "5") @Min(1) @Max(100) int count,
			@RequestParam(defaultValue = "1000") @Min(0) @Max(5000) long delay) {
		SseEmitter emitter = new SseEmitter(TIMEOUT.toMillis());
		this.timer.execute(() -> send(emitter, 1, count, delay));
		return emitter;
	}

	/** Sends event {@code n}, then schedules the next one (events of one stream stay in order). */
	private void send(SseEmitter emitter, int n, int count, long delay) {
		try {
			emitter.send(SseEmitter.event().id(Integer.toString(n)).name("tick")
				.data(new Tick(n, count, Instant.now()), MediaType.APPLICATION_JSON));
			if (n == count) {
				emitter.complete();
			}
			else {
				this.timer.schedule(() -> send(emitter, n + 1, count, delay), delay, TimeUnit.MILLISECONDS);
			}
		}
		catch (IOException | IllegalStateException ex) {
			// The client went away or the stream timed out: nobody is left to tell.
			emitter.completeWithError(ex);
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			// shutting down
			emitter.complete();
		}
	}

	@PreDestroy
	void stop() {
		this.timer.shutdownNow();
	}

	record Tick(int n, int of, Instant time) {
	}

	private static final class ThreadNames implements java.util.concurrent.ThreadFactory {

		private final AtomicInteger count = new AtomicInteger();

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = new Thread(task, "sample-stream-" + this.count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
