package io.starlet.sample;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * A long poll ({@code curl 'localhost:8080/poll?ms=3000'}): the answer comes from a timer thread
 * after the given delay, the way a notification or a job result would. While it waits the
 * request holds no Starlet worker, so a few workers serve any number of waiting polls.
 */
@RestController
class PollController {

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "sample-poll-timer");
		thread.setDaemon(true);
		return thread;
	});

	/** @param ms how long the answer takes */
	@GetMapping(path = "/poll", produces = MediaType.TEXT_PLAIN_VALUE)
	DeferredResult<String> poll(@RequestParam(defaultValue = "3000") @Min(0) @Max(60_000) long ms) {
		DeferredResult<String> result = new DeferredResult<>(ms + 30_000L);
		this.timer.schedule(() -> result.setResult("done after " + ms + " ms"), ms, TimeUnit.MILLISECONDS);
		return result;
	}

	@PreDestroy
	void stop() {
		this.timer.shutdownNow();
	}

}
