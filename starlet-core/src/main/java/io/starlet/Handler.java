package io.starlet;

/**
 * What a worker runs for each request. The servlet container implements it; so can a user who
 * wants Starlet without servlets.
 *
 * <p>The handler runs on the worker thread. When it returns, the engine completes the response
 * (commits it if nothing was written yet, ends the chunked body) and decides whether the
 * connection stays open, unless the handler {@linkplain Exchange#suspend() suspended} the exchange:
 * then the worker is released and the response is completed later, from any thread; or
 * {@linkplain Exchange#upgrade upgraded} it: then the connection leaves HTTP after a {@code 101}.
 * An exception that escapes is logged; the client gets a plain
 * {@code 500} if nothing was committed yet, and the connection is closed.
 */
@FunctionalInterface
public interface Handler {

	void handle(Exchange exchange) throws Exception;

	/**
	 * Called by {@link io.starlet.server.StarletServer#stop()} once workers and listeners are stopped, with the
	 * action that ends the {@linkplain Upgrade upgraded connections} still open: it flushes them
	 * (at most a second in all), closes them and runs their {@link Upgrade.Listener#onClosed()}
	 * on the calling thread. Until it runs they stay open and writable (not read any more). The
	 * default runs it at once; the servlet container runs it after {@code contextDestroyed}, so
	 * that a protocol can say goodbye (a WebSocket Close frame).
	 */
	default void serverStopped(Runnable endUpgradedConnections) {
		endUpgradedConnections.run();
	}

}
