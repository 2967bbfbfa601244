package io.starlet.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The async cycle of one request. The worker that served the initial dispatch stays with the
 * request: after the dispatch returns it waits here ({@link #awaitCompletion}) for
 * {@code complete()}, {@code dispatch()} or the timeout, runs ASYNC dispatches itself, and only
 * then lets the engine finish the exchange. Other threads merely post those events.
 */
final class ContainerAsyncContext implements AsyncContext {

	static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

	private enum Action { NONE, COMPLETE, DISPATCH }

	private final ContainerRequest request;

	private final ContainerResponse response;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final List<Registered> listeners = new ArrayList<>();

	private ServletRequest servletRequest;

	private ServletResponse servletResponse;

	private boolean original;

	private boolean started;

	private Action pending = Action.NONE;

	private String dispatchPath;

	private long timeoutMillis = DEFAULT_TIMEOUT_MILLIS;

	/** The context-relative path (with query) of the dispatch that started async. */
	private String startedPath;

	private boolean finished;

	private record Registered(AsyncListener listener, ServletRequest request, ServletResponse response) {
	}

	ContainerAsyncContext(ContainerRequest request, ContainerResponse response) {
		this.request = request;
		this.response = response;
	}

	void start(ServletRequest servletRequest, ServletResponse servletResponse, boolean original) {
		List<Registered> toNotify;
		this.lock.lock();
		try {
			if (this.started) {
				throw new IllegalStateException("startAsync called twice in the same dispatch");
			}
			if (this.finished) {
				throw new IllegalStateException("The async cycle of this request has completed");
			}
			this.started = true;
			this.pending = Action.NONE;
			this.servletRequest = servletRequest;
			this.servletResponse = servletResponse;
			this.original = original;
			// dispatch() goes back to the URI of the request given to startAsync, still encoded
			String contextPath = this.request.getContextPath();
			String uri = (servletRequest instanceof HttpServletRequest http && !original) ? http.getRequestURI()
					: this.request.requestURI;
			String path = (uri != null && uri.startsWith(contextPath)) ? uri.substring(contextPath.length())
					: this.request.servletPath + ((this.request.pathInfo != null) ? this.request.pathInfo : "");
			String query = this.request.queryString;
			this.startedPath = (query != null) ? path + "?" + query : path;
			toNotify = new ArrayList<>(this.listeners);
			this.listeners.clear();
		}
		finally {
			this.lock.unlock();
		}
		for (Registered registered : toNotify) {
			try {
				registered.listener().onStartAsync(new AsyncEvent(this, registered.request(), registered.response()));
			}
			catch (IOException | RuntimeException ex) {
				this.request.context.log("AsyncListener.onStartAsync failed", ex);
			}
		}
	}

	boolean isStarted() {
		this.lock.lock();
		try {
			return this.started;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public ServletRequest getRequest() {
		return this.servletRequest;
	}

	@Override
	public ServletResponse getResponse() {
		return this.servletResponse;
	}

	@Override
	public boolean hasOriginalRequestAndResponse() {
		return this.original;
	}

	@Override
	public void dispatch() {
		dispatch(this.request.context, this.startedPath);
	}

	@Override
	public void dispatch(String path) {
		dispatch(this.request.context, path);
	}

	@Override
	public void dispatch(ServletContext context, String path) {
		this.lock.lock();
		try {
			if (!this.started || this.pending != Action.NONE) {
				throw new IllegalStateException(
						"dispatch: the request is not in async mode, or complete/dispatch was already called");
			}
			// isAsyncStarted() stays true until the worker takes the dispatch, as on Tomcat: code still
			// unwinding the dispatch that started async must not see the request as finished
			this.pending = Action.DISPATCH;
			this.dispatchPath = path;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void complete() {
		this.lock.lock();
		try {
			if (this.finished || this.pending == Action.DISPATCH) {
				// already over, or a dispatch is on its way and will end the cycle
				return;
			}
			this.pending = Action.COMPLETE;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void start(Runnable run) {
		ClassLoader loader = this.request.context.getClassLoader();
		this.request.container.asyncExecutor().execute(() -> {
			Thread thread = Thread.currentThread();
			ClassLoader previous = thread.getContextClassLoader();
			thread.setContextClassLoader(loader);
			try {
				run.run();
			}
			finally {
				thread.setContextClassLoader(previous);
			}
		});
	}

	@Override
	public void addListener(AsyncListener listener) {
		addListener(listener, this.servletRequest, this.servletResponse);
	}

	@Override
	public void addListener(AsyncListener listener, ServletRequest servletRequest, ServletResponse servletResponse) {
		this.lock.lock();
		try {
			if (!this.started) {
				throw new IllegalStateException("addListener: the request is not in async mode");
			}
			this.listeners.add(new Registered(listener, servletRequest, servletResponse));
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public <T extends AsyncListener> T createListener(Class<T> clazz) throws ServletException {
		try {
			return clazz.getDeclaredConstructor().newInstance();
		}
		catch (ReflectiveOperationException ex) {
			throw new ServletException("Cannot instantiate " + clazz.getName(), ex);
		}
	}

	@Override
	public void setTimeout(long timeout) {
		this.lock.lock();
		try {
			this.timeoutMillis = timeout;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public long getTimeout() {
		this.lock.lock();
		try {
			return this.timeoutMillis;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Runs the async cycle to its end on the worker thread: waits for an event, performs ASYNC
	 * dispatches, handles timeouts, and fires onComplete. Returns when the response may be finished.
	 */
	void awaitCompletion(RequestProcessor processor) throws Exception {
		while (true) {
			Action action;
			String path;
			boolean timedOut = false;
			this.lock.lock();
			try {
				long timeout = this.timeoutMillis;
				long deadline = (timeout > 0) ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
				while (this.pending == Action.NONE) {
					if (timeout > 0) {
						long left = deadline - System.nanoTime();
						if (left <= 0) {
							timedOut = true;
							break;
						}
						this.changed.awaitNanos(left);
					}
					else {
						this.changed.await();
					}
				}
				action = this.pending;
				path = this.dispatchPath;
			}
			finally {
				this.lock.unlock();
			}
			if (timedOut) {
				fire(Event.TIMEOUT, null);
				this.lock.lock();
				try {
					action = this.pending;
					path = this.dispatchPath;
					if (action == Action.NONE) {
						this.started = false;
					}
				}
				finally {
					this.lock.unlock();
				}
				if (action == Action.NONE) {
					processor.errorAfterAsyncTimeout(this.request, this.response);
					finish();
					return;
				}
			}
			this.lock.lock();
			try {
				// the worker takes the action: from here on the request is no longer in async mode
				this.started = false;
				this.pending = Action.NONE;
			}
			finally {
				this.lock.unlock();
			}
			if (action == Action.DISPATCH) {
				processor.asyncDispatch(this.request, this.response, path);
				boolean again;
				this.lock.lock();
				try {
					again = this.started || this.pending != Action.NONE;
				}
				finally {
					this.lock.unlock();
				}
				if (again) {
					continue;
				}
			}
			finish();
			return;
		}
	}

	private List<Registered> snapshotListeners() {
		this.lock.lock();
		try {
			return new ArrayList<>(this.listeners);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Tells listeners about an error during the async cycle (before the error page runs). */
	void fireError(Throwable error) {
		fire(Event.ERROR, error);
	}

	private void finish() {
		this.lock.lock();
		try {
			this.finished = true;
			this.started = false;
		}
		finally {
			this.lock.unlock();
		}
		fire(Event.COMPLETE, null);
	}

	private enum Event { COMPLETE, TIMEOUT, ERROR }

	private void fire(Event event, Throwable error) {
		for (Registered registered : snapshotListeners()) {
			AsyncEvent asyncEvent = new AsyncEvent(this, registered.request(), registered.response(), error);
			try {
				switch (event) {
					case COMPLETE -> registered.listener().onComplete(asyncEvent);
					case TIMEOUT -> registered.listener().onTimeout(asyncEvent);
					case ERROR -> registered.listener().onError(asyncEvent);
				}
			}
			catch (IOException | RuntimeException ex) {
				this.request.context.log("AsyncListener.on" + event + " failed", ex);
			}
		}
	}

}
