package io.starlet.sample;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent events, each flushed to the client as it is sent ({@code curl -N
 * localhost:8080/stream}). The events are produced on Spring Boot's application task executor;
 * the request holds no worker while it streams, so subscribers may outnumber
 * {@code starlet.max-workers}.
 */
@RestController
class StreamController {

	private static final Duration TIMEOUT = Duration.ofMinutes(1);

	private final TaskExecutor executor;

	StreamController(@Qualifier("applicationTaskExecutor") TaskExecutor executor) {
		this.executor = executor;
	}

	/**
	 * @param count how many {@code tick} events to send
	 * @param delay milliseconds between two events
	 */
	@GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter stream(@RequestParam(defaultValue = "5") @Min(1) @Max(100) int count,
			@RequestParam(defaultValue = "1000") @Min(0) @Max(5000) long delay) {
		SseEmitter emitter = new SseEmitter(TIMEOUT.toMillis());
		this.executor.execute(() -> send(emitter, count, delay));
		return emitter;
	}

	private void send(SseEmitter emitter, int count, long delay) {
		try {
			for (int n = 1; n <= count; n++) {
				if (n > 1) {
					Thread.sleep(delay);
				}
				emitter.send(SseEmitter.event().id(Integer.toString(n)).name("tick")
					.data(new Tick(n, count, Instant.now()), MediaType.APPLICATION_JSON));
			}
			emitter.complete();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			emitter.complete();
		}
		catch (IOException | IllegalStateException ex) {
			// The client went away or the stream timed out: nobody is left to tell.
			emitter.completeWithError(ex);
		}
	}

	record Tick(int n, int of, Instant time) {
	}

}
