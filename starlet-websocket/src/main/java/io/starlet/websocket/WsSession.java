package io.starlet.websocket;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.WebConnection;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Extension;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import jakarta.websocket.server.ServerEndpointConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection after the upgrade: the {@link Session} the application sees, and the
 * {@link FrameListener} of its parser.
 *
 * <p>Threads. The engine runs {@code onDataAvailable}, {@code onWritePossible} and the other
 * callbacks on a worker, one at a time per connection; bytes are parsed and every complete
 * message is delivered on that worker, so one session's messages arrive in order, one at a time.
 * Endpoint callbacks ({@code onOpen}, messages, {@code onError}, {@code onClose}) all run holding
 * {@link #lock}, so a close started from another thread (idle timeout, server stop,
 * {@code session.close()} from an application thread) never runs {@code onClose} while a message
 * is being handled: when the lock is taken, it leaves {@code onClose} to the callback that holds it.
 *
 * <p>Close. {@code onClose} runs exactly once: when the client's Close arrives (answered with the
 * same code), when this side closes (the Close frame is sent, and the connection is closed when
 * the client answers or after {@link #CLOSE_TIMEOUT_MS}), on a protocol violation (after
 * {@code onError}, with the violation's code), or with 1006 when the connection ends without a
 * Close.
 *
 * <p>Sending lives in {@link SessionSender} and the idle timeout in {@link IdleTimeout}. What is
 * left is one class on purpose: the engine's callbacks, the parser's events and the close all
 * decide under {@link #lock} with the same flags ({@code open}, {@code closeSent},
 * {@code closeFired}, {@code pendingClose}); the rest is {@code Session}'s thirty-odd getters
 * and setters, a line or two each.
 */
final class WsSession implements Session, FrameListener {

	private static final Logger logger = LoggerFactory.getLogger(WsSession.class);

	/**
	 * Reading stops while more than this waits in the output queue (a client that sends but does
	 * not read, and an endpoint that answers every message), and resumes from onWritePossible.
	 */
	static final long PAUSE_READING = 1024 * 1024;

	/** How long to wait for the client's Close after ours before closing the connection. */
	static final long CLOSE_TIMEOUT_MS = 5000;

	private final StarletServerContainer container;

	private final String id;

	private final Endpoint endpoint;

	private final ServerEndpointConfig config;

	private final Handshaken handshake;

	private final Map<String, Object> userProperties;

	private final Inbound inbound = new Inbound();

	private final ReentrantLock lock = new ReentrantLock();

	private final AtomicBoolean closeSent = new AtomicBoolean();

	private final AtomicBoolean closeFired = new AtomicBoolean();

	private final IdleTimeout idle;

	private final SessionSender sender;

	private final Remote.Basic basic;

	private final Remote.Async async;

	private volatile boolean open;

	private volatile int maxTextSize;

	private volatile int maxBinarySize;

	private volatile Thread callbackThread;

	/** Reading stopped for {@link #PAUSE_READING}; only touched inside callbacks. */
	private volatile boolean readingPaused;

	/** A close decided while another thread held the lock; its holder runs onClose with this. */
	private volatile CloseReason pendingClose;

	// Set in start() before open becomes true (a volatile write); volatile for the threads that
	// send without reading open first (Remote.data reads it, the timer does not).
	private volatile WebConnection connection;

	private volatile FrameParser parser;

	private volatile Codecs codecs;

	private byte[] readBuffer;

	/** What the handshake learned about the client, kept for the session's getters. */
	/**
	 * What the handshake settled; {@code deflate} when permessage-deflate was negotiated
	 * ({@link PerMessageDeflate}).
	 */
	record Handshaken(URI requestUri, String queryString, Map<String, List<String>> parameters,
			Map<String, String> pathParameters, Principal principal, String subprotocol, boolean secure,
			boolean deflate) {
	}

	WsSession(StarletServerContainer container, String id, Endpoint endpoint, ServerEndpointConfig config,
			Handshaken handshake) {
		this.container = container;
		this.id = id;
		this.endpoint = endpoint;
		this.config = config;
		this.handshake = handshake;
		this.userProperties = new ConcurrentHashMap<>(config.getUserProperties());
		this.idle = new IdleTimeout(this, container, container.getDefaultMaxSessionIdleTimeout());
		this.sender = new SessionSender(this, container, this.idle);
		this.maxTextSize = container.getDefaultMaxTextMessageBufferSize();
		this.maxBinarySize = container.getDefaultMaxBinaryMessageBufferSize();
		this.basic = new Remote.Basic(this);
		this.async = new Remote.Async(this, container.getDefaultAsyncSendTimeout());
	}

	// --- the engine's callbacks ----------------------------------------------------------------

	/** {@code HttpUpgradeHandler.init}: the 101 is out; open the session. */
	void start(WebConnection connection) throws IOException {
		this.connection = connection;
		this.sender.open(new Outbound(connection.getOutputStream(), this::closeConnection));
		this.parser = new FrameParser(this, this.maxTextSize, this.maxBinarySize, handshake.deflate());
		this.readBuffer = new byte[16 * 1024];
		connection.getOutputStream().setWriteListener(new WriteListener() {

			@Override
			public void onWritePossible() {
				writable();
			}

			@Override
			public void onError(Throwable t) {
				failed(t);
			}

		});
		this.open = true;
		this.container.opened(this);
		enter();
		try {
			this.codecs = new Codecs(this.config);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.error("Cannot create the encoders and decoders of {}", this.config.getEndpointClass().getName(), ex);
			closeQuietly(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "Cannot create the codecs"));
		}
		try {
			if (this.codecs != null) {
				this.endpoint.onOpen(this, this.config);
			}
		}
		catch (Throwable ex) {
			endpointError(ex);
		}
		finally {
			exit();
		}
		this.idle.start();
		ServletInputStream in = connection.getInputStream();
		in.setReadListener(new ReadListener() {

			@Override
			public void onDataAvailable() {
				readable();
			}

			@Override
			public void onAllDataRead() {
				endOfInput();
			}

			@Override
			public void onError(Throwable t) {
				failed(t);
			}

		});
	}

	private void readable() {
		IOException failure = null;
		enter();
		try {
			ServletInputStream in = this.connection.getInputStream();
			while (!this.parser.isClosed() && !this.parser.isFailed()) {
				if (this.sender.outbound().queuedBytes() > PAUSE_READING) {
					// Return without isReady(): the engine keeps the rest buffered and stops reading
					// the socket, so the client's TCP window closes; writable() resumes.
					this.readingPaused = true;
					break;
				}
				if (!in.isReady()) {
					break;
				}
				int n = in.read(this.readBuffer);
				if (n < 0) {
					break;
				}
				this.idle.touch();
				this.parser.parse(this.readBuffer, 0, n);
			}
		}
		catch (IOException ex) {
			failure = ex;
		}
		finally {
			exit();
		}
		if (failure != null) {
			failed(failure);
		}
	}

	private void writable() {
		Thread previous = this.callbackThread;
		this.callbackThread = Thread.currentThread();
		try {
			this.sender.outbound().drain();
		}
		finally {
			this.callbackThread = previous;
		}
		if (this.readingPaused && this.sender.outbound().queuedBytes() <= PAUSE_READING / 2) {
			this.readingPaused = false;
			readable();
		}
	}

	/** The client closed its side without a Close frame. */
	private void endOfInput() {
		this.open = false;
		this.sender.outbound().abort(new IOException("The client closed the connection without a Close frame"));
		fireOnClose(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "Connection closed without a Close frame"));
	}

	/** An I/O error or the engine's write timeout. */
	void failed(Throwable t) {
		this.open = false;
		IOException cause = t instanceof IOException io ? io : new IOException(t);
		if (this.sender.outbound() != null) {
			this.sender.outbound().abort(cause);
		}
		else {
			closeConnection();
		}
		if (!this.closeFired.get()) {
			enter();
			try {
				this.endpoint.onError(this, t);
			}
			catch (Throwable ex) {
				logger.warn("onError of session {} failed", this.id, ex);
			}
			finally {
				exit();
			}
		}
		fireOnClose(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, String.valueOf(t.getMessage())));
	}

	/** {@code HttpUpgradeHandler.destroy}: the connection is gone. */
	void destroyed() {
		this.open = false;
		if (this.sender.outbound() != null) {
			this.sender.outbound().fail(new IOException("WebSocket connection closed"));
		}
		fireOnClose(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "Connection closed"));
		this.container.removed(this);
	}

	private void enter() {
		this.lock.lock();
		this.callbackThread = Thread.currentThread();
	}

	private void exit() {
		this.callbackThread = null;
		this.lock.unlock();
		// Read after unlocking: a thread that failed to take the lock wrote it before checking isLocked().
		CloseReason pending = this.pendingClose;
		if (pending != null) {
			fireOnClose(pending);
		}
	}

	/** Whether the caller is the engine's callback thread of this connection (it must not wait for output). */
	boolean onCallbackThread() {
		return this.callbackThread == Thread.currentThread();
	}

	// --- FrameListener: called by the parser inside readable() ---------------------------------

	@Override
	public void onText(String text) {
		deliver(Inbound.Kind.TEXT, text);
	}

	@Override
	public void onBinary(byte[] data) {
		deliver(Inbound.Kind.BINARY, data);
	}

	@Override
	public void onPing(byte[] payload) {
		if (!this.closeSent.get()) {
			this.sender.sendQuietly(FrameWriter.pong(payload));
		}
	}

	@Override
	public void onPong(byte[] payload) {
		PongMessage pong = () -> ByteBuffer.wrap(payload);
		Inbound.Sink sink = this.inbound.sink(Inbound.Kind.PONG);
		if (sink != null && this.open) {
			invoke(sink, pong);
		}
	}

	@Override
	public void onClose(int code, String reason) {
		this.open = false;
		if (this.closeSent.compareAndSet(false, true)) {
			// Echo the client's code (RFC 6455 §5.5.1); a Close without one is answered without one.
			this.sender.sendQuietly(code == CloseCode.NO_STATUS_RECEIVED.code() ? FrameWriter.close() : FrameWriter.close(code, ""));
		}
		this.sender.outbound().closeWhenDrained();
		fireOnClose(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
	}

	@Override
	public void onViolation(ProtocolViolation violation, String detail) {
		this.open = false;
		if (this.closeSent.compareAndSet(false, true)) {
			this.sender.sendQuietly(FrameWriter.close(violation));
		}
		this.sender.outbound().closeWhenDrained();
		try {
			this.endpoint.onError(this, new ProtocolException(detail + " (" + violation.rule() + ")"));
		}
		catch (Throwable ex) {
			logger.warn("onError of session {} failed", this.id, ex);
		}
		fireOnClose(new CloseReason(CloseReason.CloseCodes.getCloseCode(violation.closeCode().code()), violation.rule()));
	}

	private void deliver(Inbound.Kind kind, Object payload) {
		if (!this.open) {
			return;
		}
		this.container.received();
		Inbound.Sink sink = this.inbound.sink(kind);
		if (sink == null) {
			// No handler for this kind of message (§2.1.5 leaves it to the container): 1003.
			closeQuietly(new CloseReason(CloseReason.CloseCodes.CANNOT_ACCEPT,
					"No handler for " + kind.name().toLowerCase() + " messages"));
			return;
		}
		invoke(sink, payload);
	}

	private void invoke(Inbound.Sink sink, Object payload) {
		try {
			sink.accept(payload);
		}
		catch (Throwable ex) {
			endpointError(ex);
		}
	}

	/** An exception from application code: the endpoint's onError, the session stays open (§2.1.5). */
	void endpointError(Throwable ex) {
		try {
			this.endpoint.onError(this, ex);
		}
		catch (Throwable again) {
			logger.warn("onError of session {} failed", this.id, again);
		}
	}

	// --- closing ---------------------------------------------------------------------------------

	@Override
	public void close() throws IOException {
		close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, ""));
	}

	@Override
	public void close(CloseReason reason) throws IOException {
		closeQuietly(reason);
	}

	/** Sends our Close (once), runs onClose, and closes the connection after the client's answer. */
	void closeQuietly(CloseReason reason) {
		this.open = false;
		if (this.closeSent.compareAndSet(false, true)) {
			int code = reason.getCloseCode().getCode();
			String text = truncate(reason.getReasonPhrase());
			this.sender.sendQuietly(CloseCode.isValidOnWire(code) ? FrameWriter.close(code, text) : FrameWriter.close());
			this.container.schedule(() -> {
				if (this.sender.outbound() != null) {
					this.sender.outbound().abort(new SocketTimeoutException("No Close from the client"));
				}
			}, CLOSE_TIMEOUT_MS);
		}
		fireOnClose(reason);
	}

	/**
	 * Runs onClose once. A thread that cannot take the lock at once (a message is being handled)
	 * leaves it to the lock's holder, which runs it when its callback ends.
	 */
	private void fireOnClose(CloseReason reason) {
		if (this.closeFired.get()) {
			return;
		}
		if (!this.lock.tryLock()) {
			this.pendingClose = reason;
			if (!this.lock.isLocked()) {
				// The holder left between our tryLock and the write above: take it ourselves.
				fireOnClose(reason);
			}
			return;
		}
		try {
			if (!this.closeFired.compareAndSet(false, true)) {
				return;
			}
			this.open = false;
			this.idle.cancel();
			this.container.closed(this);
			try {
				this.endpoint.onClose(this, reason);
			}
			catch (Throwable ex) {
				logger.warn("onClose of session {} failed", this.id, ex);
			}
			finally {
				this.inbound.clear();
				if (this.codecs != null) {
					this.codecs.destroy();
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void closeConnection() {
		try {
			this.connection.close();
		}
		catch (Exception ex) {
			logger.debug("Closing the connection of session {} failed", this.id, ex);
		}
	}

	private static String truncate(String reason) {
		if (reason == null) {
			return "";
		}
		byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
		if (bytes.length <= FrameWriter.MAX_CLOSE_REASON) {
			return reason;
		}
		// Cut at a code point boundary that fits in a control frame.
		int end = reason.length();
		while (reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > FrameWriter.MAX_CLOSE_REASON) {
			end = reason.offsetByCodePoints(end, -1);
		}
		return reason.substring(0, end);
	}

	// --- sending (Remote.Basic and Remote.Async call these) ---------------------------------------

	/** A Ping or Pong from the application. */
	void sendControl(ByteBuffer frame) throws IOException {
		if (this.closeSent.get()) {
			throw new IOException("The session is closed");
		}
		CompletableFuture<Void> future = this.sender.queueFrame(new ByteBuffer[] { frame }, false);
		this.sender.drain();
		this.sender.await(future, this.async.getSendTimeout());
	}

	void checkOpenForSending() {
		if (this.closeSent.get() || !this.open) {
			throw new IllegalStateException("The WebSocket session " + this.id + " is closed");
		}
	}

	SessionSender sender() {
		return this.sender;
	}

	/** Whether an endpoint callback is running now (the idle timeout then waits for it). */
	boolean inCallback() {
		return this.lock.isLocked();
	}

	Codecs codecs() {
		return this.codecs;
	}

	// --- Session ---------------------------------------------------------------------------------

	@Override
	public WebSocketContainer getContainer() {
		return this.container;
	}

	@Override
	public void addMessageHandler(MessageHandler handler) {
		boolean partial = handler instanceof MessageHandler.Partial;
		Class<?> type = Generics.typeArgument(handler.getClass(),
				partial ? MessageHandler.Partial.class : MessageHandler.Whole.class);
		this.inbound.add(type, handler, partial, this.config.getDecoders(), this.codecs);
	}

	@Override
	public <T> void addMessageHandler(Class<T> clazz, MessageHandler.Whole<T> handler) {
		this.inbound.add(clazz, handler, false, this.config.getDecoders(), this.codecs);
	}

	@Override
	public <T> void addMessageHandler(Class<T> clazz, MessageHandler.Partial<T> handler) {
		this.inbound.add(clazz, handler, true, this.config.getDecoders(), this.codecs);
	}

	/** For annotated endpoints: a sink for each @OnMessage method. */
	void addSink(Inbound.Kind kind, Object key, Inbound.Sink sink) {
		this.inbound.set(kind, key, sink);
	}

	@Override
	public Set<MessageHandler> getMessageHandlers() {
		return this.inbound.handlers();
	}

	@Override
	public void removeMessageHandler(MessageHandler handler) {
		this.inbound.remove(handler);
	}

	@Override
	public String getProtocolVersion() {
		return Handshake.VERSION;
	}

	@Override
	public String getNegotiatedSubprotocol() {
		String subprotocol = this.handshake.subprotocol();
		return subprotocol == null ? "" : subprotocol;
	}

	@Override
	public List<Extension> getNegotiatedExtensions() {
		return this.handshake.deflate() ? List.of(PerMessageDeflate.NEGOTIATED) : List.of();
	}

	/** Whether messages may be sent compressed (permessage-deflate was negotiated). */
	boolean compresses() {
		return this.handshake.deflate();
	}

	@Override
	public boolean isSecure() {
		return this.handshake.secure();
	}

	@Override
	public boolean isOpen() {
		return this.open;
	}

	@Override
	public long getMaxIdleTimeout() {
		return this.idle.timeoutMs();
	}

	@Override
	public void setMaxIdleTimeout(long milliseconds) {
		this.idle.change(milliseconds, this.connection != null);
	}

	@Override
	public void setMaxBinaryMessageBufferSize(int length) {
		this.maxBinarySize = length;
		applySizes();
	}

	@Override
	public int getMaxBinaryMessageBufferSize() {
		return this.maxBinarySize;
	}

	@Override
	public void setMaxTextMessageBufferSize(int length) {
		this.maxTextSize = length;
		applySizes();
	}

	@Override
	public int getMaxTextMessageBufferSize() {
		return this.maxTextSize;
	}

	private void applySizes() {
		FrameParser parser = this.parser;
		if (parser != null) {
			parser.setMaxSizes(this.maxTextSize, this.maxBinarySize);
		}
	}

	@Override
	public RemoteEndpoint.Async getAsyncRemote() {
		return this.async;
	}

	@Override
	public RemoteEndpoint.Basic getBasicRemote() {
		return this.basic;
	}

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public URI getRequestURI() {
		return this.handshake.requestUri();
	}

	@Override
	public Map<String, List<String>> getRequestParameterMap() {
		return this.handshake.parameters();
	}

	@Override
	public String getQueryString() {
		return this.handshake.queryString();
	}

	@Override
	public Map<String, String> getPathParameters() {
		return this.handshake.pathParameters();
	}

	@Override
	public Map<String, Object> getUserProperties() {
		return this.userProperties;
	}

	@Override
	public Principal getUserPrincipal() {
		return this.handshake.principal();
	}

	@Override
	public Set<Session> getOpenSessions() {
		return this.container.openSessions(this.config);
	}

	ServerEndpointConfig config() {
		return this.config;
	}

	@Override
	public String toString() {
		return "WebSocket session " + this.id + " " + this.handshake.requestUri();
	}

}
