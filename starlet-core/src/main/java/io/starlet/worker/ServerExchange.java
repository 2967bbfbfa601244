package io.starlet.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Exchange;
import io.starlet.StarletConfig;
import io.starlet.Suspension;
import io.starlet.Upgrade;
import io.starlet.WorkerInfo;
import io.starlet.http.BadRequestException;
import io.starlet.http.Fields;
import io.starlet.http.HttpFields;
import io.starlet.http.RequestHead;
import io.starlet.http.ResponseHead;
import io.starlet.http.Violation;
import io.starlet.net.Connection;

/**
 * One request on a worker: runs the handler, then completes the response and decides whether
 * the connection lives on. Keep-alive needs all of: the client asked for it, framing was
 * unambiguous, the connection is below {@code max-keepalive-reqs}, the worker has budget left and
 * is not retiring, the server is not shutting down, the response is not close-delimited, and any
 * unread request body can be drained.
 *
 * <p>The jobs are split: {@link ExchangeRequestBody} reads and drains the request body,
 * {@link ExchangeResponse} commits and frames the response, {@link ExchangeSuspension} carries a
 * suspended exchange (async) without a worker, and {@link UpgradedConnection} takes a connection
 * that switched protocols (101). This class is the {@link Exchange} the handler sees, the request
 * head's accessors, and the outcome the worker acts on.
 */
final class ServerExchange implements Exchange {

	private static final Logger logger = LoggerFactory.getLogger(ServerExchange.class);

	private static final AtomicLong REQUEST_IDS = new AtomicLong();

	final WorkerPool pool;

	final Worker worker;

	final Connection connection;

	final RequestHead head;

	final StarletConfig config;

	private final long requestId = REQUEST_IDS.incrementAndGet();

	private final ExchangeRequestBody requestBody;

	private final ExchangeResponse response;

	/** Set (on the worker) by {@link #suspend()}; null for the ordinary request. */
	private volatile ExchangeSuspension suspension;

	/** The worker's keep-alive verdict when the exchange was suspended (it serves others since). */
	private boolean workerKeepAlive;

	private volatile boolean harakiriAsked;

	/** Set by {@link #upgrade}: switch protocols when the handler returns with status 101. */
	private UpgradedConnection upgrade;

	/** What {@link #run()} and {@link #resume(Worker)} tell the worker to do with the connection. */
	enum Outcome {

		/** Close it. */
		CLOSE,

		/** Serve the next request on it (the response went out whole). */
		KEEP,

		/** Nothing: the exchange is suspended and no longer needs the worker. */
		SUSPENDED,

		/** Nothing: the connection left HTTP (101) and is held by the acceptor now. */
		UPGRADED

	}

	ServerExchange(WorkerPool pool, Worker worker, Connection connection) {
		this.pool = pool;
		this.worker = worker;
		this.connection = connection;
		this.head = connection.head;
		this.config = pool.config();
		this.requestBody = new ExchangeRequestBody(this);
		this.response = new ExchangeResponse(this, worker.output);
	}

	ExchangeSuspension suspension() {
		return this.suspension;
	}

	ExchangeRequestBody body() {
		return this.requestBody;
	}

	ExchangeResponse response() {
		return this.response;
	}

	boolean isUpgrading() {
		return this.upgrade != null;
	}

	/** Runs the handler and completes the response, unless the handler suspended the exchange. */
	Outcome run() throws IOException {
		try {
			this.pool.handler().handle(this);
		}
		catch (BadRequestException ex) {
			// The body broke the framing rules while the handler read it.
			return refused(ex.violation(), ex.getMessage());
		}
		catch (SocketTimeoutException ex) {
			// The client stopped sending its body (or reading the response) for `timeout`.
			return refused(Violation.BODY_TIMEOUT, "timed out");
		}
		catch (Exception ex) {
			if (this.connection.clientFailed()) {
				// The client went away mid-request (closed, reset): nothing to answer, nothing to log loudly.
				if (logger.isDebugEnabled()) {
					logger.debug("{} {}: client gone: {}", this.head.method(), this.head.target(), ex.toString());
				}
				this.connection.close();
				endSuspension();
				return Outcome.CLOSE;
			}
			return failed(500, null, ex);
		}
		catch (Error ex) {
			failed(500, null, ex);
			throw ex;
		}
		if (this.suspension != null) {
			return this.suspension.afterRun();
		}
		if (this.upgrade != null) {
			return switchProtocols();
		}
		return complete() ? Outcome.KEEP : Outcome.CLOSE;
	}

	/** Answers a request the engine refuses while the handler runs, counted by its violation. */
	private Outcome refused(Violation violation, String message) throws IOException {
		this.pool.counters().rejected(violation);
		return failed(violation.status(), message, null);
	}

	private Outcome failed(int status, String message, Throwable ex) throws IOException {
		if (ex != null) {
			logger.error("Request {} {} failed on {}", this.head.method(), this.head.target(), this.worker.name(), ex);
		}
		try {
			this.response.writeUnlessCommitted(ResponseHead.plain(status, message, true, this.config.serverHeader(), this.pool.wallClock()));
		}
		catch (IOException gone) {
			this.connection.close(); // the client is gone
			throw gone;
		}
		finally {
			// Whatever was committed cannot be finished properly: the connection ends after it
			// (closed by the worker, gently if the client may still be sending)
			closing();
			endSuspension();
		}
		return Outcome.CLOSE;
	}

	/** Finishes the response and skips the rest of the request body: whether the connection lives on. */
	boolean complete() throws IOException {
		boolean keep = this.response.finish();
		if (keep && !this.requestBody.drain()) {
			this.response.closeAfter();
			keep = false;
		}
		if (!keep) {
			closing();
		}
		return keep;
	}

	/** The connection closes after this exchange: note whether its client may still be sending the body. */
	private void closing() {
		if (this.requestBody.mayStillArrive()) {
			this.connection.inputMayFollow();
		}
	}

	// --- upgrade ----------------------------------------------------------------------------------

	@Override
	public Upgrade upgrade(Upgrade.Listener listener) {
		Objects.requireNonNull(listener, "listener");
		if (this.suspension != null) {
			throw new IllegalStateException("The exchange is suspended (async started): it cannot be upgraded");
		}
		if (this.response.isCommitted()) {
			throw new IllegalStateException("The response is committed: the exchange cannot be upgraded");
		}
		if (this.upgrade != null) {
			throw new IllegalStateException("The exchange is already being upgraded");
		}
		this.upgrade = new UpgradedConnection(this.pool, this.connection, listener);
		return this.upgrade;
	}

	/**
	 * The handler returned after asking for an upgrade: with status 101 the head goes out (no
	 * body, no framing) and the connection leaves HTTP; with any other status the upgrade is
	 * dropped and the response completes as usual.
	 */
	private Outcome switchProtocols() throws IOException {
		if (this.response.status() != 101 || (this.response.isCommitted() && !this.response.isSwitched())) {
			this.upgrade = null;
			return complete() ? Outcome.KEEP : Outcome.CLOSE;
		}
		// what is left of the request body (if any) comes before the new protocol's bytes
		this.response.commit(0);
		this.response.flushOutput();
		if (!this.requestBody.drain() || !this.connection.isOpen()) {
			this.connection.close();
			return Outcome.CLOSE;
		}
		UpgradedConnection upgraded = this.upgrade;
		this.connection.startOver();
		this.connection.upgradedBy(upgraded);
		this.pool.upgraded().started(upgraded);
		upgraded.runFirst();
		return Outcome.UPGRADED;
	}

	// --- suspension -------------------------------------------------------------------------------

	@Override
	public Suspension suspend() {
		ExchangeSuspension s = this.suspension;
		if (s != null) {
			return s;
		}
		if (this.upgrade != null) {
			throw new IllegalStateException("The exchange is being upgraded: it cannot be suspended");
		}
		// On the worker, inside the handler: what the worker's output holds goes out now, and the
		// exchange writes through its own output from here on (framing streams write to the sink).
		s = new ExchangeSuspension(this);
		this.response.leaveWorkerOutput();
		this.workerKeepAlive = this.worker.mayKeepAlive();
		this.requestBody.suspended(s);
		this.connection.suspendedBy(this);
		this.suspension = s;
		this.pool.asyncExchanges().started(this);
		return s;
	}

	/**
	 * A worker took this exchange's connection from the queue: runs the queued work there.
	 */
	Outcome resume(Worker worker) throws IOException {
		return this.suspension.resumeOn(worker);
	}

	/** The server stops: ends a suspended exchange (on a stopping thread). */
	void stopNow() {
		ExchangeSuspension s = this.suspension;
		if (s != null) {
			s.stopNow();
		}
	}

	/** The handler failed while the exchange was suspended-capable: nothing more will happen. */
	private void endSuspension() {
		ExchangeSuspension s = this.suspension;
		if (s != null) {
			s.abandon();
		}
	}

	/**
	 * The acceptor's selector found the suspended connection readable (acceptor thread): bytes
	 * of a next request are kept, end of stream or a reset means the client is gone.
	 */
	void clientReadable(SelectionKey key) {
		ExchangeSuspension s = this.suspension;
		if (s == null) {
			key.interestOps(0);
			return;
		}
		s.clientReadable(key);
	}

	// --- keep-alive -------------------------------------------------------------------------------

	boolean keepAlivePermitted() {
		return this.head.clientWantsKeepAlive() && !this.head.mustCloseAfterResponse()
				&& this.connection.requests() < this.config.maxKeepaliveReqs() && workerMayKeepAlive()
				&& !this.pool.isShuttingDown() && !handlerAskedToClose() && this.requestBody.mayBeDrained();
	}

	private boolean workerMayKeepAlive() {
		return (this.suspension != null) ? this.workerKeepAlive && !this.harakiriAsked : this.worker.mayKeepAlive();
	}

	private boolean handlerAskedToClose() {
		String value = this.response.headers().get("Connection");
		return value != null && value.toLowerCase(Locale.ROOT).contains("close");
	}

	// --- request ------------------------------------------------------------------------------

	@Override
	public String method() {
		return this.head.method();
	}

	@Override
	public String target() {
		return this.head.target();
	}

	@Override
	public String path() {
		return this.head.path();
	}

	@Override
	public String query() {
		return this.head.query();
	}

	@Override
	public String protocol() {
		return this.head.protocol();
	}

	@Override
	public Fields requestHeaders() {
		return this.head;
	}

	@Override
	public long requestContentLength() {
		return this.head.contentLength();
	}

	@Override
	public long requestBodyRemaining() {
		return this.requestBody.remaining();
	}

	@Override
	public InputStream requestBody() {
		return this.requestBody.stream();
	}

	@Override
	public Fields requestTrailers() {
		return this.requestBody.trailers();
	}

	@Override
	public SocketAddress remoteAddress() {
		return this.connection.remoteAddress();
	}

	@Override
	public SocketAddress localAddress() {
		return this.connection.localAddress();
	}

	@Override
	public long requestId() {
		return this.requestId;
	}

	@Override
	public long connectionId() {
		return this.connection.id();
	}

	@Override
	public WorkerInfo worker() {
		return this.worker;
	}

	// --- response -----------------------------------------------------------------------------

	@Override
	public void setStatus(int status) {
		this.response.status(status);
	}

	@Override
	public int status() {
		return this.response.status();
	}

	@Override
	public HttpFields responseHeaders() {
		return this.response.headers();
	}

	@Override
	public boolean isCommitted() {
		return this.response.isCommitted();
	}

	@Override
	public boolean isKeepAlive() {
		return this.response.isCommitted() ? this.response.keepAlive() : keepAlivePermitted();
	}

	@Override
	public void setResponseTrailers(Supplier<Map<String, String>> trailers) {
		this.response.trailers(trailers);
	}

	@Override
	public void retireWorker() {
		this.harakiriAsked = true;
		this.worker.harakiri();
	}

	@Override
	public OutputStream responseBody() {
		return this.response;
	}

	@Override
	public void commit(long contentLength) throws IOException {
		this.response.commit(contentLength);
	}

}
