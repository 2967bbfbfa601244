package io.starlet;

/**
 * Runs on a worker thread right before the worker exits (Starlet's {@code --child-exit}): after it
 * has spent its request budget, was retired by a signal, a harakiri or the shutdown. Every hook
 * runs once per exiting worker, in the order configured. An exception from a hook is logged and
 * the next hook still runs.
 */
@FunctionalInterface
public interface ChildExitHook {

	void workerExiting(WorkerInfo worker) throws Exception;

}
