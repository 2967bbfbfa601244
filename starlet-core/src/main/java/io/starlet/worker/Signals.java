package io.starlet.worker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Starlet's signals, for every running pool in this JVM that enabled them: SIGHUP recycles all
 * workers (one per {@code spawn-interval} when set), SIGUSR1 hands over to a new generation
 * (retire workers one per interval, then shut down). SIGTERM is left to the JVM: its shutdown
 * hooks drive the graceful shutdown (Spring's, or the user's).
 *
 * <p>{@code sun.misc.Signal} is the only way to see HUP and USR1 from Java (it lives in the
 * {@code jdk.unsupported} module, present in every JDK since 9).
 */
final class Signals {

	private static final Logger logger = LoggerFactory.getLogger(Signals.class);

	private static final Set<WorkerPool> pools = ConcurrentHashMap.newKeySet();

	private static boolean installed;

	private Signals() {
	}

	static synchronized void register(WorkerPool pool) {
		pools.add(pool);
		if (!installed) {
			installed = install("HUP", () -> pools.forEach(WorkerPool::recycleWorkers))
					& install("USR1", () -> pools.forEach(WorkerPool::handOver));
		}
	}

	static void unregister(WorkerPool pool) {
		pools.remove(pool);
	}

	private static boolean install(String name, Runnable action) {
		try {
			SignalHandler previous = Signal.handle(new Signal(name), signal -> {
				logger.info("SIG{} received", name);
				action.run();
			});
			if (previous == SignalHandler.SIG_IGN && name.equals("HUP")) {
				// A process started with SIGHUP ignored (nohup) keeps it ignored: the JVM does not
				// install a handler for one of its shutdown signals then, and says so only here.
				logger.warn("SIGHUP is ignored by this process (started with nohup?): "
						+ "workers will not be recycled on SIGHUP. Start it without nohup to use SIGHUP.");
				return false;
			}
			return true;
		}
		catch (IllegalArgumentException | UnsupportedOperationException ex) {
			// -Xrs, or a platform without the signal: say so instead of failing startup.
			logger.warn("Cannot handle SIG{}: {}", name, ex.getMessage());
			return false;
		}
	}

}
