package io.starlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;

import io.starlet.http.BadRequestException;
import io.starlet.http.Fields;
import io.starlet.http.HttpFields;

/**
 * One HTTP request and its response, as a worker serves it. Implemented by the engine; the
 * servlet container (or a plain {@link Handler}) reads the request and writes the response here.
 *
 * <p>The request head has been parsed and validated before the handler sees it: the method is a
 * token, the target is well formed, {@code Host} is present for HTTP/1.1, and the body framing is
 * unambiguous. {@link #requestBody()} reads exactly this request's body, de-chunked, and sends
 * {@code 100 Continue} on the first read when the client asked for it.
 *
 * <p>The response is committed by the first of {@link #commit(long)}, a write to
 * {@link #responseBody()} or the handler returning. Until then status and headers may change.
 */
public interface Exchange {

	// --- request ----------------------------------------------------------------------------

	/** The request method, e.g. {@code GET}. */
	String method();

	/** The request target exactly as sent: {@code /a/b?x=1}, {@code *}, or an absolute URI. */
	String target();

	/** The path part of an origin- or absolute-form target, still percent-encoded. */
	String path();

	/** The query part of the target without {@code ?}, still encoded; {@code null} when absent. */
	String query();

	/** {@code HTTP/1.0} or {@code HTTP/1.1}. */
	String protocol();

	/** The request's header fields. */
	Fields requestHeaders();

	/**
	 * The declared body length: {@code Content-Length}, 0 when the request has no body, or -1 for
	 * a chunked body.
	 */
	long requestContentLength();

	/**
	 * The request body, framed by {@code Content-Length} or chunked coding. Never null. A read
	 * fails with an exception that {@link #isRequestBodyFailure} recognises when the body breaks
	 * its framing or the client stops sending it.
	 */
	InputStream requestBody();

	/**
	 * Bytes of a {@code Content-Length} body that {@link #requestBody()} has not returned yet
	 * (0 when there is no body); -1 for a chunked body, whose rest is unknown until its last chunk.
	 */
	long requestBodyRemaining();

	/**
	 * Whether {@code failure} is how a read of {@link #requestBody()} fails on the protocol's
	 * side: the body broke its framing (400) or the client stopped sending it (408). The engine
	 * answers such a failure itself when it escapes the handler, before anything is committed; a
	 * handler that catches exceptions (a servlet container's error pages) lets these through.
	 */
	static boolean isRequestBodyFailure(Throwable failure) {
		return failure instanceof BadRequestException || failure instanceof SocketTimeoutException;
	}

	/** Trailer fields of a chunked request; empty until the body has been read to its end. */
	Fields requestTrailers();

	/** The peer; for a UNIX-domain socket a {@code UnixDomainSocketAddress}. */
	SocketAddress remoteAddress();

	/** The local address the connection came in on. */
	SocketAddress localAddress();

	/** A number unique to this request within the server's run. */
	long requestId();

	/** A number unique to this connection within the server's run. */
	long connectionId();

	/** The worker serving this request. */
	WorkerInfo worker();

	// --- response ---------------------------------------------------------------------------

	/** Sets the status; ignored once committed. Default 200. */
	void setStatus(int status);

	int status();

	/**
	 * The response headers to send. Framing headers ({@code Content-Length},
	 * {@code Transfer-Encoding}, {@code Connection}) are the engine's: values set here for them
	 * are ignored, except that {@code Connection: close} closes the connection after the response.
	 */
	HttpFields responseHeaders();

	/**
	 * Commits status and headers. {@code contentLength} ≥ 0 sends {@code Content-Length};
	 * -1 sends the body chunked (HTTP/1.1) or delimited by closing the connection (HTTP/1.0).
	 * The head may stay buffered until body bytes follow or the exchange ends, so that a small
	 * response leaves in one write.
	 */
	void commit(long contentLength) throws IOException;

	boolean isCommitted();

	/**
	 * The response body. The first write commits with unknown length (see {@link #commit}).
	 * {@code flush()} sends what is buffered to the client; {@code close()} ends the body.
	 * Writes beyond a declared {@code Content-Length} fail.
	 */
	OutputStream responseBody();

	/**
	 * Trailer fields to send after the body, asked for when it ends. Setting them (before the
	 * commit) makes an HTTP/1.1 response chunked even when its length is known; an HTTP/1.0 client
	 * cannot receive trailers, so they are dropped there.
	 */
	void setResponseTrailers(java.util.function.Supplier<java.util.Map<String, String>> trailers);

	/** True for {@code HEAD}: headers are sent, body bytes are counted but discarded. */
	default boolean isHead() {
		return "HEAD".equals(method());
	}

	// --- connection and worker ---------------------------------------------------------------

	/**
	 * Starlet's "harakiri": the worker retires after this response (it gets
	 * {@code Connection: close}), runs its child-exit hooks and is replaced.
	 */
	void retireWorker();

	/**
	 * Whether the connection may serve another request after this one, as far as is known now
	 * (budgets, client's wish, shutdown). The final decision is made when the response commits.
	 */
	boolean isKeepAlive();

	/**
	 * Suspends the exchange: when the handler returns, the worker is released, and the response
	 * is completed later by {@link Suspension#finish()} from any thread (the servlet container's
	 * {@code startAsync}). Call it on the worker that runs the handler; calling it again returns
	 * the same handle.
	 * @throws UnsupportedOperationException if this exchange cannot be suspended
	 */
	default Suspension suspend() {
		throw new UnsupportedOperationException("This exchange cannot be suspended");
	}

	/**
	 * Asks to switch the connection to another protocol once the handler returns: if the status
	 * is {@code 101} by then, the engine sends the head (the status, the handler's headers
	 * including {@code Connection: Upgrade}, never a body or framing headers), takes the
	 * connection out of HTTP and calls {@link Upgrade.Listener#onUpgraded()} on the same worker;
	 * with any other status the upgrade is dropped and the response sent as usual. The connection
	 * is then held by the acceptor without a worker; see {@link Upgrade}. Call it on the worker
	 * that runs the handler.
	 * @throws IllegalStateException if the exchange is suspended, committed or already upgrading
	 * @throws UnsupportedOperationException if this exchange cannot be upgraded
	 */
	default Upgrade upgrade(Upgrade.Listener listener) {
		throw new UnsupportedOperationException("This exchange cannot be upgraded");
	}

}
