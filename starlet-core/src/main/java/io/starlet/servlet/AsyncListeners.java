package io.starlet.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * The {@link AsyncListener}s of one request's async cycle, each with the request and response it
 * was added with, and their notification. Not thread-safe: {@link ContainerAsyncContext} changes
 * and copies the list under its own lock, the lock of its state, and calls the listeners from a
 * copy outside it, so that a listener may call back into the context. A listener's exception is
 * logged and the next listener is still told.
 */
final class AsyncListeners {

	enum Event {

		START_ASYNC("onStartAsync"), COMPLETE("onComplete"), TIMEOUT("onTimeout"), ERROR("onError");

		final String method;

		Event(String method) {
			this.method = method;
		}

	}

	private record Registered(AsyncListener listener, ServletRequest request, ServletResponse response) {
	}

	private final List<Registered> registered = new ArrayList<>();

	private final AsyncContext context;

	private final ContainerContext servletContext;

	AsyncListeners(AsyncContext context, ContainerContext servletContext) {
		this.context = context;
		this.servletContext = servletContext;
	}

	/** The caller holds the context's lock. */
	void add(AsyncListener listener, ServletRequest request, ServletResponse response) {
		this.registered.add(new Registered(listener, request, response));
	}

	/**
	 * A copy to notify outside the lock; with {@code clear}, for {@code startAsync} again, after
	 * which listeners must add themselves anew. The caller holds the lock.
	 */
	Notification copy(boolean clear) {
		Notification copy = new Notification(new ArrayList<>(this.registered));
		if (clear) {
			this.registered.clear();
		}
		return copy;
	}

	/** Listeners copied under the lock, to tell of one event without it. */
	final class Notification {

		private final List<Registered> listeners;

		private Notification(List<Registered> listeners) {
			this.listeners = listeners;
		}

		void fire(Event event, Throwable error) {
			AsyncListeners owner = AsyncListeners.this;
			for (Registered registered : this.listeners) {
				AsyncEvent asyncEvent = new AsyncEvent(owner.context, registered.request(), registered.response(), error);
				try {
					switch (event) {
						case START_ASYNC -> registered.listener().onStartAsync(asyncEvent);
						case COMPLETE -> registered.listener().onComplete(asyncEvent);
						case TIMEOUT -> registered.listener().onTimeout(asyncEvent);
						case ERROR -> registered.listener().onError(asyncEvent);
					}
				}
				catch (IOException | RuntimeException ex) {
					owner.servletContext.log("AsyncListener." + event.method + " failed", ex);
				}
			}
		}

	}

}
