package io.starlet.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Exchange;
import io.starlet.StarletConfig;
import io.starlet.WorkerInfo;
import io.starlet.http.BadRequestException;
import io.starlet.http.ChunkedInputStream;
import io.starlet.http.ChunkedOutputStream;
import io.starlet.http.Fields;
import io.starlet.http.FixedLengthInputStream;
import io.starlet.http.FixedLengthOutputStream;
import io.starlet.http.HttpFields;
import io.starlet.http.RequestHead;
import io.starlet.http.ResponseHead;
import io.starlet.net.CollectedBody;
import io.starlet.net.Connection;
import io.starlet.net.ConnectionInput;
import io.starlet.net.ConnectionOutput;

/**
 * One request on a worker: runs the handler, then completes the response and decides whether
 * the connection lives on. Keep-alive needs all of: the client asked for it, framing was
 * unambiguous, the connection is below {@code max-keepalive-reqs}, the worker has budget left and
 * is not retiring, the server is not shutting down, the response is not close-delimited, and any
 * unread request body can be drained.
 */
final class ServerExchange implements Exchange {

	private static final Logger logger = LoggerFactory.getLogger(ServerExchange.class);

	private static final AtomicLong REQUEST_IDS = new AtomicLong();

	/** Most unread request-body bytes skipped to keep a connection; beyond that it closes. */
	private static final long DRAIN_LIMIT = 64 * 1024;

	private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final InputStream EMPTY = InputStream.nullInputStream();

	private final WorkerPool pool;

	private final Worker worker;

	private final Connection connection;

	private final RequestHead head;

	private final StarletConfig config;

	private final long requestId = REQUEST_IDS.incrementAndGet();

	private ConnectionInput input;

	private InputStream body;

	private int status = 200;

	private final HttpFields responseHeaders = new HttpFields();

	private boolean committed;

	private boolean keepAlive;

	private OutputStream framed;

	private final ResponseBody responseBody = new ResponseBody();

	private boolean continueSent;

	private java.util.function.Supplier<java.util.Map<String, String>> trailers;

	ServerExchange(WorkerPool pool, Worker worker, Connection connection) {
		this.pool = pool;
		this.worker = worker;
		this.connection = connection;
		this.head = connection.head;
		this.config = pool.config();
	}

	/** Runs the handler and completes the response; returns whether the connection persists. */
	boolean run() throws IOException {
		try {
			this.pool.handler().handle(this);
		}
		catch (BadRequestException ex) {
			// The body broke the framing rules while the handler read it.
			this.pool.rejected(ex.violation());
			return failed(ex.status(), ex.getMessage(), null);
		}
		catch (java.net.SocketTimeoutException ex) {
			// The client stopped sending its body (or reading the response) for `timeout`.
			this.pool.rejected(io.starlet.http.Violation.BODY_TIMEOUT);
			return failed(408, "timed out", null);
		}
		catch (Exception ex) {
			if (this.connection.clientFailed()) {
				// The client went away mid-request (closed, reset): nothing to answer, nothing to log loudly.
				if (logger.isDebugEnabled()) {
					logger.debug("{} {}: client gone: {}", this.head.method(), this.head.target(), ex.toString());
				}
				this.connection.close();
				return false;
			}
			return failed(500, null, ex);
		}
		catch (Error ex) {
			failed(500, null, ex);
			throw ex;
		}
		return complete();
	}

	private boolean failed(int status, String message, Throwable ex) throws IOException {
		if (ex != null) {
			logger.error("Request {} {} failed on {}", this.head.method(), this.head.target(), this.worker.name(), ex);
		}
		if (!this.committed) {
			this.output().write(ResponseHead.plain(status, message, true, this.config.serverHeader()));
			this.output().flush();
		}
		// Whatever was committed cannot be finished properly: the connection ends here.
		this.connection.close();
		return false;
	}

	private boolean complete() throws IOException {
		if (!this.committed) {
			commit(0);
		}
		this.framed.close();
		if (this.framed instanceof FixedLengthOutputStream fixed && fixed.remaining() > 0) {
			logger.warn("Response to {} {} ended {} bytes short of its Content-Length; closing the connection",
					this.head.method(), this.head.target(), fixed.remaining());
			this.keepAlive = false;
		}
		output().flush();
		if (this.keepAlive && !drainRequestBody()) {
			this.keepAlive = false;
		}
		return this.keepAlive;
	}

	private ConnectionOutput output() {
		return this.worker.output;
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
	public InputStream requestBody() {
		if (this.body == null) {
			this.body = openBody();
		}
		return this.body;
	}

	private InputStream openBody() {
		if (!this.head.isChunked() && this.head.contentLength() == 0) {
			return EMPTY;
		}
		CollectedBody collected = this.connection.body;
		InputStream source;
		if (collected != null && collected.spilled()) {
			source = collected.openSpilled();
		}
		else {
			this.input = new ConnectionInput(this.connection, this.worker.selector, this.config.timeout().toNanos(),
					this.head.headLength());
			if (collected == null) {
				// streamed: the application waits for the client, so the client must keep a pace
				this.input.minRate(this.config.minRequestBodyRate(), StarletConfig.MIN_BODY_RATE_GRACE.toNanos());
				if (this.head.expectsContinue()) {
					this.input.beforeFirstWait(this::sendContinue);
				}
			}
			source = this.input;
		}
		// Trailers are bounded like the header section; a chunked body by the same maximum that
		// refuses a declared Content-Length up front (413).
		return this.head.isChunked()
				? new ChunkedInputStream(source, this.config.maxChunkLineSize(),
						this.config.maxRequestHeaderSize(), this.config.maxRequestBodySize())
				: new FixedLengthInputStream(source, this.head.contentLength());
	}

	private void sendContinue() {
		if (this.committed || this.continueSent) {
			return;
		}
		this.continueSent = true;
		try {
			output().write(ResponseHead.CONTINUE);
			output().flush();
		}
		catch (IOException ex) {
			// The read that follows fails the same way.
		}
	}

	@Override
	public Fields requestTrailers() {
		if (this.body instanceof ChunkedInputStream chunked && chunked.isFinished()) {
			return chunked.trailers();
		}
		return new HttpFields();
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
		if (!this.committed) {
			this.status = status;
		}
	}

	@Override
	public int status() {
		return this.status;
	}

	@Override
	public HttpFields responseHeaders() {
		return this.responseHeaders;
	}

	@Override
	public boolean isCommitted() {
		return this.committed;
	}

	@Override
	public boolean isKeepAlive() {
		return this.committed ? this.keepAlive : keepAlivePermitted();
	}

	@Override
	public void setResponseTrailers(java.util.function.Supplier<java.util.Map<String, String>> trailers) {
		if (!this.committed) {
			this.trailers = trailers;
		}
	}

	@Override
	public void retireWorker() {
		this.worker.harakiri();
	}

	@Override
	public OutputStream responseBody() {
		return this.responseBody;
	}

	@Override
	public void commit(long contentLength) throws IOException {
		if (this.committed) {
			return;
		}
		this.committed = true;
		boolean keep = keepAlivePermitted();
		boolean noBody = isHead() || this.status == 204 || this.status == 304 || this.status < 200;
		long lengthHeader = -1;
		boolean chunked = false;
		ConnectionOutput out = output();
		if (noBody) {
			lengthHeader = (isHead() && contentLength >= 0) ? contentLength : -1;
			this.framed = OutputStream.nullOutputStream();
		}
		else if (contentLength >= 0 && (this.trailers == null || !this.head.isHttp11())) {
			lengthHeader = contentLength;
			this.framed = new FixedLengthOutputStream(out, contentLength);
		}
		else if (this.head.isHttp11()) {
			chunked = true;
			ChunkedOutputStream chunkedBody = new ChunkedOutputStream(out);
			chunkedBody.trailers(this.trailers);
			this.framed = chunkedBody;
		}
		else {
			// HTTP/1.0 and unknown length: the body ends when the connection does.
			keep = false;
			this.framed = new NonClosing(out);
		}
		this.keepAlive = keep;
		ResponseHead rh = this.worker.responseHead;
		rh.format(this.status, this.responseHeaders, this.config.serverHeader(), lengthHeader, chunked, !keep,
				keep && !this.head.isHttp11());
		out.write(rh.bytes(), 0, rh.length());
	}

	private boolean keepAlivePermitted() {
		return this.head.clientWantsKeepAlive() && !this.head.mustCloseAfterResponse()
				&& this.connection.requests < this.config.maxKeepaliveReqs() && this.worker.mayKeepAlive()
				&& !this.pool.isShuttingDown() && !handlerAskedToClose() && requestBodyMayBeDrained();
	}

	private boolean handlerAskedToClose() {
		String value = this.responseHeaders.get("Connection");
		return value != null && value.toLowerCase(java.util.Locale.ROOT).contains("close");
	}

	/** Whether what is left of the request body can be skipped cheaply (else close instead). */
	private boolean requestBodyMayBeDrained() {
		CollectedBody collected = this.connection.body;
		if (collected != null && collected.complete) {
			// all here: skipping it waits for nothing
			return !(this.body instanceof ChunkedInputStream chunked && chunked.hasFailed());
		}
		if (this.body == null) {
			// Never read: a client waiting for 100 Continue will not send it at all.
			return !this.head.expectsContinue() && (this.head.isChunked() || this.head.contentLength() <= DRAIN_LIMIT);
		}
		if (this.body instanceof FixedLengthInputStream fixed) {
			return fixed.remaining() <= DRAIN_LIMIT && (!this.head.expectsContinue() || this.continueSent || fixed.isFinished());
		}
		if (this.body instanceof ChunkedInputStream chunked) {
			return !chunked.hasFailed() && (!this.head.expectsContinue() || this.continueSent || chunked.isFinished());
		}
		return true;
	}

	private boolean drainRequestBody() {
		if (!requestBodyMayBeDrained()) {
			return false;
		}
		CollectedBody collected = this.connection.body;
		if (collected != null && collected.complete && !this.head.isChunked()) {
			// The end is known: skip to it. (A chunked body is still read through, so that the
			// strict decoder, not the collector's scan, decides where the next request starts.)
			if (!collected.spilled()) {
				this.connection.pos = collected.scanned;
			}
			return true;
		}
		InputStream in = requestBody();
		if (in == EMPTY) {
			return true;
		}
		boolean unbounded = collected != null && collected.complete;
		if (this.input != null) {
			// Don't trigger 100 Continue just to throw the body away.
			this.input.beforeFirstWait(null);
			this.input.timeoutNanos(Math.min(DRAIN_TIMEOUT_NANOS, this.config.timeout().toNanos()));
		}
		try {
			if (in.read() < 0) {
				return true; // the usual case: the application read the whole body
			}
			byte[] scratch = new byte[4096];
			long drained = 1;
			int n;
			while ((n = in.read(scratch)) >= 0) {
				drained += n;
				if (drained > DRAIN_LIMIT && !unbounded) {
					return false;
				}
			}
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Commits on first write, then passes bytes to the framing stream. */
	private final class ResponseBody extends OutputStream {

		@Override
		public void write(int b) throws IOException {
			ensureCommitted();
			ServerExchange.this.framed.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			ensureCommitted();
			ServerExchange.this.framed.write(b, off, len);
		}

		@Override
		public void flush() throws IOException {
			if (ServerExchange.this.committed) {
				ServerExchange.this.framed.flush();
			}
		}

		@Override
		public void close() throws IOException {
			ensureCommitted();
			ServerExchange.this.framed.close();
			output().flush();
		}

		private void ensureCommitted() throws IOException {
			if (!ServerExchange.this.committed) {
				commit(-1);
			}
		}

	}

	/** Close-delimited body: closing it must not close the worker's shared output. */
	private static final class NonClosing extends OutputStream {

		private final OutputStream target;

		NonClosing(OutputStream target) {
			this.target = target;
		}

		@Override
		public void write(int b) throws IOException {
			this.target.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.target.write(b, off, len);
		}

		@Override
		public void flush() throws IOException {
			this.target.flush();
		}

	}

}
