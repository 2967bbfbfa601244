package io.starlet.worker;

import java.io.IOException;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Clock;

/** The connections that left HTTP (101) and are open: for the acceptor, stats, and their end at stop. */
final class UpgradedConnections {

	private static final Logger logger = LoggerFactory.getLogger(UpgradedConnections.class);

	private final Set<UpgradedConnection> open = ConcurrentHashMap.newKeySet();

	void started(UpgradedConnection connection) {
		this.open.add(connection);
	}

	void ended(UpgradedConnection connection) {
		this.open.remove(connection);
	}

	Iterable<UpgradedConnection> all() {
		return this.open;
	}

	int count() {
		return this.open.size();
	}

	/**
	 * Flushes (a second at most, for all of them), closes and ends every upgraded connection still
	 * open, on the calling thread. Idempotent.
	 */
	void endAll() {
		if (this.open.isEmpty()) {
			return;
		}
		// real time, whatever the engine's clock: it bounds how long a stop takes
		long deadline = Clock.SYSTEM.nanoTime() + TimeUnit.SECONDS.toNanos(1);
		Selector selector;
		try {
			selector = Selector.open();
		}
		catch (IOException ex) {
			selector = null;
		}
		try {
			for (UpgradedConnection connection : new ArrayList<>(this.open)) {
				try {
					connection.endAtStop(selector, deadline);
				}
				catch (RuntimeException ex) {
					logger.warn("Ending {} at stop failed", connection, ex);
				}
			}
		}
		finally {
			if (selector != null) {
				try {
					selector.close();
				}
				catch (IOException ex) {
					// stopping anyway
				}
			}
		}
	}

}
