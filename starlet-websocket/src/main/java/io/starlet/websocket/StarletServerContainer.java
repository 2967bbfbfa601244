package io.starlet.websocket;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Extension;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starlet's Jakarta WebSocket 2.2 {@link ServerContainer}: the endpoints added with
 * {@code addEndpoint}, the handshake ({@link #upgradeHttpToWebSocket}, which Spring Framework's
 * {@code StandardWebSocketUpgradeStrategy} also calls), the defaults every new session starts
 * with, the open sessions and the counters a starter can expose. Install it with
 * {@link StarletWebSocket#install}.
 *
 * <p>One daemon thread, created on first use, runs every timer of every session (idle timeouts,
 * send timeouts, the wait for the client's Close); no thread is held per session.
 *
 * <p>This is a server: {@code connectToServer} throws {@link DeploymentException}.
 */
public final class StarletServerContainer implements ServerContainer {

	private static final Logger logger = LoggerFactory.getLogger(StarletServerContainer.class);

	/** The default most bytes of one text or binary message, as Spring's STOMP default. */
	public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

	/** An endpoint and its path. */
	record Registration(PathTemplate path, ServerEndpointConfig config, AnnotatedEndpoint.Model model) {
	}

	/** The endpoint a request path selects, with the path's variables. */
	record Match(Registration registration, Map<String, String> pathParameters) {
	}

	private final Map<String, Registration> exact = new ConcurrentHashMap<>();

	/** Most specific first (see {@link PathTemplate#compareTo}); copied on write. */
	private volatile List<Registration> templates = List.of();

	private final Set<WsSession> sessions = ConcurrentHashMap.newKeySet();

	private final AtomicLong ids = new AtomicLong();

	private final LongAdder received = new LongAdder();

	private final LongAdder sent = new LongAdder();

	private volatile long defaultMaxIdleTimeout;

	private volatile int defaultMaxTextSize = DEFAULT_MAX_MESSAGE_SIZE;

	private volatile int defaultMaxBinarySize = DEFAULT_MAX_MESSAGE_SIZE;

	private volatile long asyncSendTimeout = -1;

	private ScheduledExecutorService timer;

	private volatile boolean stopped;

	private volatile boolean perMessageDeflate = true;

	// --- endpoints -------------------------------------------------------------------------------

	@Override
	public void addEndpoint(Class<?> endpointClass) throws DeploymentException {
		ServerEndpoint annotation = endpointClass.getAnnotation(ServerEndpoint.class);
		if (annotation == null) {
			throw new DeploymentException(endpointClass.getName() + " is not annotated with @ServerEndpoint");
		}
		// Checked before the API's builder, which would throw an IllegalArgumentException.
		PathTemplate.parse(annotation.value());
		ServerEndpointConfig.Builder builder = ServerEndpointConfig.Builder.create(endpointClass, annotation.value())
			.subprotocols(List.of(annotation.subprotocols()))
			.encoders(List.of(annotation.encoders()))
			.decoders(List.of(annotation.decoders()));
		if (annotation.configurator() != ServerEndpointConfig.Configurator.class) {
			try {
				builder.configurator(annotation.configurator().getConstructor().newInstance());
			}
			catch (ReflectiveOperationException ex) {
				throw new DeploymentException("Cannot create the configurator " + annotation.configurator().getName()
						+ " (it needs a public no-argument constructor)", ex);
			}
		}
		else {
			AnnotatedEndpoint.Model.checkInstantiable(endpointClass);
		}
		addEndpoint(builder.build());
	}

	@Override
	public void addEndpoint(ServerEndpointConfig config) throws DeploymentException {
		if (config == null || config.getEndpointClass() == null) {
			throw new DeploymentException("An endpoint config needs an endpoint class");
		}
		PathTemplate path = PathTemplate.parse(config.getPath());
		AnnotatedEndpoint.Model model = null;
		if (!Endpoint.class.isAssignableFrom(config.getEndpointClass())) {
			model = AnnotatedEndpoint.Model.of(config.getEndpointClass(), config.getDecoders());
		}
		checkCodecs(config);
		Registration registration = new Registration(path, config, model);
		synchronized (this) {
			if (this.stopped) {
				throw new DeploymentException("The WebSocket container has been stopped");
			}
			for (Registration existing : all()) {
				if (existing.path().sameShape(path)) {
					throw new DeploymentException("Two endpoints for path " + path + ": "
							+ existing.config().getEndpointClass().getName() + " and " + config.getEndpointClass().getName());
				}
			}
			if (path.hasVariables()) {
				List<Registration> templates = new ArrayList<>(this.templates);
				templates.add(registration);
				templates.sort((a, b) -> a.path().compareTo(b.path()));
				this.templates = List.copyOf(templates);
			}
			else {
				this.exact.put(path.path(), registration);
			}
		}
		logger.debug("WebSocket endpoint {} at {}", config.getEndpointClass().getName(), path);
	}

	private static void checkCodecs(ServerEndpointConfig config) throws DeploymentException {
		for (Class<?> encoder : config.getEncoders()) {
			if (Codecs.encodedType(encoder) == null) {
				throw new DeploymentException(encoder.getName() + " implements none of Encoder.Text, TextStream, Binary, BinaryStream");
			}
		}
		for (Class<?> decoder : config.getDecoders()) {
			if (Codecs.decodedType(decoder) == null) {
				throw new DeploymentException(decoder.getName() + " implements none of Decoder.Text, TextStream, Binary, BinaryStream");
			}
		}
	}

	private List<Registration> all() {
		List<Registration> all = new ArrayList<>(this.exact.values());
		all.addAll(this.templates);
		return all;
	}

	/** The endpoint for a path within the context: an exact path first, then the most specific template. */
	Match match(String path) {
		Registration registration = this.exact.get(path);
		if (registration != null) {
			return new Match(registration, Map.of());
		}
		for (Registration template : this.templates) {
			Map<String, String> values = template.path().match(path);
			if (values != null) {
				return new Match(template, values);
			}
		}
		return null;
	}

	// --- the handshake ---------------------------------------------------------------------------

	@Override
	public void upgradeHttpToWebSocket(Object httpServletRequest, Object httpServletResponse, ServerEndpointConfig sec,
			Map<String, String> pathParameters) throws IOException, DeploymentException {
		if (!(httpServletRequest instanceof HttpServletRequest request)
				|| !(httpServletResponse instanceof HttpServletResponse response)) {
			throw new IllegalArgumentException("Expected an HttpServletRequest and an HttpServletResponse");
		}
		AnnotatedEndpoint.Model model = Endpoint.class.isAssignableFrom(sec.getEndpointClass()) ? null
				: AnnotatedEndpoint.Model.of(sec.getEndpointClass(), sec.getDecoders());
		upgrade(request, response, new Registration(null, sec, model), pathParameters == null ? Map.of() : pathParameters);
	}

	/**
	 * The server side of the opening handshake: the rules of {@link Handshake}, the origin check,
	 * subprotocol negotiation and {@code modifyHandshake} of the configurator, then the 101 and
	 * {@code request.upgrade}. A refused request gets its status (400, 403, 405, 426) and no upgrade.
	 */
	void upgrade(HttpServletRequest request, HttpServletResponse response, Registration registration,
			Map<String, String> pathParameters) throws IOException {
		if (this.stopped) {
			response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "The WebSocket server is stopping");
			return;
		}
		ServerEndpointConfig config = registration.config();
		ServerEndpointConfig.Configurator configurator = config.getConfigurator();
		ServletHandshakeRequest handshakeRequest = new ServletHandshakeRequest(request);
		Handshake.Outcome outcome = Handshake.evaluate(request.getMethod(), request.getProtocol(),
				handshakeRequest::header, List.of());
		if (!outcome.accepted()) {
			outcome.headers().forEach(response::setHeader);
			response.sendError(outcome.status(), "WebSocket handshake refused: " + outcome.failure().rule());
			return;
		}
		if (!configurator.checkOrigin(request.getHeader("Origin"))) {
			response.sendError(HttpServletResponse.SC_FORBIDDEN, "WebSocket origin refused");
			return;
		}
		List<String> supported = new ArrayList<>();
		for (String subprotocol : config.getSubprotocols()) {
			if (subprotocol != null && !subprotocol.isEmpty()) {
				supported.add(subprotocol);
			}
		}
		String subprotocol = configurator.getNegotiatedSubprotocol(supported,
				handshakeRequest.requestedSubprotocols());
		if (subprotocol != null && subprotocol.isEmpty()) {
			subprotocol = null;
		}
		boolean deflate = false;
		List<Extension> negotiated = this.perMessageDeflate ? configurator.getNegotiatedExtensions(
				new ArrayList<>(getInstalledExtensions()), handshakeRequest.requestedExtensions()) : null;
		for (Extension extension : negotiated == null ? List.<Extension>of() : negotiated) {
			if (PerMessageDeflate.acceptable(extension)) {
				deflate = true;
				break;
			}
		}
		Map<String, List<String>> headers = new LinkedHashMap<>();
		outcome.headers().forEach((name, value) -> headers.put(name, new ArrayList<>(List.of(value))));
		if (subprotocol != null) {
			headers.put(ServletHandshakeRequest.SEC_WEBSOCKET_PROTOCOL, new ArrayList<>(List.of(subprotocol)));
		}
		if (deflate) {
			headers.put("Sec-WebSocket-Extensions", new ArrayList<>(List.of(PerMessageDeflate.NEGOTIATED.toString())));
		}
		configurator.modifyHandshake(config, handshakeRequest, () -> headers);
		// what the client is told decides: an application that took the extension out of the
		// response (modifyHandshake) gets a session without it
		deflate = deflate && answersPerMessageDeflate(headers);
		Endpoint endpoint;
		try {
			Object instance = configurator.getEndpointInstance(config.getEndpointClass());
			endpoint = registration.model() == null ? (Endpoint) instance
					: new AnnotatedEndpoint(instance, registration.model());
		}
		catch (InstantiationException | RuntimeException ex) {
			logger.error("Cannot create the WebSocket endpoint {}", config.getEndpointClass().getName(), ex);
			response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
			return;
		}
		WsSession.Handshaken handshaken = new WsSession.Handshaken(handshakeRequest.getRequestURI(),
				request.getQueryString(), handshakeRequest.getParameterMap(), Collections.unmodifiableMap(
						new LinkedHashMap<>(pathParameters)), request.getUserPrincipal(), subprotocol, request.isSecure(), deflate);
		WsSession session = new WsSession(this, Long.toHexString(this.ids.incrementAndGet()), endpoint, config, handshaken);
		response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
		headers.forEach((name, values) -> {
			for (String value : values) {
				response.addHeader(name, value);
			}
		});
		try {
			request.upgrade(StarletUpgradeHandler.class).attach(session);
		}
		catch (jakarta.servlet.ServletException ex) {
			throw new IOException("HTTP upgrade failed", ex);
		}
	}

	private static boolean answersPerMessageDeflate(Map<String, List<String>> headers) {
		for (Map.Entry<String, List<String>> header : headers.entrySet()) {
			if (header.getKey().equalsIgnoreCase("Sec-WebSocket-Extensions") && header.getValue() != null
					&& PerMessageDeflate.parseOffers(header.getValue()).stream()
						.anyMatch((extension) -> PerMessageDeflate.NAME.equalsIgnoreCase(extension.getName()))) {
				return true;
			}
		}
		return false;
	}

	// --- sessions --------------------------------------------------------------------------------

	void opened(WsSession session) {
		this.sessions.add(session);
	}

	void closed(WsSession session) {
		this.sessions.remove(session);
	}

	void removed(WsSession session) {
		this.sessions.remove(session);
	}

	Set<Session> openSessions(ServerEndpointConfig config) {
		Set<Session> open = new java.util.LinkedHashSet<>();
		for (WsSession session : this.sessions) {
			if (session.config() == config && session.isOpen()) {
				open.add(session);
			}
		}
		return Collections.unmodifiableSet(open);
	}

	void received() {
		this.received.increment();
	}

	void sent() {
		this.sent.increment();
	}

	/** Sessions open now. */
	public int getOpenSessionCount() {
		return this.sessions.size();
	}

	/** Whole messages received since start (text and binary; not pings or pongs). */
	public long getMessagesReceived() {
		return this.received.sum();
	}

	/** Whole messages sent since start (text and binary, a partial message once). */
	public long getMessagesSent() {
		return this.sent.sum();
	}

	/**
	 * Server stop: every open session gets Close 1001 Going Away and its onClose; called from
	 * {@code contextDestroyed}, while the connections can still write. Later handshakes fail.
	 */
	public void stop() {
		ScheduledExecutorService timer;
		synchronized (this) {
			this.stopped = true;
			timer = this.timer;
		}
		for (WsSession session : List.copyOf(this.sessions)) {
			session.closeQuietly(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "Server stopping"));
		}
		if (timer != null) {
			// Waiting Closes are left to the engine, which closes every connection after
			// contextDestroyed; the timer thread ends now.
			timer.shutdown();
		}
	}

	synchronized ScheduledFuture<?> schedule(Runnable task, long delayMs) {
		if (this.timer == null) {
			ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
				Thread thread = new Thread(runnable, "starlet-websocket-timer");
				thread.setDaemon(true);
				return thread;
			});
			timer.setRemoveOnCancelPolicy(true);
			// At stop the engine closes every connection itself: pending timers may be dropped.
			timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
			this.timer = timer;
		}
		if (this.timer.isShutdown()) {
			return null;
		}
		return this.timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
	}

	// --- WebSocketContainer ----------------------------------------------------------------------

	@Override
	public long getDefaultAsyncSendTimeout() {
		return this.asyncSendTimeout;
	}

	@Override
	public void setAsyncSendTimeout(long timeoutmillis) {
		this.asyncSendTimeout = timeoutmillis;
	}

	@Override
	public long getDefaultMaxSessionIdleTimeout() {
		return this.defaultMaxIdleTimeout;
	}

	@Override
	public void setDefaultMaxSessionIdleTimeout(long timeout) {
		this.defaultMaxIdleTimeout = timeout;
	}

	@Override
	public int getDefaultMaxBinaryMessageBufferSize() {
		return this.defaultMaxBinarySize;
	}

	@Override
	public void setDefaultMaxBinaryMessageBufferSize(int max) {
		if (max < 0) {
			throw new IllegalArgumentException("max must not be negative");
		}
		this.defaultMaxBinarySize = max;
	}

	@Override
	public int getDefaultMaxTextMessageBufferSize() {
		return this.defaultMaxTextSize;
	}

	@Override
	public void setDefaultMaxTextMessageBufferSize(int max) {
		if (max < 0) {
			throw new IllegalArgumentException("max must not be negative");
		}
		this.defaultMaxTextSize = max;
	}

	@Override
	public Set<Extension> getInstalledExtensions() {
		return this.perMessageDeflate ? Set.of(PerMessageDeflate.INSTALLED) : Set.of();
	}

	/**
	 * Whether new connections may negotiate permessage-deflate (on by default): off, no
	 * extension is installed and {@code Sec-WebSocket-Extensions} is never answered.
	 */
	public void setPerMessageDeflate(boolean perMessageDeflate) {
		this.perMessageDeflate = perMessageDeflate;
	}

	public boolean isPerMessageDeflate() {
		return this.perMessageDeflate;
	}

	@Override
	public Session connectToServer(Object annotatedEndpointInstance, URI path) throws DeploymentException {
		throw noClient();
	}

	@Override
	public Session connectToServer(Class<?> annotatedEndpointClass, URI path) throws DeploymentException {
		throw noClient();
	}

	@Override
	public Session connectToServer(Endpoint endpointInstance, ClientEndpointConfig cec, URI path)
			throws DeploymentException {
		throw noClient();
	}

	@Override
	public Session connectToServer(Class<? extends Endpoint> endpointClass, ClientEndpointConfig cec, URI path)
			throws DeploymentException {
		throw noClient();
	}

	private static DeploymentException noClient() {
		return new DeploymentException("Starlet's WebSocket container is a server; it has no client "
				+ "(use java.net.http.WebSocket or another client library)");
	}

}
