/**
 * WebSocket (RFC 6455), the protocol layer: no I/O, no threads, no servlet types. The opening
 * handshake ({@link io.starlet.websocket.Handshake}), the incremental parser of client frames
 * ({@link io.starlet.websocket.FrameParser}, reporting to a
 * {@link io.starlet.websocket.FrameListener}, each refusal a
 * {@link io.starlet.websocket.ProtocolViolation} with its close code and RFC section), UTF-8
 * validation across fragments ({@link io.starlet.websocket.Utf8Validator}), server frames
 * ({@link io.starlet.websocket.FrameWriter}) and close codes
 * ({@link io.starlet.websocket.CloseCode}). No extension is negotiated: permessage-deflate
 * (RFC 7692) is not supported. The HTTP upgrade, the Jakarta WebSocket server and the
 * off-worker connection owner build on this package (docs/websocket.md).
 */
package io.starlet.websocket;
