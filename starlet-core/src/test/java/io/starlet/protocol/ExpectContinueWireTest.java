package io.starlet.protocol;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Expect: 100-continue} (RFC 9110 §10.1.1, §15.2.1) for a streamed body
 * ({@code request-buffering} off): the interim response goes out when the application first
 * reads the body, never when it answers without reading, never to HTTP/1.0. With buffering on,
 * the acceptor answers it when it starts collecting (WaitingClientsTest).
 */
@Timeout(60)
class ExpectContinueWireTest extends WireTestSupport {

	@Override
	io.starlet.StarletConfig.Builder config() {
		return super.config().requestBuffering(false);
	}

	private static final String HEAD = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n";

	@Test
	@DisplayName("RFC 9110 §10.1.1: 100 Continue is sent when the handler first reads, then the final response")
	void continueOnFirstRead() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			client.send(HEAD + "\r\n");
			// A client waits for 100 before sending the body: the server must not wait for the body first.
			RawClient.Response interim = client.read();
			assertThat(interim.status()).isEqualTo(100);
			assertThat(interim.head()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
			RawClient.Response response = client.send("hello").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).contains("body=hello");
			assertThat(response.header("Connection")).isNull();
			// The connection is reusable afterwards, and the next request gets no stray 100.
			RawClient.Response next = client.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(next.status()).isEqualTo(200);
			assertThat(next.body()).startsWith("GET /next ");
		}
	}

	@Test
	@DisplayName("RFC 9110 §10.1.1: 100 Continue also before a large body that is read straight from the socket")
	void continueBeforeALargeBody() throws Exception {
		int port = start();
		String body = "abcdefghij".repeat(3000);
		try (RawClient client = new RawClient(port)) {
			client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\nExpect: 100-continue\r\n\r\n");
			assertThat(client.read().status()).isEqualTo(100);
			RawClient.Response response = client.send(body).read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).contains("body=" + body + " ");
		}
	}

	@Test
	@DisplayName("RFC 9110 §10.1.1: a handler that answers without reading sends no 100 and closes")
	void noContinueWhenTheHandlerDoesNotRead() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send(HEAD + "X-Mode: no-read\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.head()).doesNotContain("100 Continue");
			// The client may still send the body or not; either way the connection cannot be reused.
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
	}

	@Test
	@DisplayName("RFC 9110 §10.1.1: a client that sends the body without waiting gets no 100 it does not need")
	void noContinueWhenTheBodyIsAlreadyThere() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send(HEAD + "\r\nhello").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).contains("body=hello");
		}
	}

	@Test
	@DisplayName("RFC 9110 §10.1.1: never 100 Continue to HTTP/1.0")
	void neverToHttp10() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			client.send("POST /upload HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
			// Silence over a window is the evidence: time is the point, and a loaded machine can
			// only make a wrong 100 come too late to be seen, never fail a right server.
			assertThat(client.readWithin(700)).isEmpty();
			RawClient.Response response = client.send("hello").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).contains("body=hello");
			assertThat(response.head()).doesNotContain("100 Continue");
		}
	}

	@Test
	@DisplayName("RFC 9110 §10.1.1: 100 Continue with a chunked body")
	void continueWithChunkedBody() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
			assertThat(client.read().status()).isEqualTo(100);
			RawClient.Response response = client.send("5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).contains("body=hello").contains("trailers=1");
		}
	}

	@Test
	@DisplayName("RFC 9110 §10.1.1: an expectation other than 100-continue is 417")
	void unknownExpectationIs417() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 5\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(417);
			assertThat(response.header("Connection")).isEqualTo("close");
		}
		assertThat(this.executed).isEmpty();
	}

}
