package io.starlet.net;

import java.io.IOException;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.StarletConfig;
import io.starlet.http.BadRequestException;
import io.starlet.http.ChunkedBodyScanner;
import io.starlet.http.RequestHead;
import io.starlet.http.ResponseHead;
import io.starlet.http.Violation;

/**
 * Collects request bodies without blocking, so that a request reaches a worker only once its
 * whole body is here (as nginx's {@code proxy_request_buffering} does): a slow or stalled upload
 * costs a buffer or a temporary file, never a worker. The acceptor calls it as bytes arrive; a
 * worker that finds the next request on its connection calls it once, with what is already
 * there, and hands the connection back if the body is not complete.
 *
 * <p>A body stays in the connection's receive buffer when it is at most
 * {@code request-body-buffer-size} and the server-wide {@code request-body-memory} has room for
 * it; otherwise it goes to a temporary file. A {@code Content-Length} body is sized once, up
 * front; a chunked one grows in memory until it crosses either limit, and then moves to a file.
 *
 * <p>{@code Expect: 100-continue} is answered here, when collection starts: by then the head
 * has passed every check, a declared length above {@code max-request-body-size} has already been
 * refused with 413 (and no 100), and the body is about to be read.
 *
 * <p>A body whose file cannot be written (a full disk, a directory that cannot be created) is
 * answered {@code 500} ({@link Violation#BODY_NOT_STORED}) and its connection closed: the client
 * learns that the server failed, not that it vanished, and the log says what failed.
 */
public final class BodyCollector {

	private static final Logger logger = LoggerFactory.getLogger(BodyCollector.class);

	private static final TemporaryFile.FailureWarning fileFailure = new TemporaryFile.FailureWarning(logger);

	private final StarletConfig config;

	private final MinimumRate minimumRate;

	private final BufferBudget budget;

	private final Path tempDir;

	public BodyCollector(StarletConfig config, BufferBudget budget) {
		this.config = config;
		this.minimumRate = new MinimumRate(config.minRequestBodyRate(), StarletConfig.MIN_BODY_RATE_GRACE.toNanos());
		this.budget = budget;
		this.tempDir = (config.bodyTempDir() != null) ? config.bodyTempDir()
				: Path.of(System.getProperty("java.io.tmpdir"));
	}

	/** Where bodies (and held responses) too large for memory are written. */
	public Path tempDir() {
		return this.tempDir;
	}

	/** Whether the connection's parsed request has a body that must be collected first. */
	public boolean wants(Connection connection) {
		RequestHead head = connection.head;
		return this.config.requestBuffering() && (head.isChunked() || head.contentLength() > 0);
	}

	/** Reads per call of {@link #collectAvailable}, so that one fast upload cannot hog the acceptor. */
	private static final int MAX_READS = 16;

	/**
	 * Collects, reading what the socket has without waiting, until the body is complete or
	 * nothing more is there.
	 * @return whether the whole body is here
	 * @throws java.io.EOFException when the client closed before the body was complete
	 */
	public boolean collectAvailable(Connection connection) throws IOException {
		for (int reads = 0;; reads++) {
			if (collect(connection)) {
				return true;
			}
			if (reads == MAX_READS) {
				return false;
			}
			int n = connection.readNow();
			if (n < 0) {
				throw new java.io.EOFException("client closed the connection inside a request body");
			}
			if (n == 0) {
				return false;
			}
		}
	}

	/**
	 * Takes in the body bytes that have arrived since the last call (the first call starts the
	 * collection; the head is parsed and {@code connection.pos} is just past it).
	 * @return whether the whole body is here
	 * @throws BadRequestException 413 when a chunked body crosses {@code max-request-body-size}
	 * @throws IOException when the temporary file cannot be written, or 100 Continue not sent
	 */
	public boolean collect(Connection connection) throws IOException {
		CollectedBody body = connection.body();
		if (body == null) {
			body = start(connection);
		}
		if (body.complete) {
			return true;
		}
		byte[] buf = connection.buffer();
		int from = body.scanned;
		int to = connection.end();
		int bodyEnd;
		if (body.chunks != null) {
			bodyEnd = body.chunks.scan(buf, from, to);
		}
		else {
			bodyEnd = (to - from >= body.left) ? from + (int) body.left : -1;
		}
		int stop = (bodyEnd >= 0) ? bodyEnd : to;
		int taken = stop - from;
		if (taken > 0) {
			body.received += taken;
			connection.deadline(connection.clock().nanoTime() + this.config.timeout().toNanos());
		}
		if (body.chunks == null) {
			body.left -= taken;
		}
		if (body.spilled()) {
			spillTo(connection, body, stop);
		}
		else {
			body.scanned = stop;
		}
		if (bodyEnd >= 0) {
			body.complete = true;
			return true;
		}
		if (!body.spilled() && connection.end() == buf.length) {
			makeRoom(connection, body);
		}
		return false;
	}

	private CollectedBody start(Connection connection) throws IOException {
		RequestHead head = connection.head;
		ChunkedBodyScanner chunks = head.isChunked() ? new ChunkedBodyScanner(this.config.maxChunkLineSize(),
				this.config.maxRequestHeaderSize(), this.config.maxRequestBodySize()) : null;
		CollectedBody body = new CollectedBody(head.contentLength(), chunks, connection.pos(), connection.clock().nanoTime());
		connection.collect(body);
		if (chunks == null) {
			long need = connection.pos() + head.contentLength();
			if (need > connection.buffer().length && (head.contentLength() > this.config.requestBodyBufferSize()
					|| !connection.growTo((int) need, this.budget))) {
				spill(connection, body);
			}
		}
		if (head.expectsContinue() && connection.end() == connection.pos()) {
			if (!connection.writeNow(ResponseHead.CONTINUE)) {
				throw new IOException("could not send 100 Continue");
			}
		}
		return body;
	}

	/** A chunked body filled the buffer: grow it within both limits, or move the body to a file. */
	private void makeRoom(Connection connection, CollectedBody body) throws IOException {
		byte[] buf = connection.buffer();
		long inMemory = connection.buffered();
		long limit = (long) connection.pos() + this.config.requestBodyBufferSize();
		int next = (int) Math.min(limit, 2L * buf.length);
		if (inMemory < this.config.requestBodyBufferSize() && next > buf.length
				&& connection.growTo(next, this.budget)) {
			return;
		}
		spill(connection, body);
		spillTo(connection, body, connection.end());
		connection.shrink();
	}

	/** Starts the body's temporary file. */
	private void spill(Connection connection, CollectedBody body) throws BadRequestException {
		try {
			body.spill(this.tempDir);
		}
		catch (IOException ex) {
			throw notStored(connection, ex);
		}
	}

	/** Moves the body's bytes before {@code stop} from the receive buffer to its file. */
	private void spillTo(Connection connection, CollectedBody body, int stop) throws BadRequestException {
		try {
			connection.spillTo(body, stop);
		}
		catch (IOException ex) {
			throw notStored(connection, ex);
		}
	}

	private BadRequestException notStored(Connection connection, IOException ex) {
		fileFailure.log(connection.clock().nanoTime(), "Could not write a request body to a temporary file in {} "
				+ "({}); the request was answered 500", this.tempDir, ex.toString());
		return new BadRequestException(Violation.BODY_NOT_STORED, "the request body could not be stored");
	}

	/** Heap held by bodies in memory now. */
	public long bufferedBytes() {
		return this.budget.used();
	}

	/** Whether the body has arrived too slowly: below the minimum rate after the grace period. */
	public boolean tooSlow(CollectedBody body, long now) {
		return this.minimumRate.isBehind(body.started, body.received, now);
	}

	/** {@code min-request-body-rate}, for collected bodies here and for streamed ones on the workers. */
	public MinimumRate minimumRate() {
		return this.minimumRate;
	}

}
