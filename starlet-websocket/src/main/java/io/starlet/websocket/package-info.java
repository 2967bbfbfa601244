/**
 * A Jakarta WebSocket 2.2 server (RFC 6455) on the servlet container's HTTP upgrade, in one
 * package.
 *
 * <p>The protocol, with no I/O and no threads: the opening handshake
 * ({@link io.starlet.websocket.Handshake}), the incremental parser of client frames
 * ({@link io.starlet.websocket.FrameParser}, reporting to a
 * {@link io.starlet.websocket.FrameListener}, each refusal a
 * {@link io.starlet.websocket.ProtocolViolation} with its close code and RFC section), UTF-8
 * validation across fragments, server frames ({@link io.starlet.websocket.FrameWriter}) and close
 * codes. No extension is negotiated: permessage-deflate (RFC 7692) is not supported.
 *
 * <p>The server on top: {@link io.starlet.websocket.StarletServerContainer} (endpoints, the
 * handshake, open sessions), {@code WsSession} with its {@code SessionSender} and
 * {@code IdleTimeout} (one connection, its callbacks on the engine's workers, no thread held per
 * session), annotated endpoints and codecs (docs/websocket.md).
 *
 * <p>Layer: uses the Jakarta Servlet API alone (the upgrade, non-blocking streams), no class of
 * starlet-core, so it would run on any Servlet 6.1 container that upgrades without a thread per
 * connection.
 *
 * <p>API: {@link io.starlet.websocket.StarletWebSocket#install}, which puts the container into a
 * servlet context; {@code StarletServerContainer} as the {@code ServerContainer} applications
 * get. {@code StarletUpgradeHandler} and {@code DefaultConfigurator} are public only because the
 * servlet container and {@code ServiceLoader} instantiate them. The rest is package-private.
 */
package io.starlet.websocket;
