package io.starlet.servlet;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Upgrade;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

/**
 * {@code HttpServletRequest.upgrade} and the {@link WebConnection} its handler gets, on top of the
 * engine's {@link Upgrade}. The contract (a WebSocket layer codes against exactly this):
 *
 * <ol>
 * <li>{@code request.upgrade(cls)} instantiates {@code cls} (public no-arg constructor, as the
 * context creates servlets) and returns it. It is refused ({@link IllegalStateException}) if async
 * was started, the response is committed, or the request is already upgrading. The application
 * sets status 101 and the {@code Upgrade}, {@code Connection: Upgrade} and {@code Sec-WebSocket-*}
 * headers itself. When the request's dispatch returns (filters unwound) the engine sends the head:
 * status 101, the application's headers, {@code Connection} kept, no {@code Content-Length},
 * {@code Transfer-Encoding} or body. If the status is not 101 by then, the upgrade is cancelled
 * (the handler is dropped, neither {@code init} nor {@code destroy} runs) and the response is sent
 * as usual.</li>
 * <li>Then {@code handler.init(webConnection)} runs, on that worker, after the 101 head is
 * written; the worker then returns to the pool. Bytes the client sent after the request head are
 * already buffered as input: none is lost.</li>
 * <li>Input, {@link #getInputStream()}: the handler calls {@code setReadListener} (in
 * {@code init}). When bytes are available a worker runs {@code onDataAvailable()}; inside it
 * {@code isReady()} is true while buffered bytes remain and {@code read(byte[], int, int)} returns
 * them without blocking. Once the buffer is empty (when {@code isReady()} returns false, or the
 * callback returns), the acceptor reads the socket again and the next bytes bring a new
 * {@code onDataAvailable()}. Bytes left unread when the callback returns stay buffered and the
 * socket is not read meanwhile (back-pressure) until {@code isReady()} is called again. Client
 * EOF: {@code onAllDataRead()}, then the connection closes. A read error or reset:
 * {@code onError(t)}. {@code read} never blocks: it returns 0 bytes only when not ready, -1 at
 * EOF; the single-byte {@code read()} throws {@link IllegalStateException} when not ready.</li>
 * <li>Output, {@link #getOutputStream()}: thread-safe, callable from any thread. {@code write}
 * never blocks: bytes go to the connection's outbound buffer; {@code flush()} starts sending
 * (directly when nothing is queued, else the acceptor finishes with {@code OP_WRITE}; more than
 * {@link Upgrade#WRITE_READY_LIMIT} buffered starts it too). {@code isReady()} is false while
 * more than {@link Upgrade#WRITE_READY_LIMIT} (64 KiB) is unsent; when it drains below after
 * {@code isReady()} returned false, {@code WriteListener.onWritePossible()} runs on a worker
 * (also once after {@code setWriteListener} when ready). Writing while not ready still buffers,
 * up to {@link Upgrade#WRITE_CAP} (1 MiB), beyond which {@code write} throws
 * {@link IOException}; a write made while ready is taken whole, however large. Unsent bytes that make no progress for the write {@code timeout} close the
 * connection, and {@code onError(SocketTimeoutException)} goes to the read listener (to the write
 * listener if there is none). {@code close()} on the stream only flushes.</li>
 * <li>Serialisation: for one connection at most one callback ({@code init}, onDataAvailable,
 * onAllDataRead, onWritePossible, onError, {@code destroy}) runs at a time, in order. Different
 * connections run in parallel on different workers. Callbacks count as busy workers within
 * {@code max-workers}; they wait in the queue like requests but are never answered 503, and
 * {@code queue-timeout} does not apply to them. A callback that throws ends the connection with
 * {@code onError} of that exception.</li>
 * <li>{@link #close()} (any thread) flushes what is buffered (bounded by the write timeout) and
 * closes the socket. {@code handler.destroy()} runs exactly once, on a worker or the stopping
 * thread, after the connection ends for any reason: close(), client EOF after onAllDataRead, an
 * error, server stop.</li>
 * <li>No engine timeout applies to an idle upgraded connection (not {@code keepalive-timeout}, nor
 * {@code timeout} for reading); the protocol sets its own. It is not a request in flight for a
 * graceful shutdown's drain. On stop (graceful or not) the context's {@code contextDestroyed}
 * listeners run while upgraded connections are still open and can still write and flush (not
 * read); then each is flushed (at most a second in all), closed, and its handler destroyed, on the
 * thread that destroys the container ({@link ServletContainer#destroy()}).</li>
 * <li>{@link io.starlet.ServerStats#upgradedConnections()} counts them; they count in
 * {@code max-connections}.</li>
 * </ol>
 *
 * The request and response objects must not be used after the dispatch returns.
 */
final class UpgradedWebConnection implements WebConnection, Upgrade.Listener {

	private static final Logger logger = LoggerFactory.getLogger(UpgradedWebConnection.class);

	private final HttpUpgradeHandler handler;

	private final ClassLoader classLoader;

	private final Input input = new Input();

	private final Output output = new Output();

	private Upgrade upgrade;

	/** Set by the handler (normally in init); read by callbacks on other workers. */
	private volatile ReadListener readListener;

	private volatile WriteListener writeListener;

	private UpgradedWebConnection(HttpUpgradeHandler handler, ClassLoader classLoader) {
		this.handler = handler;
		this.classLoader = classLoader;
	}

	/** {@code HttpServletRequest.upgrade}: see the class comment, point 1. */
	static <T extends HttpUpgradeHandler> T upgrade(ContainerRequest request, Class<T> handlerClass)
			throws ServletException {
		if (request.isAsyncStarted()) {
			throw new IllegalStateException("upgrade() after startAsync()");
		}
		if (request.response.isCommitted()) {
			throw new IllegalStateException("upgrade() after the response was committed");
		}
		T handler = request.context.instantiate(handlerClass);
		UpgradedWebConnection connection = new UpgradedWebConnection(handler, request.context.getClassLoader());
		connection.upgrade = request.exchange.upgrade(connection);
		return handler;
	}

	// --- WebConnection --------------------------------------------------------------------------

	@Override
	public ServletInputStream getInputStream() {
		return this.input;
	}

	@Override
	public ServletOutputStream getOutputStream() {
		return this.output;
	}

	@Override
	public void close() {
		this.upgrade.close();
	}

	// --- the engine's callbacks -----------------------------------------------------------------

	private interface Action {

		void run() throws Exception;

	}

	/** Runs application code with the context's class loader, as a request would. */
	private void withClassLoader(Action action) throws Exception {
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(this.classLoader);
		try {
			action.run();
		}
		finally {
			thread.setContextClassLoader(previous);
		}
	}

	@Override
	public void onUpgraded() throws Exception {
		withClassLoader(() -> this.handler.init(this));
	}

	@Override
	public void onReadable() throws Exception {
		ReadListener listener = this.readListener;
		if (listener != null) {
			withClassLoader(listener::onDataAvailable);
		}
	}

	@Override
	public void onEndOfInput() throws Exception {
		ReadListener listener = this.readListener;
		if (listener != null) {
			withClassLoader(listener::onAllDataRead);
		}
	}

	@Override
	public void onWritable() throws Exception {
		WriteListener listener = this.writeListener;
		if (listener != null) {
			withClassLoader(listener::onWritePossible);
		}
	}

	@Override
	public void onError(Throwable error) {
		ReadListener read = this.readListener;
		WriteListener write = this.writeListener;
		try {
			if (read != null) {
				withClassLoader(() -> read.onError(error));
			}
			else if (write != null) {
				withClassLoader(() -> write.onError(error));
			}
		}
		catch (Exception ex) {
			logger.warn("onError of an upgraded connection failed", ex);
		}
	}

	@Override
	public void onClosed() {
		try {
			withClassLoader(this.handler::destroy);
		}
		catch (Exception ex) {
			logger.warn("HttpUpgradeHandler.destroy failed", ex);
		}
	}

	// --- streams --------------------------------------------------------------------------------

	private final class Input extends ServletInputStream {

		@Override
		public boolean isFinished() {
			return UpgradedWebConnection.this.upgrade.isInputFinished();
		}

		@Override
		public boolean isReady() {
			Upgrade u = UpgradedWebConnection.this.upgrade;
			if (u.available() > 0) {
				return true;
			}
			// the acceptor reads again; the next bytes bring onDataAvailable
			u.demand();
			return false;
		}

		@Override
		public void setReadListener(ReadListener listener) {
			if (listener == null) {
				throw new NullPointerException("listener");
			}
			if (UpgradedWebConnection.this.readListener != null) {
				throw new IllegalStateException("The read listener is already set");
			}
			UpgradedWebConnection.this.readListener = listener;
			// bytes that came before the listener (behind the handshake) must not wait unseen
			UpgradedWebConnection.this.upgrade.demand();
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			int n = read(one, 0, 1);
			if (n == 0) {
				throw new IllegalStateException("No data available: check isReady() first");
			}
			return (n < 0) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			return UpgradedWebConnection.this.upgrade.read(b, off, len);
		}

		@Override
		public int available() {
			return UpgradedWebConnection.this.upgrade.available();
		}

		@Override
		public void close() {
			// the connection ends with WebConnection.close()
		}

	}

	private final class Output extends ServletOutputStream {

		@Override
		public boolean isReady() {
			return UpgradedWebConnection.this.upgrade.isWriteReady();
		}

		@Override
		public void setWriteListener(WriteListener listener) {
			if (listener == null) {
				throw new NullPointerException("listener");
			}
			if (UpgradedWebConnection.this.writeListener != null) {
				throw new IllegalStateException("The write listener is already set");
			}
			UpgradedWebConnection.this.writeListener = listener;
			UpgradedWebConnection.this.upgrade.demandWritable();
		}

		@Override
		public void write(int b) throws IOException {
			UpgradedWebConnection.this.upgrade.write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			UpgradedWebConnection.this.upgrade.write(b, off, len);
		}

		@Override
		public void flush() throws IOException {
			UpgradedWebConnection.this.upgrade.flush();
		}

		@Override
		public void close() throws IOException {
			if (UpgradedWebConnection.this.upgrade.isOpen()) {
				flush();
			}
		}

	}

}
