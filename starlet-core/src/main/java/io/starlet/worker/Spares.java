package io.starlet.worker;

import java.io.IOException;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.starlet.net.ConnectionOutput;
import io.starlet.net.SelectorSource;

/**
 * Selectors and output buffers kept for reuse: those of exited workers for their successors, and
 * those lent to suspended exchanges. Opening a selector costs an epoll instance and a wake-up
 * pipe, and with the default budget of 100 requests workers come and go often. At most one of
 * each per worker is kept; nothing once the server stops.
 *
 * <p>Also the {@link SelectorSource} that lends selectors to threads writing to a suspended
 * exchange.
 */
final class Spares implements SelectorSource {

	/** Each worker's output buffer: a response head and a small body leave in one write. */
	static final int OUTPUT_BUFFER_SIZE = 16 * 1024;

	private final WorkerPool pool;

	/** How many of each are kept: one per worker. */
	private final int limit;

	private final Queue<Selector> selectors = new ConcurrentLinkedQueue<>();

	private final Queue<ConnectionOutput> outputs = new ConcurrentLinkedQueue<>();

	Spares(WorkerPool pool, int limit) {
		this.pool = pool;
		this.limit = limit;
	}

	ConnectionOutput takeOutput() {
		ConnectionOutput output = this.outputs.poll();
		return (output != null) ? output : new ConnectionOutput(OUTPUT_BUFFER_SIZE);
	}

	void returnOutput(ConnectionOutput output) {
		if (this.pool.isRunning() && this.outputs.size() < this.limit) {
			output.attach(null, null, 0);
			this.outputs.add(output);
		}
	}

	@Override
	public Selector takeSelector() throws IOException {
		Selector selector = this.selectors.poll();
		return (selector != null) ? selector : Selector.open();
	}

	/** Keeps a selector for the next worker, if it is clean; else closes it. */
	@Override
	public void returnSelector(Selector selector) {
		try {
			if (this.pool.isRunning() && selector.isOpen() && selector.keys().isEmpty()
					&& this.selectors.size() < this.limit) {
				this.selectors.add(selector);
				if (this.pool.isRunning()) {
					return;
				}
				// stop() ran meanwhile and may have missed it
				this.selectors.remove(selector);
			}
			selector.close();
		}
		catch (IOException ex) {
			// an exiting worker's selector: nothing to do
		}
	}

	/** The server stops: closes the selectors kept. */
	void closeSelectors() {
		Selector spare;
		while ((spare = this.selectors.poll()) != null) {
			try {
				spare.close();
			}
			catch (IOException ex) {
				// stopping anyway
			}
		}
	}

}
