package io.starlet;

/**
 * A read-only view of one worker, given to handlers ({@link Exchange#worker()}) and to
 * {@link ChildExitHook}s.
 */
public interface WorkerInfo {

	/** The worker's number, 1-based and never reused while the server runs. */
	int id();

	/** The worker's thread name, {@code starlet-worker-N}. */
	String name();

	/** Requests this worker has started to serve, including the current one. */
	long requestsServed();

	/** This worker's request budget (drawn from [min-reqs-per-child, max-reqs-per-child]). */
	long requestBudget();

	/** Requests left in the budget after the current one. */
	default long requestsLeft() {
		return Math.max(0, requestBudget() - requestsServed());
	}

}
