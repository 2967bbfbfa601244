package io.starlet.protocol;

import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every status the protocol layer answers on its own, over a real socket: a short plain-text
 * response with {@code Connection: close}, the connection closed, the handler never run, and the
 * (single) worker still serving the next connection.
 */
@Timeout(60)
class ErrorResponsesWireTest extends WireTestSupport {

	private static final int MAX_BODY = 1000;

	static Stream<Arguments> refusedRequests() {
		return Stream.of(
				Arguments.of(400, "RFC 9112 §3: malformed request line", "GET /\r\nHost: x\r\n\r\n"),
				Arguments.of(400, "RFC 9112 §2.2: empty line before the request line", "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
				Arguments.of(400, "RFC 9112 §5.1: whitespace before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
				Arguments.of(400, "RFC 9112 §5.2: obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n"),
				Arguments.of(400, "RFC 9112 §2.2: bare CR", "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n"),
				Arguments.of(400, "RFC 9112 §3.2: no Host", "GET / HTTP/1.1\r\nX: y\r\n\r\n"),
				Arguments.of(400, "RFC 3986 §3.3: backslash in the path", "GET /a\\b HTTP/1.1\r\nHost: x\r\n\r\n"),
				Arguments.of(400, "RFC 3986 §3.4: backslash in the query", "GET /a?b=\\ HTTP/1.1\r\nHost: x\r\n\r\n"),
				Arguments.of(400, "RFC 9110 §8.6: different Content-Length values",
						"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
				Arguments.of(400, "RFC 9110 §8.6: signed Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\na"),
				Arguments.of(400, "RFC 9112 §6.3: chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
				Arguments.of(400, "RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0",
						"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n0\r\n\r\n"),
				Arguments.of(413, "RFC 9110 §15.5.14: declared body above the maximum",
						"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n"),
				Arguments.of(414, "RFC 9110 §15.5.15: request line longer than the head limit",
						"GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
				Arguments.of(417, "RFC 9110 §10.1.1: unknown expectation", "POST / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\n"),
				Arguments.of(431, "RFC 6585 §5: header section above the limit",
						"GET / HTTP/1.1\r\nHost: x\r\nA: " + "b".repeat(9000) + "\r\n\r\n"),
				Arguments.of(431, "RFC 6585 §5: too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + "A: b\r\n".repeat(200) + "\r\n"),
				Arguments.of(501, "RFC 9112 §6.1: unknown transfer coding",
						"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
				Arguments.of(505, "RFC 9110 §15.6.6: HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n"));
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("refusedRequests")
	void refusedWithCloseAndTheNextConnectionIsServed(int status, String rule, String request) throws Exception {
		int port = start(config().maxRequestBodySize(MAX_BODY), this.echo);
		try (RawClient client = new RawClient(port)) {
			// A valid request after the bad one, in the same write: it must never run.
			RawClient.Response response = client.send(request + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(status);
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(response.header("Content-Type")).startsWith("text/plain");
			assertThat(response.body()).startsWith(status + " ").doesNotContain("Exception").doesNotContain("\tat ");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(this.executed).isEmpty();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response next = client.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(next.status()).isEqualTo(200);
			assertThat(next.body()).startsWith("GET /next ");
		}
		assertThat(this.executed).containsExactly("GET /next");
	}

	@ParameterizedTest(name = "RFC 9112 §7.1: {0}")
	@MethodSource("badChunkedBodies")
	void badChunkedBodyIs400AndNothingAfterItRuns(String rule, String body) throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client
				.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
						+ "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
				.read();
			assertThat(response.status()).isEqualTo(400);
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(this.executed).containsExactly("POST /upload");
	}

	static Stream<Arguments> badChunkedBodies() {
		return Stream.of(
				Arguments.of("bare LF in a chunk extension", "2;\nxx\r\n45\r\n0\r\n\r\n"),
				Arguments.of("chunk data overrun", "2\r\nxxx\r\n0\r\n\r\n"),
				Arguments.of("0x chunk size", "0x2\r\nxx\r\n0\r\n\r\n"),
				Arguments.of("chunk size overflow", "ffffffffffffffff1\r\nxx\r\n0\r\n\r\n"),
				Arguments.of("Content-Length in the trailers", "2\r\nxx\r\n0\r\nContent-Length: 50\r\n\r\n"));
	}

	@Test
	@DisplayName("RFC 9110 §15.5.14: a chunked body above the maximum is 413 when it is read")
	void chunkedBodyAboveTheMaximumIs413() throws Exception {
		int port = start(config().maxRequestBodySize(10), this.echo);
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client
				.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello,\r\n6\r\n world\r\n0\r\n\r\n")
				.read();
			assertThat(response.status()).isEqualTo(413);
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		try (RawClient client = new RawClient(port)) {
			RawClient.Response ok = client
				.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n")
				.read();
			assertThat(ok.status()).isEqualTo(200);
			assertThat(ok.body()).contains("body=helloworld");
		}
	}

	@Test
	@DisplayName("RFC 9110 §15.6.1: a handler failing before it reads the body gets 500 and close, not a desync")
	void errorResponseToAnUnreadBody() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client
				.send("POST /fail HTTP/1.1\r\nHost: x\r\nX-Mode: fail\r\nContent-Length: 35\r\n\r\n"
						+ "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
				.read();
			assertThat(response.status()).isEqualTo(500);
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(response.body()).doesNotContain("handler failed").doesNotContain("Exception");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(this.executed).containsExactly("POST /fail");
	}

}
