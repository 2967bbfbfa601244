package io.starlet.worker;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

import io.starlet.StarletConfig;
import io.starlet.http.ChunkedInputStream;
import io.starlet.http.Fields;
import io.starlet.http.FixedLengthInputStream;
import io.starlet.http.HttpFields;
import io.starlet.http.RequestHead;
import io.starlet.http.ResponseHead;
import io.starlet.net.CollectedBody;
import io.starlet.net.Connection;
import io.starlet.net.ConnectionInput;

/**
 * The request body of one {@link ServerExchange}: opened on the application's first read (from
 * the collected bytes, a spilled temp file, or streamed from the socket with {@code 100 Continue}
 * sent before the first wait), and after the response skipped to its end when that is cheap, so
 * that the connection can serve the next request.
 */
final class ExchangeRequestBody {

	/** Most unread request-body bytes skipped to keep a connection; beyond that it closes. */
	private static final long DRAIN_LIMIT = 64 * 1024;

	private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final InputStream EMPTY = InputStream.nullInputStream();

	private final ServerExchange exchange;

	private final RequestHead head;

	/** Set when the body is streamed from the socket (not collected whole, not spilled). */
	private ConnectionInput input;

	private InputStream body;

	private boolean continueSent;

	ExchangeRequestBody(ServerExchange exchange) {
		this.exchange = exchange;
		this.head = exchange.head;
	}

	/** The body as the application reads it, opened at the first call. */
	InputStream stream() {
		if (this.body == null) {
			this.body = open();
		}
		return this.body;
	}

	private InputStream open() {
		if (!this.head.isChunked() && this.head.contentLength() == 0) {
			return EMPTY;
		}
		Connection connection = this.exchange.connection;
		StarletConfig config = this.exchange.config;
		CollectedBody collected = connection.body();
		InputStream source;
		if (collected != null && collected.spilled()) {
			source = collected.openSpilled();
		}
		else {
			// suspended, the body is read off the worker that started the request: with a selector of
			// the exchange's own
			ExchangeSuspension s = this.exchange.suspension();
			this.input = new ConnectionInput(connection, (s != null) ? s.bodySelector() : this.exchange.worker.selector,
					config.timeout().toNanos(), this.head.headLength());
			if (collected == null) {
				// streamed: the application waits for the client, so the client must keep a pace
				this.input.minRate(this.exchange.pool.bodyCollector().minimumRate());
				if (this.head.expectsContinue()) {
					this.input.beforeFirstWait(this::sendContinue);
				}
			}
			source = this.input;
		}
		// Trailers are bounded like the header section; a chunked body by the same maximum that
		// refuses a declared Content-Length up front (413).
		return this.head.isChunked()
				? new ChunkedInputStream(source, config.maxChunkLineSize(), config.maxRequestHeaderSize(),
						config.maxRequestBodySize())
				: new FixedLengthInputStream(source, this.head.contentLength());
	}

	private void sendContinue() {
		ExchangeResponse response = this.exchange.response();
		if (response.isCommitted() || this.continueSent) {
			return;
		}
		this.continueSent = true;
		try {
			response.writeUnlessCommitted(ResponseHead.CONTINUE);
		}
		catch (IOException ex) {
			// The read that follows fails the same way.
		}
	}

	/** The exchange was suspended: a body still to be read waits with the suspension's selector. */
	void suspended(ExchangeSuspension suspension) {
		if (this.input != null && !isSettled()) {
			this.input.selector(suspension.bodySelector());
		}
	}

	/** Bytes of the body not read yet: -1 when unknown (chunked). */
	long remaining() {
		if (this.body == null) {
			return this.head.isChunked() ? -1 : this.head.contentLength();
		}
		if (this.body instanceof FixedLengthInputStream fixed) {
			return fixed.remaining();
		}
		return (this.body == EMPTY) ? 0 : -1;
	}

	Fields trailers() {
		if (this.body instanceof ChunkedInputStream chunked && chunked.isFinished()) {
			return chunked.trailers();
		}
		return new HttpFields();
	}

	/** Whether no byte of the request body is left for the application to read. */
	boolean isSettled() {
		if (!this.head.isChunked() && this.head.contentLength() == 0) {
			return true;
		}
		if (this.body instanceof FixedLengthInputStream fixed) {
			return fixed.isFinished();
		}
		if (this.body instanceof ChunkedInputStream chunked) {
			return chunked.isFinished();
		}
		return false;
	}

	/** Whether the client may still be sending some of the body: not all of it has reached the server. */
	boolean mayStillArrive() {
		if (isSettled()) {
			return false;
		}
		CollectedBody collected = this.exchange.connection.body();
		return collected == null || !collected.isComplete();
	}

	/** Whether what is left of the request body can be skipped cheaply (else close instead). */
	boolean mayBeDrained() {
		CollectedBody collected = this.exchange.connection.body();
		if (collected != null && collected.isComplete()) {
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

	/** Skips to the end of the body; false if that is not cheap or fails (then close). */
	boolean drain() {
		if (!mayBeDrained()) {
			return false;
		}
		Connection connection = this.exchange.connection;
		CollectedBody collected = connection.body();
		if (collected != null && collected.isComplete() && !this.head.isChunked()) {
			// The end is known: skip to it. (A chunked body is still read through, so that the
			// strict decoder, not the collector's scan, decides where the next request starts.)
			if (!collected.spilled()) {
				connection.consumedTo(collected.end());
			}
			return true;
		}
		InputStream in = stream();
		if (in == EMPTY) {
			return true;
		}
		boolean unbounded = collected != null && collected.isComplete();
		if (this.input != null) {
			// Don't trigger 100 Continue just to throw the body away.
			this.input.beforeFirstWait(null);
			this.input.timeoutNanos(Math.min(DRAIN_TIMEOUT_NANOS, this.exchange.config.timeout().toNanos()));
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

}
