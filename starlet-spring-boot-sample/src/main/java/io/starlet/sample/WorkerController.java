package io.starlet.sample;

import io.starlet.WorkerInfo;
import io.starlet.servlet.ServletContainer;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Which Starlet worker served the request, and how many requests it has left before it retires.
 * {@code ?retire=true} asks the worker to retire right after this response (Starlet's
 * "harakiri"); a fresh worker takes its place.
 */
@RestController
class WorkerController {

	private static final long PID = ProcessHandle.current().pid();

	@GetMapping("/worker")
	WorkerReport worker(HttpServletRequest request, @RequestParam(defaultValue = "false") boolean retire) {
		if (retire) {
			request.setAttribute(ServletContainer.HARAKIRI_ATTRIBUTE, Boolean.TRUE);
		}
		Object attribute = request.getAttribute(ServletContainer.WORKER_ATTRIBUTE);
		if (!(attribute instanceof WorkerInfo worker)) {
			// Not served by Starlet (a MockMvc test, say): there is no worker to describe.
			return new WorkerReport(PID, null, null, null, null, null, false);
		}
		// A retiring worker serves nothing after this response, whatever its budget says.
		long left = retire ? 0 : worker.requestsLeft();
		return new WorkerReport(PID, worker.name(), worker.id(), worker.requestsServed(), worker.requestBudget(), left,
				retire);
	}

	/**
	 * @param pid the JVM's process id, which tells instances (and hot-deploy generations) apart
	 * @param requestsServed requests this worker has served, this one included
	 * @param requestsLeft requests left in its budget after this one (0 when it retires)
	 * @param retiring whether the worker retires after this response
	 */
	record WorkerReport(long pid, String worker, Integer id, Long requestsServed, Long requestBudget,
			Long requestsLeft, boolean retiring) {
	}

}
