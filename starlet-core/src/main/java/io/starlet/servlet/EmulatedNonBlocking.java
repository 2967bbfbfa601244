package io.starlet.servlet;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Servlet non-blocking I/O on the container's blocking streams: a stream is always ready, so a
 * listener is called back at once, on the thread that registers it, and whatever its callbacks
 * throw goes to its {@code onError} (Servlet §5.7), as the request and response streams both do.
 */
final class EmulatedNonBlocking {

	/** The listener's callbacks for "ready now". */
	interface Callbacks {

		void run() throws IOException;

	}

	private EmulatedNonBlocking() {
	}

	static void callBack(Callbacks callbacks, Consumer<Throwable> onError) {
		try {
			callbacks.run();
		}
		catch (IOException | RuntimeException ex) {
			onError.accept(ex);
		}
	}

}
