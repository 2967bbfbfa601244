package io.starlet.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.starlet.http.Http.Eol;

import static io.starlet.http.Http.accepted;
import static io.starlet.http.Http.all;
import static io.starlet.http.Http.refused;
import static io.starlet.http.Http.refusedRaw;
import static io.starlet.http.Violation.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request-head parser, from byte arrays: every accepted and refused form, named by the rule
 * it comes from. Cases are written with {@code \n} and run with CRLF and with bare LF (RFC 9112
 * §2.2 lets a server accept LF in the head); cases about CR or LF themselves run as written.
 */
class RequestParserTest {

	private final RequestParser parser = Http.parser();

	static Stream<Arguments> acceptedForms() {
		return all(
				accepted("RFC 9112 §3: minimal GET", "GET / HTTP/1.1\nHost: x\n\n", (h) -> {
					assertThat(h.method()).isSameAs("GET");
					assertThat(h.target()).isEqualTo("/");
					assertThat(h.path()).isEqualTo("/");
					assertThat(h.query()).isNull();
					assertThat(h.protocol()).isEqualTo("HTTP/1.1");
					assertThat(h.host()).isEqualTo("x");
					assertThat(h.contentLength()).isZero();
					assertThat(h.isChunked()).isFalse();
					assertThat(h.clientWantsKeepAlive()).isTrue();
					assertThat(h.mustCloseAfterResponse()).isFalse();
				}),
				accepted("RFC 9112 §3.2.1: origin-form with a query", "GET /a/b%20c?x=1&y HTTP/1.1\nHost: x\n\n", (h) -> {
					assertThat(h.path()).isEqualTo("/a/b%20c");
					assertThat(h.query()).isEqualTo("x=1&y");
					assertThat(h.target()).isEqualTo("/a/b%20c?x=1&y");
				}),
				accepted("RFC 9112 §3.2.1: empty query", "GET /a? HTTP/1.1\nHost: x\n\n", (h) -> {
					assertThat(h.path()).isEqualTo("/a");
					assertThat(h.query()).isEmpty();
				}),
				accepted("RFC 3986 §3.3, §3.4: every character a path and a query may hold unencoded",
						"GET /az-AZ09._~%7B!$&'()*+,;=:@/x?q=/?:@!$&'()*+,;=%5C HTTP/1.1\nHost: x\n\n", (h) -> {
							assertThat(h.path()).isEqualTo("/az-AZ09._~%7B!$&'()*+,;=:@/x");
							assertThat(h.query()).isEqualTo("q=/?:@!$&'()*+,;=%5C");
						}),
				accepted("RFC 9112 §3.2.2: absolute-form; its authority replaces Host",
						"GET http://example.com:8080/p?q=1 HTTP/1.1\nHost: other\n\n", (h) -> {
							assertThat(h.host()).isEqualTo("example.com:8080");
							assertThat(h.path()).isEqualTo("/p");
							assertThat(h.query()).isEqualTo("q=1");
						}),
				accepted("RFC 9112 §3.2.2: absolute-form without a path", "GET HTTPS://example.com HTTP/1.1\nHost: example.com\n\n",
						(h) -> {
							assertThat(h.path()).isEqualTo("/");
							assertThat(h.query()).isNull();
						}),
				accepted("RFC 9112 §3.2.2: absolute-form with a query and no path", "GET http://h?a=b HTTP/1.1\nHost: h\n\n",
						(h) -> {
							assertThat(h.path()).isEqualTo("/");
							assertThat(h.query()).isEqualTo("a=b");
						}),
				accepted("RFC 9112 §3.2.3: CONNECT in authority-form", "CONNECT example.com:443 HTTP/1.1\nHost: example.com:443\n\n",
						(h) -> {
							assertThat(h.method()).isEqualTo("CONNECT");
							assertThat(h.path()).isEqualTo("example.com:443");
							assertThat(h.host()).isEqualTo("example.com:443");
						}),
				accepted("RFC 9112 §3.2.4: OPTIONS in asterisk-form", "OPTIONS * HTTP/1.1\nHost: x\n\n",
						(h) -> assertThat(h.path()).isEqualTo("*")),
				accepted("RFC 9110 §9.1: any token is a method, case-sensitive", "propfind / HTTP/1.1\nHost: x\n\n",
						(h) -> assertThat(h.method()).isEqualTo("propfind")),
				accepted("RFC 9112 §2.3: HTTP/1.0 needs no Host and closes by default", "GET / HTTP/1.0\n\n", (h) -> {
					assertThat(h.protocol()).isEqualTo("HTTP/1.0");
					assertThat(h.host()).isNull();
					assertThat(h.clientWantsKeepAlive()).isFalse();
				}),
				accepted("RFC 9112 §9.3: HTTP/1.0 keep-alive", "GET / HTTP/1.0\nConnection: Keep-Alive\n\n",
						(h) -> assertThat(h.clientWantsKeepAlive()).isTrue()),
				accepted("RFC 9110 §7.6.1: Connection is a case-insensitive list", "GET / HTTP/1.1\nHost: x\nConnection: foo, CLOSE\n\n",
						(h) -> assertThat(h.clientWantsKeepAlive()).isFalse()),
				accepted("RFC 9112 §3.2: empty Host", "GET / HTTP/1.1\nHost:\n\n", (h) -> assertThat(h.host()).isEmpty()),
				accepted("RFC 3986 §3.2.2: Host as IP literal with port", "GET / HTTP/1.1\nHost: [::1]:8080\n\n",
						(h) -> assertThat(h.host()).isEqualTo("[::1]:8080")),
				accepted("RFC 3986 §3.2.2: Host as IPv4 address", "GET / HTTP/1.1\nHost: 127.0.0.1\n\n",
						(h) -> assertThat(h.host()).isEqualTo("127.0.0.1")),
				accepted("RFC 9112 §5.1: OWS around a field value is not part of it", "GET / HTTP/1.1\nHost: x\nA: \t a b \t\nB:\nC:c\n\n",
						(h) -> {
							assertThat(h.get("a")).isEqualTo("a b");
							assertThat(h.get("B")).isEmpty();
							assertThat(h.get("C")).isEqualTo("c");
						}),
				accepted("RFC 9110 §5.5: obs-text in a field value", "GET / HTTP/1.1\nHost: x\nA: caf\u00e9\n\n",
						(h) -> assertThat(h.get("A")).isEqualTo("caf\u00e9")),
				accepted("RFC 9110 §5.1: field names compare case-insensitively", "GET / HTTP/1.1\nhOsT: x\nX-A: 1\nx-a: 2\n\n", (h) -> {
					assertThat(h.host()).isEqualTo("x");
					assertThat(h.getAll("X-a")).containsExactly("1", "2");
				}),
				accepted("RFC 9110 §5.6.2: '_' is a token char; Content_Length is another field and never frames",
						"POST / HTTP/1.1\nHost: x\nContent_Length: 5\nTransfer_Encoding: chunked\n\n", (h) -> {
							assertThat(h.contentLength()).isZero();
							assertThat(h.isChunked()).isFalse();
							assertThat(h.get("Content_Length")).isEqualTo("5");
							assertThat(h.get("Content-Length")).isNull();
						}),
				accepted("RFC 9112 §6.3: Content-Length", "POST / HTTP/1.1\nHost: x\nContent-Length: 5\n\n",
						(h) -> assertThat(h.contentLength()).isEqualTo(5)),
				accepted("RFC 9110 §8.6: a list of equal Content-Length values folds", "POST / HTTP/1.1\nHost: x\nContent-Length: 5, 5\n\n",
						(h) -> assertThat(h.contentLength()).isEqualTo(5)),
				accepted("RFC 9110 §8.6: repeated equal Content-Length fields fold",
						"POST / HTTP/1.1\nHost: x\nContent-Length: 5\nContent-Length: 5\n\n",
						(h) -> assertThat(h.contentLength()).isEqualTo(5)),
				accepted("RFC 9110 §8.6: leading zeros are digits", "POST / HTTP/1.1\nHost: x\nContent-Length: 007\n\n",
						(h) -> assertThat(h.contentLength()).isEqualTo(7)),
				accepted("RFC 9112 §6.1: chunked, any case", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: ChunKed\n\n", (h) -> {
					assertThat(h.isChunked()).isTrue();
					assertThat(h.contentLength()).isEqualTo(-1);
					assertThat(h.mustCloseAfterResponse()).isFalse();
				}),
				accepted("RFC 9112 §6.3 (3): Transfer-Encoding and Content-Length: chunked wins, close after",
						"POST / HTTP/1.1\nHost: x\nContent-Length: 5\nTransfer-Encoding: chunked\n\n", (h) -> {
							assertThat(h.isChunked()).isTrue();
							assertThat(h.contentLength()).isEqualTo(-1);
							assertThat(h.mustCloseAfterResponse()).isTrue();
						}),
				accepted("RFC 9110 §5.3: empty list elements in Transfer-Encoding", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: ,\nTransfer-Encoding: , chunked ,\n\n",
						(h) -> assertThat(h.isChunked()).isTrue()),
				accepted("RFC 9110 §10.1.1: Expect: 100-continue, any case", "POST / HTTP/1.1\nHost: x\nContent-Length: 1\nExpect: 100-Continue\n\n",
						(h) -> assertThat(h.expectsContinue()).isTrue()),
				accepted("RFC 9110 §10.1.1: expectations in HTTP/1.0 are ignored",
						"POST / HTTP/1.0\nContent-Length: 1\nExpect: 100-continue\nX: y\n\n",
						(h) -> assertThat(h.expectsContinue()).isFalse()),
				accepted("RFC 9110 §10.1.1: unknown expectations in HTTP/1.0 are ignored", "GET / HTTP/1.0\nExpect: teapot\n\n",
						(h) -> assertThat(h.expectsContinue()).isFalse()),
				accepted("RFC 9112 §2.2: a bare LF ends a field; the line after it is a field, seen and framing",
						"POST / HTTP/1.1\nHost: x\nX: a\nContent-Length: 5\n\n", (h) -> {
							assertThat(h.get("X")).isEqualTo("a");
							assertThat(h.contentLength()).isEqualTo(5);
						}));
	}

	@ParameterizedTest(name = "{0} [{1}]")
	@MethodSource("acceptedForms")
	void accepts(String rule, Eol eol, String request, Consumer<RequestHead> check) throws BadRequestException {
		byte[] bytes = eol.apply(request);
		RequestHead head = new RequestHead();
		int end = this.parser.parse(bytes, 0, bytes.length, head);
		assertThat(end).isEqualTo(bytes.length);
		assertThat(head.headLength()).isEqualTo(bytes.length);
		check.accept(head);
	}

	static Stream<Arguments> refusedForms() {
		String tooManyFields = "GET / HTTP/1.1\nHost: x\n" + "A: b\n".repeat(Http.MAX_FIELDS) + "\n";
		return all(
				// Request line (RFC 9112 §3)
				refused("RFC 9112 §2.2: empty line before the request line", "\nGET / HTTP/1.1\nHost: x\n\n", MALFORMED_REQUEST_LINE),
				refused("RFC 9112 §3: two spaces", "GET  / HTTP/1.1\nHost: x\n\n", MALFORMED_REQUEST_LINE),
				refused("RFC 9112 §3: HTTP/0.9 (no version)", "GET /\nHost: x\n\n", MALFORMED_REQUEST_LINE),
				refused("RFC 9112 §3: space after the version", "GET / HTTP/1.1 \nHost: x\n\n", MALFORMED_REQUEST_LINE),
				refused("RFC 9112 §3: tab as separator", "GET\t/ HTTP/1.1\nHost: x\n\n", MALFORMED_REQUEST_LINE),
				refused("RFC 9112 §3: nothing but a method", "GET\nHost: x\n\n", MALFORMED_REQUEST_LINE),
				refused("RFC 9110 §9.1: method not a token", "GE(T / HTTP/1.1\nHost: x\n\n", INVALID_METHOD),
				refused("RFC 9112 §3: whitespace before the method", " GET / HTTP/1.1\nHost: x\n\n", INVALID_METHOD),
				refused("RFC 9112 §3.2: '#' in the target", "GET /a#b HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2: high byte in the target", "GET /caf\u00e9 HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2: NUL in the target", "GET /a\u0000 HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2: DEL in the target", "GET /a\u007f HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2.4: asterisk-form for GET", "GET * HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2.3: authority-form for GET", "GET example.com:80 HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2.3: CONNECT in origin-form", "CONNECT / HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2.3: CONNECT without a port", "CONNECT example.com HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 9110 §4.2.4: userinfo in an absolute-form target", "GET http://u:p@h/ HTTP/1.1\nHost: h\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2.2: absolute-form without a host", "GET http:///p HTTP/1.1\nHost: h\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2.2: scheme other than http(s)", "GET ftp://h/ HTTP/1.1\nHost: h\n\n", INVALID_TARGET),
				refused("RFC 9112 §3.2: relative target", "GET a/b HTTP/1.1\nHost: h\n\n", INVALID_TARGET),
				refused("RFC 3986 §3.3: '\\' in an absolute-form path", "GET http://h/a\\b HTTP/1.1\nHost: h\n\n", INVALID_TARGET),
				// Version (RFC 9112 §2.3)
				refused("RFC 9110 §15.6.6: HTTP/1.2", "GET / HTTP/1.2\nHost: x\n\n", UNSUPPORTED_VERSION),
				refused("RFC 9110 §15.6.6: HTTP/1.9", "GET / HTTP/1.9\nHost: x\n\n", UNSUPPORTED_VERSION),
				refused("RFC 9112 §2.3: HTTP/2.0 is not HTTP/1.x", "GET / HTTP/2.0\nHost: x\n\n", INVALID_VERSION),
				refused("RFC 9112 §2.3: HTTP-name is case-sensitive", "GET / http/1.1\nHost: x\n\n", INVALID_VERSION),
				refused("RFC 9112 §2.3: one digit each side of the dot", "GET / HTTP/1\nHost: x\n\n", INVALID_VERSION),
				refused("RFC 9112 §2.3: HTTP/1.10", "GET / HTTP/1.10\nHost: x\n\n", MALFORMED_REQUEST_LINE),
				refused("RFC 9112 §2.3: garbage version", "GET / FOO/1.1\nHost: x\n\n", INVALID_VERSION),
				// Field lines (RFC 9112 §5)
				refused("RFC 9112 §5.1: whitespace before the colon", "GET / HTTP/1.1\nHost : x\n\n", WHITESPACE_BEFORE_COLON),
				refused("RFC 9112 §5.1: tab before the colon hiding Content-Length",
						"POST / HTTP/1.1\nHost: x\nContent-Length\t: 5\n\nhello", WHITESPACE_BEFORE_COLON),
				refused("RFC 9112 §5.1: space before the colon hiding Transfer-Encoding",
						"POST / HTTP/1.1\nHost: x\nTransfer-Encoding : chunked\nContent-Length: 5\n\n", WHITESPACE_BEFORE_COLON),
				refused("RFC 9112 §5.2: obs-fold", "GET / HTTP/1.1\nHost: x\nA: b\n c\n\n", OBS_FOLD),
				refused("RFC 9112 §5.2: obs-fold hiding Transfer-Encoding",
						"POST / HTTP/1.1\nHost: x\nX: y\n Transfer-Encoding: chunked\nContent-Length: 5\n\n", OBS_FOLD),
				refused("RFC 9112 §2.2: whitespace before the first field line", "GET / HTTP/1.1\n Host: x\n\n", OBS_FOLD),
				refused("RFC 9112 §2.2: tab before the first field line", "GET / HTTP/1.1\n\tHost: x\n\n", OBS_FOLD),
				refused("RFC 9112 §5: field line without a colon", "GET / HTTP/1.1\nHost: x\nfoo\n\n", MALFORMED_FIELD),
				refused("RFC 9112 §5: empty field name", "GET / HTTP/1.1\nHost: x\n: v\n\n", MALFORMED_FIELD),
				refused("RFC 9110 §5.1: high byte in a field name", "GET / HTTP/1.1\nHost: x\nCont\u00e9nt-Length: 5\n\n", MALFORMED_FIELD),
				refused("RFC 9110 §5.1: high byte in front of Transfer-Encoding",
						"POST / HTTP/1.1\nHost: x\n\u00ffTransfer-Encoding: chunked\n\n", MALFORMED_FIELD),
				refused("RFC 9110 §5.1: '(' in a field name", "GET / HTTP/1.1\nHost: x\nA(b: c\n\n", MALFORMED_FIELD),
				refused("RFC 9110 §5.5: NUL in a field value", "GET / HTTP/1.1\nHost: x\nA: b\u0000c\n\n", INVALID_CHARACTER),
				refused("RFC 9110 §5.5: DEL in a field value", "GET / HTTP/1.1\nHost: x\nA: b\u007f\n\n", INVALID_CHARACTER),
				refused("RFC 9110 §5.5: VT in a field value", "GET / HTTP/1.1\nHost: x\nA: b\u000bc\n\n", INVALID_CHARACTER),
				refused("RFC 9110 §5.5: FF in a field value", "GET / HTTP/1.1\nHost: x\nA: \u000c\n\n", INVALID_CHARACTER),
				// Host (RFC 9112 §3.2)
				refused("RFC 9112 §3.2: HTTP/1.1 without Host", "GET / HTTP/1.1\nX: y\n\n", INVALID_HOST),
				refused("RFC 9112 §3.2: two Host fields", "GET / HTTP/1.1\nHost: a\nHost: b\n\n", INVALID_HOST),
				refused("RFC 9112 §3.2: two Host fields in HTTP/1.0", "GET / HTTP/1.0\nHost: a\nHost: a\n\n", INVALID_HOST),
				refused("RFC 9110 §7.2: space inside Host", "GET / HTTP/1.1\nHost: a b\n\n", INVALID_HOST),
				refused("RFC 9110 §7.2: userinfo in Host", "GET / HTTP/1.1\nHost: u@h\n\n", INVALID_HOST),
				refused("RFC 9110 §7.2: path in Host", "GET / HTTP/1.1\nHost: h/p\n\n", INVALID_HOST),
				refused("RFC 9110 §7.2: port not digits", "GET / HTTP/1.1\nHost: h:8x\n\n", INVALID_HOST),
				refused("RFC 9110 §7.2: unclosed IP literal", "GET / HTTP/1.1\nHost: [::1\n\n", INVALID_HOST),
				refused("RFC 9110 §7.2: a list of hosts", "GET / HTTP/1.1\nHost: a, b\n\n", INVALID_HOST),
				// Content-Length (RFC 9112 §6.3, RFC 9110 §8.6)
				refused("RFC 9110 §8.6: signed Content-Length (+)", "POST / HTTP/1.1\nHost: x\nContent-Length: +5\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: signed Content-Length (-)", "POST / HTTP/1.1\nHost: x\nContent-Length: -5\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: hex Content-Length", "POST / HTTP/1.1\nHost: x\nContent-Length: 0x5\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: digits then junk", "POST / HTTP/1.1\nHost: x\nContent-Length: 5a\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: empty Content-Length", "POST / HTTP/1.1\nHost: x\nContent-Length:\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: blank Content-Length", "POST / HTTP/1.1\nHost: x\nContent-Length:  \n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: digits split by a space", "POST / HTTP/1.1\nHost: x\nContent-Length: 1 0\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: a list of different values", "POST / HTTP/1.1\nHost: x\nContent-Length: 5, 6\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: a list with an empty element", "POST / HTTP/1.1\nHost: x\nContent-Length: 5,,5\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: different values on two lines",
						"POST / HTTP/1.1\nHost: x\nContent-Length: 5\nContent-Length: 50\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: overflowing Content-Length",
						"POST / HTTP/1.1\nHost: x\nContent-Length: 99999999999999999999\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: Long.MAX_VALUE + 1", "POST / HTTP/1.1\nHost: x\nContent-Length: 9223372036854775808\n\n",
						INVALID_CONTENT_LENGTH),
				refused("RFC 9110 §8.6: decimal point", "POST / HTTP/1.1\nHost: x\nContent-Length: 5.0\n\n", INVALID_CONTENT_LENGTH),
				refused("RFC 9112 §6.3: an invalid Content-Length is refused even beside chunked",
						"POST / HTTP/1.1\nHost: x\nContent-Length: abc\nTransfer-Encoding: chunked\n\n", INVALID_CONTENT_LENGTH),
				// Transfer-Encoding (RFC 9112 §6.1, §6.3)
				refused("RFC 9112 §6.3 (4): Transfer-Encoding without chunked", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip\n\n",
						CHUNKED_NOT_FINAL),
				refused("RFC 9112 §6.3 (4): identity is not chunked", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: identity\nContent-Length: 5\n\n",
						CHUNKED_NOT_FINAL),
				refused("RFC 9112 §6.3 (4): chunked not last", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked, gzip\n\n",
						CHUNKED_NOT_FINAL),
				refused("RFC 9112 §7: chunked twice", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked, chunked\n\n", CHUNKED_NOT_FINAL),
				refused("RFC 9110 §5.3: Transfer-Encoding split across lines, chunked not last",
						"POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\nTransfer-Encoding: gzip\n\n", CHUNKED_NOT_FINAL),
				refused("RFC 9110 §5.3: Transfer-Encoding split across lines, chunked twice",
						"POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\nTransfer-Encoding: chunked\n\n", CHUNKED_NOT_FINAL),
				refused("RFC 9112 §6.1: an unknown coding before chunked", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip, chunked\n\n",
						UNKNOWN_TRANSFER_CODING),
				refused("RFC 9110 §5.3: an unknown coding on an earlier line",
						"POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip\nTransfer-Encoding: chunked\n\n", UNKNOWN_TRANSFER_CODING),
				refused("RFC 9112 §6.1: empty Transfer-Encoding", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding:\nContent-Length: 5\n\n",
						INVALID_TRANSFER_ENCODING),
				refused("RFC 9112 §7: chunked with parameters", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked;q=1\n\n",
						INVALID_TRANSFER_ENCODING),
				refused("RFC 9112 §6.1: quoted coding", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: \"chunked\"\n\n",
						INVALID_TRANSFER_ENCODING),
				refused("RFC 9112 §6.1: codings separated by spaces", "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: x chunked\n\n",
						INVALID_TRANSFER_ENCODING),
				refused("RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n",
						TRANSFER_ENCODING_IN_HTTP10),
				// Expect (RFC 9110 §10.1.1)
				refused("RFC 9110 §10.1.1: unknown expectation", "POST / HTTP/1.1\nHost: x\nExpect: teapot\n\n", UNKNOWN_EXPECTATION),
				refused("RFC 9110 §10.1.1: 100-continue and more", "POST / HTTP/1.1\nHost: x\nExpect: 100-continue, x\n\n", UNKNOWN_EXPECTATION),
				// Limits
				refused("RFC 6585 §5: more fields than allowed", tooManyFields, TOO_MANY_FIELDS),
				refused("RFC 9110 §15.5.15: request line longer than the head limit",
						"GET /" + "a".repeat(Http.MAX_HEAD) + " HTTP/1.1\nHost: x\n\n", TARGET_TOO_LONG),
				refused("RFC 6585 §5: header section longer than the limit",
						"GET / HTTP/1.1\nHost: x\nA: " + "b".repeat(Http.MAX_HEAD) + "\n\n", HEADERS_TOO_LARGE));
	}

	/**
	 * RFC 3986 §3.3 and §3.4: a path is pchars and '/', a query pchars, '/' and '?'. A backslash
	 * is refused wherever it stands, in every policy; the rest of the visible ASCII outside them
	 * (besides '#', above) passes by the default's {@code UNSAFE_TARGET_CHARACTERS} leniency
	 * ({@link #everyByteValueInThePathAndTheQuery}).
	 */
	static Stream<Arguments> refusedTargetCharacters() {
		return all(refused("RFC 3986 §3.3: '\\' in the path", "GET /a\\b HTTP/1.1\nHost: x\n\n", INVALID_TARGET),
				refused("RFC 3986 §3.4: '\\' in the query", "GET /a?b=\\ HTTP/1.1\nHost: x\n\n", INVALID_TARGET));
	}

	static Stream<Arguments> refusedLineEnds() {
		return all(
				refusedRaw("RFC 9112 §2.2: bare CR ends nothing in the request line", "GET / HTTP/1.1\rHost: x\r\n\r\n",
						INVALID_CHARACTER),
				refusedRaw("RFC 9112 §2.2: bare CR inside a value hiding Content-Length",
						"POST / HTTP/1.1\r\nHost: x\r\nX: a\rContent-Length: 5\r\n\r\nhello", INVALID_CHARACTER),
				refusedRaw("RFC 9112 §2.2: bare CR at the start of a line hiding Content-Length",
						"POST / HTTP/1.1\r\nHost: x\r\n\rContent-Length: 5\r\n\r\nhello", INVALID_CHARACTER),
				refusedRaw("RFC 9112 §2.2: bare CR at the start of a line hiding Transfer-Encoding",
						"POST / HTTP/1.1\r\nHost: x\r\n\rTransfer-Encoding: chunked\r\n\r\n", INVALID_CHARACTER),
				refusedRaw("RFC 9112 §2.2: CR CR LF as the empty line", "GET / HTTP/1.1\r\nHost: x\r\n\r\r\n", INVALID_CHARACTER),
				refusedRaw("RFC 9112 §2.2: bare CR after a field name", "GET / HTTP/1.1\r\nHost\r: x\r\n\r\n", INVALID_CHARACTER),
				refusedRaw("RFC 9112 §2.2: bare CR at the end of the last field", "GET / HTTP/1.1\r\nHost: x\r\r\n\r\n",
						INVALID_CHARACTER),
				refusedRaw("RFC 9112 §2.2: CRLF before the request line", "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", MALFORMED_REQUEST_LINE),
				refusedRaw("RFC 9112 §2.2: bare CR before the request line", "\rGET / HTTP/1.1\r\nHost: x\r\n\r\n", INVALID_CHARACTER),
				refusedRaw("RFC 9112 §2.2: a bare CR is refused before the head is complete", "GET / HTTP/1.1\r\nHost: x\rX", INVALID_CHARACTER));
	}

	@ParameterizedTest(name = "{0} [{1}] -> {3}")
	@MethodSource({ "refusedForms", "refusedTargetCharacters", "refusedLineEnds" })
	void refuses(String rule, Eol eol, String request, Violation expected) {
		assertThat(Http.violation(this.parser, eol.apply(request))).isEqualTo(expected);
	}

	@Test
	@DisplayName("RFC 3986 §3.3, §3.4: of the 256 byte values, a path and a query hold RFC 3986's characters; the default's leniency adds ten")
	void everyByteValueInThePathAndTheQuery() {
		String rfc3986 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=:@/?";
		String relaxable = "\"<>[]^`{|}";
		RequestParser withheld = new RequestParser(Http.MAX_HEAD, Http.MAX_FIELDS, -1,
				HttpCompliance.DEFAULT.without(HttpCompliance.Leniency.UNSAFE_TARGET_CHARACTERS));
		for (int b = 0; b < 256; b++) {
			boolean strictAllows = rfc3986.indexOf(b) >= 0;
			boolean relaxedAllows = strictAllows || relaxable.indexOf(b) >= 0;
			for (String target : new String[] { "/a" + (char) b + "b", "/a?b=" + (char) b }) {
				byte[] bytes = ("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
				assertThat(accepts(this.parser, bytes)).as("0x%02x in %s, default policy", b, target).isEqualTo(relaxedAllows);
				assertThat(accepts(withheld, bytes)).as("0x%02x in %s, UNSAFE_TARGET_CHARACTERS withheld", b, target)
					.isEqualTo(strictAllows);
			}
		}
	}

	private static boolean accepts(RequestParser parser, byte[] bytes) {
		try {
			return parser.parse(bytes, 0, bytes.length, new RequestHead()) == bytes.length;
		}
		catch (BadRequestException ex) {
			return false;
		}
	}

	@ParameterizedTest(name = "RFC 3986 §3.2.2: '[' and ']' only around the IP literal of an authority, the target leniency withheld [{0}]")
	@MethodSource("lineEnds")
	void bracketsOnlyAroundAnIpLiteral(Eol eol) throws BadRequestException {
		// without the default's UNSAFE_TARGET_CHARACTERS, which lets brackets through anywhere
		RequestParser withheld = new RequestParser(Http.MAX_HEAD, Http.MAX_FIELDS, -1,
				HttpCompliance.DEFAULT.without(HttpCompliance.Leniency.UNSAFE_TARGET_CHARACTERS));
		for (RequestParser parser : new RequestParser[] { this.parser, withheld }) {
			RequestHead absolute = Http.parse(parser, eol.apply("GET http://[::1]:8080/p?q HTTP/1.1\nHost: x\n\n"));
			assertThat(absolute.host()).isEqualTo("[::1]:8080");
			assertThat(absolute.path()).isEqualTo("/p");
			assertThat(absolute.query()).isEqualTo("q");
			RequestHead connect = Http.parse(parser, eol.apply("CONNECT [::1]:443 HTTP/1.1\nHost: [::1]:443\n\n"));
			assertThat(connect.host()).isEqualTo("[::1]:443");
		}
		for (String target : new String[] { "/a[0]", "/?a[]=1", "http://[::1]/a[b]", "http://h/[::1]", "http://h[::1]/",
				"http://[::1]?a=[b]" }) {
			assertThat(Http.violation(withheld, eol.apply("GET " + target + " HTTP/1.1\nHost: x\n\n"))).as(target)
				.isEqualTo(INVALID_TARGET);
		}
		assertThat(Http.parse(this.parser, eol.apply("GET /?a[]=1 HTTP/1.1\nHost: x\n\n")).query()).isEqualTo("a[]=1");
	}

	@ParameterizedTest(name = "RFC 9112 §2.2: an incomplete head asks for more [{0}]")
	@MethodSource("io.starlet.http.RequestParserTest#lineEnds")
	void everyPrefixOfAHeadIsIncomplete(Eol eol) throws BadRequestException {
		byte[] bytes = eol.apply("POST /a?b HTTP/1.1\nHost: x\nContent-Length: 3\nX-Long: " + "v".repeat(100) + "\n\nabc");
		int headLength = bytes.length - 3;
		for (int n = 0; n < headLength; n++) {
			assertThat(this.parser.parse(bytes, 0, n, new RequestHead())).as("prefix of %d bytes", n).isEqualTo(-1);
		}
		RequestHead head = new RequestHead();
		assertThat(this.parser.parse(bytes, 0, bytes.length, head)).isEqualTo(headLength);
		assertThat(head.path()).isEqualTo("/a");
		assertThat(head.contentLength()).isEqualTo(3);
	}

	static Stream<Eol> lineEnds() {
		return Stream.of(Eol.CRLF, Eol.LF);
	}

	@ParameterizedTest(name = "RFC 9112 §2.2: a head may start anywhere in the buffer [{0}]")
	@MethodSource("lineEnds")
	void parsesAtAnOffset(Eol eol) throws BadRequestException {
		byte[] bytes = eol.apply("junkGET /x HTTP/1.1\nHost: h\nA: 1\n\nbody");
		RequestHead head = new RequestHead();
		int end = this.parser.parse(bytes, 4, bytes.length, head);
		assertThat(new String(bytes, end, bytes.length - end, StandardCharsets.ISO_8859_1)).isEqualTo("body");
		assertThat(head.target()).isEqualTo("/x");
		assertThat(head.host()).isEqualTo("h");
		assertThat(head.get("a")).isEqualTo("1");
	}

	@Test
	@DisplayName("RFC 9110 §5.5: a CTL or DEL is found at any offset in a value, trailing OWS trimmed at any length")
	void valueBytesAtEveryOffset() throws BadRequestException {
		for (int offset = 0; offset < 40; offset++) {
			for (char bad : new char[] { '\u0000', '\u0001', '\u000b', '\u001f', '\u007f', '\r' }) {
				String value = "v".repeat(offset) + bad + "w".repeat(40 - offset);
				byte[] bytes = ("GET / HTTP/1.1\r\nHost: x\r\nA: " + value + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
				assertThat(Http.violation(this.parser, bytes)).as("0x%02x at %d", (int) bad, offset).isEqualTo(INVALID_CHARACTER);
			}
			String value = "x" + "\u00e9".repeat(offset) + "\t \u0080~";
			String ows = " \t".repeat(offset % 7);
			RequestHead head = Http.parse(this.parser,
					("GET / HTTP/1.1\r\nHost: x\r\nA: " + value + ows + "\r\nB: b\n\n").getBytes(StandardCharsets.ISO_8859_1));
			assertThat(head.get("A")).isEqualTo(value);
			assertThat(head.get("B")).isEqualTo("b");
		}
	}

	@Test
	@DisplayName("RFC 9112 §2.2: the end of the head is found at any offset")
	void headEndAtEveryOffset() throws BadRequestException {
		for (int n = 0; n < 40; n++) {
			for (String eol : new String[] { "\r\n", "\n" }) {
				byte[] bytes = ("GET /" + "p".repeat(n) + " HTTP/1.1" + eol + "Host: x" + eol + eol + "tail")
					.getBytes(StandardCharsets.ISO_8859_1);
				assertThat(this.parser.parse(bytes, 0, bytes.length, new RequestHead())).isEqualTo(bytes.length - 4);
			}
		}
	}

	@Test
	@DisplayName("RFC 6585 §5: exactly the limits are accepted; one field more is 431")
	void limitsAreInclusive() throws BadRequestException {
		String prefix = "GET / HTTP/1.1\r\nHost: x\r\n";
		String fields = "A: b\r\n".repeat(Http.MAX_FIELDS - 1);
		assertThat(Http.parse(this.parser, (prefix + fields + "\r\n").getBytes(StandardCharsets.ISO_8859_1)).size())
			.isEqualTo(Http.MAX_FIELDS);
		String base = prefix + "A: \r\n\r\n";
		String exact = prefix + "A: " + "v".repeat(Http.MAX_HEAD - base.length()) + "\r\n\r\n";
		assertThat(exact.length()).isEqualTo(Http.MAX_HEAD);
		assertThat(Http.parse(this.parser, exact.getBytes(StandardCharsets.ISO_8859_1)).headLength()).isEqualTo(Http.MAX_HEAD);
		String over = prefix + "A: " + "v".repeat(Http.MAX_HEAD - base.length() + 1) + "\r\n\r\n";
		assertThat(Http.violation(this.parser, over.getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(HEADERS_TOO_LARGE);
	}

	@Test
	@DisplayName("RFC 6585 §5: an endless head is refused as soon as it passes the limit, complete or not")
	void incompleteHeadPastTheLimitIsRefused() {
		byte[] endlessField = ("GET / HTTP/1.1\r\nHost: x\r\nA: " + "b".repeat(Http.MAX_HEAD)).getBytes(StandardCharsets.ISO_8859_1);
		assertThat(Http.violation(this.parser, endlessField)).isEqualTo(HEADERS_TOO_LARGE);
		byte[] endlessLine = ("GET /" + "a".repeat(Http.MAX_HEAD)).getBytes(StandardCharsets.ISO_8859_1);
		assertThat(Http.violation(this.parser, endlessLine)).isEqualTo(TARGET_TOO_LONG);
	}

	@Test
	@DisplayName("RFC 9110 §15.5.14: a declared Content-Length above the maximum is 413 before any body arrives")
	void declaredBodyAboveTheMaximumIs413() throws BadRequestException {
		RequestParser limited = new RequestParser(Http.MAX_HEAD, Http.MAX_FIELDS, 1000);
		assertThat(Http.violation(limited, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)))
			.isEqualTo(CONTENT_TOO_LARGE);
		assertThat(Http.parse(limited, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))
			.contentLength()).isEqualTo(1000);
		// Chunked bodies are bounded while they are read (ChunkedInputStream), not here.
		assertThat(Http.parse(limited, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))
			.isChunked()).isTrue();
	}

	@Test
	@DisplayName("Every violation names its RFC section and status")
	void violationsCarryStatusAndRule() {
		assertThat(TARGET_TOO_LONG.status()).isEqualTo(414);
		assertThat(HEADERS_TOO_LARGE.status()).isEqualTo(431);
		assertThat(TOO_MANY_FIELDS.status()).isEqualTo(431);
		assertThat(UNKNOWN_TRANSFER_CODING.status()).isEqualTo(501);
		assertThat(UNSUPPORTED_VERSION.status()).isEqualTo(505);
		assertThat(UNKNOWN_EXPECTATION.status()).isEqualTo(417);
		assertThat(CONTENT_TOO_LARGE.status()).isEqualTo(413);
		for (Violation v : Violation.values()) {
			assertThat(v.rule()).as(v.name()).startsWith("RFC ");
		}
	}

	@Test
	@DisplayName("RFC 9112 §3.2: a reused head reuses the Host string only when the bytes are the same")
	void hostStringReusedOnlyForTheSameHost() throws BadRequestException {
		RequestHead head = new RequestHead();
		byte[] a = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
		byte[] b = "GET / HTTP/1.1\r\nHost: b.example\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
		this.parser.parse(a, 0, a.length, head);
		String first = head.host();
		this.parser.parse(a.clone(), 0, a.length, head);
		assertThat(head.host()).isSameAs(first);
		this.parser.parse(b, 0, b.length, head);
		assertThat(head.host()).isEqualTo("b.example");
		this.parser.parse(a, 0, a.length, head);
		assertThat(head.host()).isEqualTo("a.example");
		assertThat(head.target()).isSameAs(head.path()).isEqualTo("/");
	}

	@Test
	@DisplayName("RFC 9112 §9.3: nothing leaks from one request to the next through a reused head")
	void aReusedHeadForgetsThePreviousRequest() throws BadRequestException {
		RequestHead head = new RequestHead();
		byte[] first = ("POST http://a.example/one?q=1 HTTP/1.1\r\nHost: a.example\r\nX-Secret: s\r\nTransfer-Encoding: chunked\r\n"
				+ "Content-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
		this.parser.parse(first, 0, first.length, head);
		assertThat(head.get("X-Secret")).isEqualTo("s");
		assertThat(head.query()).isEqualTo("q=1");
		byte[] second = "GET /two HTTP/1.1\r\nHost: b\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
		this.parser.parse(second, 0, second.length, head);
		assertThat(head.method()).isEqualTo("GET");
		assertThat(head.target()).isEqualTo("/two");
		assertThat(head.path()).isEqualTo("/two");
		assertThat(head.query()).isNull();
		assertThat(head.host()).isEqualTo("b");
		assertThat(head.size()).isEqualTo(1);
		assertThat(head.get("X-Secret")).isNull();
		assertThat(head.isChunked()).isFalse();
		assertThat(head.contentLength()).isZero();
		assertThat(head.expectsContinue()).isFalse();
		assertThat(head.mustCloseAfterResponse()).isFalse();
		assertThat(head.clientWantsKeepAlive()).isTrue();
	}

}
