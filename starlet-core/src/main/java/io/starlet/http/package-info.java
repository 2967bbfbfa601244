/**
 * HTTP/1.1 itself, without I/O: the strict request-head parser and its
 * {@link io.starlet.http.HttpCompliance} policy, the {@link io.starlet.http.Violation}s it names,
 * the framing streams (fixed-length and chunked, in and out), the response head, and the field
 * collections. Everything works on bytes and streams handed to it, so it is tested without a
 * socket.
 *
 * <p>Layer: the bottom; uses the JDK only.
 *
 * <p>Internal, except the types the API hands out ({@link io.starlet.http.Fields},
 * {@link io.starlet.http.HttpFields}, {@link io.starlet.http.HttpCompliance}) and the constants of
 * {@link io.starlet.http.HttpStatus}: the rest is public only because the engine's other packages
 * use it, and may change without notice.
 */
package io.starlet.http;
