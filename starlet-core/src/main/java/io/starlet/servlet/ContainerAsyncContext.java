package io.starlet.servlet;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

import io.starlet.Suspension;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The async cycle of one request, driven by events; no thread waits for it. While the request is
 * suspended no worker is held: the engine's {@link Suspension} keeps the exchange, a
 * {@code dispatch()} is work queued for a worker, {@code complete()} from an application thread
 * ends the request on that thread, and the timeout and a client that goes away are work queued for
 * a worker too. One lock guards the state:
 *
 * <pre>
 *   startAsync (in a dispatch, on a worker)
 *        │
 *        ▼          dispatch returns, async started, nothing pending
 *   DISPATCHED ─────────────────────────────────────────────────────▶ SUSPENDED ──complete()──┐
 *   (a dispatch or a     ▲                                         │  │  (any thread:    │
 *    listener section     │ a worker takes it                       │  │   ended there)   │
 *    runs on a worker;    └───────── QUEUED ◀──────dispatch()───────┘  │                  │
 *    complete()/dispatch()                                             │ timeout, client  │
 *    calls wait for its end)      (timeout: onTimeout on a worker,     │ gone: on a worker│
 *        │                         then the error page if unanswered)  ▼                  │
 *        │ returns with complete() pending, or async not restarted  DISPATCHED            │
 *        ▼                                                                                 │
 *   COMPLETING (onComplete, request end: finish the response, requestDestroyed, access log,│
 *        │      then Suspension.finish) ◀──────────────────────────────────────────────────┘
 *        ▼
 *   COMPLETED
 * </pre>
 *
 * {@code isAsyncStarted()} is true from {@code startAsync} until a worker takes the dispatch or
 * the cycle completes, as on Tomcat.
 *
 * <p>Over the usual size on purpose: the state machine above is one lock and one set of
 * transitions, and splitting it would spread each transition over two classes. The listeners
 * and their notification, which only follow the transitions, are {@link AsyncListeners}.
 */
final class ContainerAsyncContext implements AsyncContext {

	static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

	/** In the order of {@link #originalPath}. */
	private static final String[] ASYNC_ATTRIBUTES = { ASYNC_MAPPING, ASYNC_REQUEST_URI, ASYNC_CONTEXT_PATH,
			ASYNC_SERVLET_PATH, ASYNC_PATH_INFO, ASYNC_QUERY_STRING };

	private enum Action { NONE, COMPLETE, DISPATCH }

	private enum State { DISPATCHED, SUSPENDED, QUEUED, COMPLETING, COMPLETED }

	private final ContainerRequest request;

	private final ContainerResponse response;

	private final ReentrantLock lock = new ReentrantLock();

	/** Guarded by {@link #lock}. */
	private final AsyncListeners listeners;

	private ServletRequest servletRequest;

	private ServletResponse servletResponse;

	private boolean original;

	private boolean started;

	private Action pending = Action.NONE;

	private String dispatchPath;

	/** Whether the pending dispatch names a path of its own, whose query adds parameters. */
	private boolean dispatchPathGiven;

	/**
	 * dispatch() or the end of the cycle has let go of the request and response given to
	 * startAsync: {@code getRequest()} and {@code getResponse()} throw, as their javadoc says.
	 */
	private boolean released;

	/** The path the client sent, for the {@code jakarta.servlet.async.*} attributes; see {@link #start}. */
	private Object[] originalPath;

	private long timeoutMillis = DEFAULT_TIMEOUT_MILLIS;

	/** The context-relative path (with query) of the dispatch that started async. */
	private String startedPath;

	private boolean finished;

	private State state = State.DISPATCHED;

	/** Counts suspensions, so that a timer of an earlier one is recognized and ignored. */
	private int generation;

	/** The application failed after the response was committed: the connection is closed. */
	private boolean broken;

	private Suspension suspension;

	private RequestProcessor processor;

	private RequestProcessor.Ending ending;

	ContainerAsyncContext(ContainerRequest request, ContainerResponse response) {
		this.request = request;
		this.response = response;
		this.listeners = new AsyncListeners(this, request.context);
	}

	void start(ServletRequest servletRequest, ServletResponse servletResponse, boolean original) {
		AsyncListeners.Notification toNotify;
		this.lock.lock();
		try {
			if (this.started) {
				throw new IllegalStateException("startAsync called twice in the same dispatch");
			}
			if (this.finished) {
				throw new IllegalStateException("The async cycle of this request has completed");
			}
			if (this.suspension == null) {
				// the worker is released when the dispatch returns; the engine keeps the exchange
				this.suspension = this.request.exchange.suspend();
				this.suspension.onAbort((reason) -> onWorker(() -> aborted(reason)).run());
			}
			this.started = true;
			this.pending = Action.NONE;
			this.released = false;
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
			if (this.originalPath == null) {
				this.originalPath = originalPath(this.request);
			}
			toNotify = this.listeners.copy(true);
		}
		finally {
			this.lock.unlock();
		}
		toNotify.fire(AsyncListeners.Event.START_ASYNC, null);
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
		checkNotReleased("getRequest");
		return this.servletRequest;
	}

	@Override
	public ServletResponse getResponse() {
		checkNotReleased("getResponse");
		return this.servletResponse;
	}

	private void checkNotReleased(String method) {
		this.lock.lock();
		try {
			if (this.released) {
				throw new IllegalStateException(
						method + ": dispatch() or complete() has been called in this asynchronous cycle");
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The path elements the client's request had (§9.7.2: the values the first servlet saw, kept
	 * through every later dispatch): the forward attributes hold them while a forward runs.
	 */
	private static Object[] originalPath(ContainerRequest r) {
		if (r.getAttribute(RequestDispatcher.FORWARD_REQUEST_URI) != null) {
			return new Object[] { r.getAttribute(RequestDispatcher.FORWARD_MAPPING),
					r.getAttribute(RequestDispatcher.FORWARD_REQUEST_URI),
					r.getAttribute(RequestDispatcher.FORWARD_CONTEXT_PATH),
					r.getAttribute(RequestDispatcher.FORWARD_SERVLET_PATH),
					r.getAttribute(RequestDispatcher.FORWARD_PATH_INFO),
					r.getAttribute(RequestDispatcher.FORWARD_QUERY_STRING) };
		}
		return new Object[] { r.mapping, r.requestURI, r.getContextPath(), r.servletPath, r.pathInfo, r.queryString };
	}

	@Override
	public boolean hasOriginalRequestAndResponse() {
		return this.original;
	}

	@Override
	public void dispatch() {
		dispatch(this.startedPath, false);
	}

	@Override
	public void dispatch(String path) {
		dispatch(path, true);
	}

	@Override
	public void dispatch(ServletContext context, String path) {
		dispatch(path, true);
	}

	private void dispatch(String path, boolean pathGiven) {
		boolean queue;
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
			this.dispatchPathGiven = pathGiven;
			this.released = true;
			queue = this.state == State.SUSPENDED;
			if (queue) {
				this.state = State.QUEUED;
			}
		}
		finally {
			this.lock.unlock();
		}
		if (queue) {
			// new work: it waits for a worker like a request
			this.suspension.timeout(0, null);
			this.suspension.resume(onWorker(this::sectionEnded));
		}
	}

	@Override
	public void complete() {
		this.lock.lock();
		try {
			if (this.state == State.COMPLETING || this.state == State.COMPLETED || this.pending == Action.DISPATCH) {
				// already over, or a dispatch is on its way and will end the cycle
				return;
			}
			if (this.state != State.SUSPENDED) {
				// a dispatch or listener runs on a worker: the cycle ends when it returns
				this.pending = Action.COMPLETE;
				return;
			}
			this.state = State.COMPLETING;
		}
		finally {
			this.lock.unlock();
		}
		this.suspension.timeout(0, null);
		if (this.response.errorStatus() >= 0 && !this.response.output().isCommitted()) {
			// sendError then complete: the error page is a dispatch, which runs on a worker
			this.suspension.resume(onWorker(this::endCycle));
		}
		else {
			// no worker needed: the response is finished on the calling thread
			endCycle();
		}
	}

	@Override
	public void start(Runnable run) {
		// same class loader rule as work on a worker
		this.request.container.asyncExecutor().execute(onWorker(run));
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
			this.listeners.add(listener, servletRequest, servletResponse);
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
	 * The REQUEST dispatch returned with async started (on its worker): the cycle goes on without
	 * this thread; {@code ending} finishes the request when the cycle completes.
	 */
	void requestDispatchReturned(RequestProcessor processor, RequestProcessor.Ending ending) {
		this.lock.lock();
		try {
			this.processor = processor;
			this.ending = ending;
		}
		finally {
			this.lock.unlock();
		}
		sectionEnded();
	}

	/** The REQUEST dispatch failed in a way the engine answers: nothing more happens here. */
	void abandon() {
		this.lock.lock();
		try {
			this.state = State.COMPLETED;
			this.finished = true;
			this.started = false;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * On a worker, when a dispatch or a listener section ended (or queued work starts): runs a
	 * pending dispatch, ends the cycle, or suspends the request and arms the timeout.
	 */
	private void sectionEnded() {
		while (true) {
			String path = null;
			boolean pathGiven = false;
			boolean end = false;
			int suspendedGeneration = 0;
			long timeout = 0;
			this.lock.lock();
			try {
				if (this.state == State.COMPLETING || this.state == State.COMPLETED) {
					return;
				}
				if (this.pending == Action.DISPATCH) {
					// the worker takes the dispatch: from here on the request is no longer in async mode
					this.pending = Action.NONE;
					this.started = false;
					this.state = State.DISPATCHED;
					path = this.dispatchPath;
					pathGiven = this.dispatchPathGiven;
				}
				else if (this.pending == Action.COMPLETE || !this.started) {
					this.pending = Action.NONE;
					this.started = false;
					this.state = State.COMPLETING;
					end = true;
				}
				else {
					this.state = State.SUSPENDED;
					suspendedGeneration = ++this.generation;
					timeout = this.timeoutMillis;
				}
			}
			finally {
				this.lock.unlock();
			}
			if (path != null) {
				try {
					prepareAsyncDispatch(path, pathGiven);
					this.processor.asyncDispatch(this.request, this.response, path);
				}
				catch (Throwable ex) {
					failed(ex);
					return;
				}
				continue;
			}
			if (end) {
				endCycle();
				return;
			}
			int expected = suspendedGeneration;
			this.suspension.timeout(timeout, onWorker(() -> timedOut(expected)));
			return;
		}
	}

	/**
	 * What the ASYNC dispatch adds to the request, on the worker that runs it: the
	 * {@code jakarta.servlet.async.*} attributes (set once, by the first), and, when
	 * {@code dispatch(path)} named a query, its parameters ahead of the request's own, as a forward
	 * merges them (§9.7.1, §9.7.2). {@code dispatch()} goes back to the request's own query,
	 * which adds nothing.
	 */
	private void prepareAsyncDispatch(String path, boolean pathGiven) {
		if (this.request.getAttribute(ASYNC_REQUEST_URI) == null && this.originalPath != null) {
			for (int i = 0; i < ASYNC_ATTRIBUTES.length; i++) {
				this.request.setAttributeQuietly(ASYNC_ATTRIBUTES[i], this.originalPath[i]);
			}
		}
		int q = path.indexOf('?');
		if (pathGiven && q >= 0) {
			ContainerDispatcher.addQuery(this.request, path.substring(q + 1));
		}
	}

	/** The timeout of suspension {@code expected} fired; on a worker. */
	private void timedOut(int expected) {
		this.lock.lock();
		try {
			if (this.state != State.SUSPENDED || this.generation != expected) {
				return; // completed or dispatched meanwhile
			}
			this.state = State.DISPATCHED;
		}
		finally {
			this.lock.unlock();
		}
		fire(AsyncListeners.Event.TIMEOUT, null);
		boolean unanswered;
		this.lock.lock();
		try {
			unanswered = this.pending == Action.NONE && this.started;
			if (unanswered) {
				this.started = false;
			}
		}
		finally {
			this.lock.unlock();
		}
		if (unanswered) {
			try {
				this.processor.errorAfterAsyncTimeout(this.request, this.response);
			}
			catch (Throwable ex) {
				failed(ex);
				return;
			}
		}
		sectionEnded();
	}

	/**
	 * The exchange was lost while suspended or queued: the client went away, queued work waited
	 * longer than queue-timeout, or the server stops. onError, then the cycle completes (a
	 * dispatch a listener asks for has no client left to answer).
	 */
	private void aborted(IOException reason) {
		this.lock.lock();
		try {
			if (this.state != State.SUSPENDED && this.state != State.QUEUED) {
				return;
			}
			this.state = State.DISPATCHED;
			this.pending = Action.NONE;
		}
		finally {
			this.lock.unlock();
		}
		fire(AsyncListeners.Event.ERROR, this.response.clientAborted(reason));
		endCycle(false);
	}

	/** An ASYNC dispatch or the timeout's error page failed past the point of an answer. */
	private void failed(Throwable ex) {
		if (ex instanceof VirtualMachineError error && !(ex instanceof StackOverflowError)) {
			this.lock.lock();
			try {
				this.broken = true;
			}
			finally {
				this.lock.unlock();
			}
			endCycleQuietly();
			throw error;
		}
		this.request.context.log("Async dispatch of " + this.request.getRequestURI() + " failed", ex);
		endCycle(true);
	}

	/** Moves to COMPLETING, whatever was pending, and ends the cycle. */
	private void endCycle(boolean broken) {
		this.lock.lock();
		try {
			this.broken |= broken;
			this.state = State.COMPLETING;
			this.pending = Action.NONE;
			this.started = false;
		}
		finally {
			this.lock.unlock();
		}
		endCycle();
	}

	private void endCycleQuietly() {
		try {
			endCycle();
		}
		catch (RuntimeException ignored) {
			// already failing
		}
	}

	/**
	 * Ends the cycle on the calling thread (a worker, or the application thread that called
	 * complete()): onComplete, the end of the request, then the engine completes the exchange.
	 */
	private void endCycle() {
		boolean ok = false;
		try {
			fire(AsyncListeners.Event.COMPLETE, null);
			this.lock.lock();
			try {
				this.released = true;
				this.finished = true;
				this.started = false;
				this.state = State.COMPLETED;
			}
			finally {
				this.lock.unlock();
			}
			ok = this.processor.endOfRequest(this.request, this.response, this.ending);
		}
		finally {
			boolean broken;
			this.lock.lock();
			try {
				broken = this.broken;
			}
			finally {
				this.lock.unlock();
			}
			if (ok && !broken) {
				this.suspension.finish();
			}
			else {
				this.suspension.abort();
			}
		}
	}

	/** Work for a worker: runs with the application's class loader, as a dispatch does. */
	private Runnable onWorker(Runnable work) {
		ClassLoader loader = this.request.context.getClassLoader();
		return () -> {
			Thread thread = Thread.currentThread();
			ClassLoader previous = thread.getContextClassLoader();
			thread.setContextClassLoader(loader);
			try {
				work.run();
			}
			finally {
				thread.setContextClassLoader(previous);
			}
		};
	}

	/** Tells listeners about an error during the async cycle (before the error page runs). */
	void fireError(Throwable error) {
		fire(AsyncListeners.Event.ERROR, error);
	}

	private void fire(AsyncListeners.Event event, Throwable error) {
		AsyncListeners.Notification toNotify;
		this.lock.lock();
		try {
			toNotify = this.listeners.copy(false);
		}
		finally {
			this.lock.unlock();
		}
		toNotify.fire(event, error);
	}

}
