package io.starlet.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.http.ChunkedOutputStream;
import io.starlet.http.FixedLengthOutputStream;
import io.starlet.http.HttpFields;
import io.starlet.http.RequestHead;
import io.starlet.http.ResponseHead;
import io.starlet.net.ConnectionOutput;

/**
 * The response side of one {@link ServerExchange}: status and headers until the commit, the head
 * and the body's framing (Content-Length, chunked, close-delimited, none, or the 101 switch) at
 * the commit, then the body the handler writes ({@link #write}: this object is the stream
 * {@code Exchange.responseBody()} returns).
 *
 * <p>Bytes go to the worker's output, or once the exchange is suspended to an output of the
 * exchange's own, taken from the pool at the first write. While suspended every write holds the
 * suspension's output lock, since application threads and the engine may write concurrently.
 */
final class ExchangeResponse extends OutputStream {

	private static final Logger logger = LoggerFactory.getLogger(ExchangeResponse.class);

	private final ServerExchange exchange;

	private int status = 200;

	private final HttpFields headers = new HttpFields();

	private boolean committed;

	private boolean keepAlive;

	/** The framing stream the body goes through once committed; it writes to {@link #sink}. */
	private OutputStream framed;

	private Supplier<Map<String, String>> trailers;

	/** Where the framed response goes: the worker's output, or once suspended the exchange's own. */
	private ConnectionOutput out;

	private final Sink sink = new Sink();

	ExchangeResponse(ServerExchange exchange, ConnectionOutput workerOutput) {
		this.exchange = exchange;
		this.out = workerOutput;
	}

	int status() {
		return this.status;
	}

	void status(int status) {
		if (!this.committed) {
			this.status = status;
		}
	}

	HttpFields headers() {
		return this.headers;
	}

	boolean isCommitted() {
		return this.committed;
	}

	/** Whether the committed response lets the connection live on. */
	boolean keepAlive() {
		return this.keepAlive;
	}

	/** What is left of the request body could not be skipped: the connection closes after all. */
	void closeAfter() {
		this.keepAlive = false;
	}

	void trailers(Supplier<Map<String, String>> trailers) {
		if (!this.committed) {
			this.trailers = trailers;
		}
	}

	/** Whether the committed head is a 101 whose connection leaves HTTP. */
	boolean isSwitched() {
		return this.framed instanceof SwitchedBody;
	}

	/**
	 * Takes the response as answered by the engine itself (a 503 written straight to the socket);
	 * false if something was committed already. With the output lock held.
	 */
	boolean takeOver() {
		if (this.committed) {
			return false;
		}
		this.committed = true;
		return true;
	}

	// --- locking --------------------------------------------------------------------------------

	/** Takes the suspension's output lock if the exchange is suspended; returns it, else null. */
	private ReentrantLock lockIfSuspended() {
		return lock(this.exchange.suspension());
	}

	private static ReentrantLock lock(ExchangeSuspension s) {
		if (s == null) {
			return null;
		}
		s.outLock.lock();
		return s.outLock;
	}

	private static void unlock(ReentrantLock lock) {
		if (lock != null) {
			lock.unlock();
		}
	}

	// --- the body, as the handler writes it -----------------------------------------------------

	@Override
	public void write(int b) throws IOException {
		ReentrantLock lock = lockIfSuspended();
		try {
			ensureCommitted();
			this.framed.write(b);
		}
		finally {
			unlock(lock);
		}
	}

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		ReentrantLock lock = lockIfSuspended();
		try {
			ensureCommitted();
			this.framed.write(b, off, len);
		}
		finally {
			unlock(lock);
		}
	}

	@Override
	public void flush() throws IOException {
		ReentrantLock lock = lockIfSuspended();
		try {
			if (this.committed) {
				this.framed.flush();
			}
		}
		finally {
			unlock(lock);
		}
	}

	@Override
	public void close() throws IOException {
		ReentrantLock lock = lockIfSuspended();
		try {
			ensureCommitted();
			this.framed.close();
			this.sink.flush();
		}
		finally {
			unlock(lock);
		}
	}

	private void ensureCommitted() throws IOException {
		if (!this.committed) {
			commit(-1);
		}
	}

	// --- the engine's side ----------------------------------------------------------------------

	/** Writes the head and chooses the body's framing; nothing if already committed. */
	void commit(long contentLength) throws IOException {
		ExchangeSuspension s = this.exchange.suspension();
		if (s == null) {
			doCommit(contentLength, this.exchange.worker.responseHead);
			return;
		}
		s.outLock.lock();
		try {
			// off the worker, the worker's head writer may be formatting another response
			doCommit(contentLength, new ResponseHead(this.exchange.pool.wallClock()));
		}
		finally {
			s.outLock.unlock();
		}
	}

	private void doCommit(long contentLength, ResponseHead rh) throws IOException {
		if (this.committed) {
			return;
		}
		this.committed = true;
		String serverHeader = this.exchange.config.serverHeader();
		if (this.exchange.isUpgrading() && this.status == 101) {
			this.keepAlive = false;
			this.framed = new SwitchedBody();
			rh.formatSwitching(this.headers, serverHeader);
			this.sink.write(rh.bytes(), 0, rh.length());
			return;
		}
		RequestHead head = this.exchange.head;
		boolean keep = this.exchange.keepAlivePermitted();
		boolean isHead = "HEAD".equals(head.method());
		boolean noContent = this.status < 200 || this.status == 204 || this.status == 205 || this.status == 304;
		long lengthHeader = -1;
		boolean chunked = false;
		// framing streams write through the sink, which follows the exchange to its own output
		// if it is suspended
		OutputStream target = this.sink;
		if (isHead || noContent) {
			// Whatever the handler writes goes nowhere, and the head ends the response (RFC 9112
			// §6.3 (1)), so the connection stays in step and lives on. A 205 must say its content
			// is empty (RFC 9110 §15.3.6); 1xx, 204 and 304 announce no length (§8.6); a HEAD of
			// any other status announces the length it was given, if any.
			lengthHeader = (this.status == 205) ? 0 : (isHead && !noContent && contentLength >= 0) ? contentLength : -1;
			this.framed = new NoBody(target);
		}
		else if (contentLength >= 0 && (this.trailers == null || !head.isHttp11())) {
			lengthHeader = contentLength;
			this.framed = new FixedLengthOutputStream(target, contentLength);
		}
		else if (head.isHttp11()) {
			chunked = true;
			ChunkedOutputStream chunkedBody = new ChunkedOutputStream(target);
			chunkedBody.trailers(this.trailers);
			this.framed = chunkedBody;
		}
		else {
			// HTTP/1.0 and unknown length: the body ends when the connection does.
			keep = false;
			this.framed = new NonClosing(target);
		}
		this.keepAlive = keep;
		rh.format(this.status, this.headers, serverHeader, lengthHeader, chunked, !keep, keep && !head.isHttp11());
		target.write(rh.bytes(), 0, rh.length());
	}

	/**
	 * Commits if the handler did not, ends the body's framing and flushes: returns whether the
	 * response allows keep-alive (a body short of its Content-Length does not).
	 */
	boolean finish() throws IOException {
		ReentrantLock lock = lockIfSuspended();
		try {
			if (!this.committed) {
				commit(0);
			}
			this.framed.close();
			if (this.framed instanceof FixedLengthOutputStream fixed && fixed.remaining() > 0) {
				logger.warn("Response to {} {} ended {} bytes short of its Content-Length; closing the connection",
						this.exchange.head.method(), this.exchange.head.target(), fixed.remaining());
				this.keepAlive = false;
			}
			out().flush();
		}
		finally {
			unlock(lock);
		}
		return this.keepAlive;
	}

	/** An engine response (error, 100 Continue) straight to the output, if nothing was committed. */
	void writeUnlessCommitted(byte[] response) throws IOException {
		ExchangeSuspension s = this.exchange.suspension();
		ReentrantLock lock = lock(s);
		try {
			if (!this.committed && (s == null || !s.outputClosed)) {
				ConnectionOutput o = out();
				o.write(response);
				o.flush();
			}
		}
		finally {
			unlock(lock);
		}
	}

	/** Flushes the worker's output once more and leaves it: the worker lends it to its next connection. */
	void leaveWorkerOutput() {
		try {
			// the exchange's own output writes straight to the socket: nothing may wait before it
			this.out.flushAndAwaitSent();
		}
		catch (IOException ex) {
			// the client is gone: the next write fails the same way
		}
		// the exchange's own output is taken at its first write (a long poll writes only in its
		// ASYNC dispatch, and thousands of them need no buffer meanwhile)
		this.out = null;
	}

	/** Flushes what the worker's output holds (before the connection leaves HTTP). */
	void flushOutput() throws IOException {
		this.out.flushAndAwaitSent();
	}

	/**
	 * The output to write to: the worker's, or once suspended the exchange's own, taken from the
	 * pool's spares at the first write. Suspended, only with the output lock held.
	 */
	private ConnectionOutput out() {
		ConnectionOutput o = this.out;
		if (o == null) {
			WorkerPool pool = this.exchange.pool;
			o = pool.spares().takeOutput();
			o.attachBorrowing(this.exchange.connection, pool.spares(), this.exchange.config.timeout().toNanos());
			this.exchange.suspension().own = o;
			this.out = o;
		}
		return o;
	}

	/**
	 * The framing streams' target: the worker's output, or the exchange's own once it is
	 * suspended. Every path here (body writes, commit, finish) holds the output lock while
	 * suspended; a write fails once the exchange is over (its output may serve another by then).
	 */
	private final class Sink extends OutputStream {

		@Override
		public void write(int b) throws IOException {
			target().write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			target().write(b, off, len);
		}

		@Override
		public void flush() throws IOException {
			target().flush();
		}

		private ConnectionOutput target() throws IOException {
			ExchangeSuspension s = ExchangeResponse.this.exchange.suspension();
			if (s == null) {
				return ExchangeResponse.this.out;
			}
			assert s.outLock.isHeldByCurrentThread() : "a suspended exchange writes with its output lock held";
			if (s.outputClosed) {
				throw new IOException("The response is complete");
			}
			return out();
		}

	}

	/** The body of a 101 response: there is none, and the engine's framing stays out. */
	private static final class SwitchedBody extends OutputStream {

		@Override
		public void write(int b) {
			// no body after 101: the new protocol's bytes go through the Upgrade handle
		}

	}

	/**
	 * The body of a HEAD, 1xx, 204, 205 or 304 response: the bytes written go nowhere, but a flush
	 * still sends what was committed, so the head of a flushed response leaves at the flush, as
	 * any other response's does, not when the handler returns.
	 */
	private static final class NoBody extends OutputStream {

		private final OutputStream target;

		NoBody(OutputStream target) {
			this.target = target;
		}

		@Override
		public void write(int b) {
		}

		@Override
		public void write(byte[] b, int off, int len) {
		}

		@Override
		public void flush() throws IOException {
			this.target.flush();
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
