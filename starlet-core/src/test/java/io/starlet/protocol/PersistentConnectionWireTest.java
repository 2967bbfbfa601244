package io.starlet.protocol;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Persistent connections and response framing over a real socket: HTTP/1.0 keep-alive, HEAD,
 * bodies nobody read, ambiguous framing, and nothing carried from one request to the next.
 */
@Timeout(60)
class PersistentConnectionWireTest extends WireTestSupport {

	@Test
	@DisplayName("RFC 9112 §9.3: HTTP/1.0 with Connection: keep-alive stays open and says so")
	void http10KeepAlive() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			for (int i = 0; i < 3; i++) {
				RawClient.Response response = client.send("GET /k" + i + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.head()).startsWith("HTTP/1.1 200 ");
				assertThat(response.header("Connection")).isEqualTo("keep-alive");
				assertThat(response.header("Content-Length")).isNotNull();
				assertThat(response.body()).startsWith("GET /k" + i + " HTTP/1.0 ");
			}
		}
	}

	@Test
	@DisplayName("RFC 9112 §9.3: HTTP/1.0 without keep-alive closes")
	void http10Close() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET / HTTP/1.0\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
	}

	@Test
	@DisplayName("RFC 9112 §6.3 (8): HTTP/1.0 response of unknown length is close-delimited, never chunked")
	void http10UnknownLengthIsCloseDelimited() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET /u HTTP/1.0\r\nConnection: keep-alive\r\nX-Mode: unknown-length\r\n\r\n")
				.read();
			assertThat(response.header("Transfer-Encoding")).isNull();
			assertThat(response.header("Content-Length")).isNull();
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(response.body()).startsWith("GET /u HTTP/1.0 ");
		}
	}

	@Test
	@DisplayName("RFC 9112 §7: HTTP/1.1 response of unknown length is chunked and the connection persists")
	void http11UnknownLengthIsChunked() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET /u HTTP/1.1\r\nHost: x\r\nX-Mode: unknown-length\r\n\r\n").read();
			assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
			assertThat(response.header("Content-Length")).isNull();
			assertThat(response.header("Connection")).isNull();
			assertThat(response.body()).startsWith("GET /u HTTP/1.1 ");
			assertThat(client.send("GET /v HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).startsWith("GET /v ");
		}
	}

	@Test
	@DisplayName("RFC 9110 §9.3.2: HEAD gets the head only, Content-Length kept; the connection stays in step")
	void head() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response get = client.send("GET /h HTTP/1.1\r\nHost: x\r\n\r\n").read();
			RawClient.Response head = client.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n").readHeadResponse();
			assertThat(head.status()).isEqualTo(200);
			// Same length as the GET body ("GET" and "HEAD" differ by one letter).
			assertThat(Integer.parseInt(head.header("Content-Length"))).isEqualTo(get.body().length() + 1);
			assertThat(head.header("Transfer-Encoding")).isNull();
			// Had any body bytes followed the HEAD response, this would read them instead.
			RawClient.Response next = client.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(next.head()).startsWith("HTTP/1.1 200 ");
			assertThat(next.body()).startsWith("GET /after ");
			RawClient.Response unknownLength = client.send("HEAD /u HTTP/1.1\r\nHost: x\r\nX-Mode: unknown-length\r\n\r\n")
				.readHeadResponse();
			assertThat(unknownLength.header("Transfer-Encoding")).isNull();
			assertThat(client.send("GET /last HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).startsWith("GET /last ");
		}
	}

	@Test
	@DisplayName("RFC 9112 §6.3 (6): a GET with a body nobody reads (CL.0) is drained, not run as a request")
	void getWithAnUnreadBody() throws Exception {
		int port = start();
		String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
		try (RawClient client = new RawClient(port)) {
			RawClient.Response first = client
				.send("GET /cl0 HTTP/1.1\r\nHost: x\r\nX-Mode: no-read\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled
						+ "GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
				.read();
			assertThat(first.body()).startsWith("GET /cl0 ");
			assertThat(first.header("Connection")).isNull();
			assertThat(client.read().body()).startsWith("GET /after ");
		}
		assertThat(this.executed).containsExactly("GET /cl0", "GET /after");
	}

	@Test
	@DisplayName("RFC 9112 §9.3: an unread chunked body is drained before the next request")
	void unreadChunkedBodyIsDrained() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			client.send("POST /c HTTP/1.1\r\nHost: x\r\nX-Mode: no-read\r\nTransfer-Encoding: chunked\r\n\r\n"
					+ "23\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n" + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(client.read().body()).startsWith("POST /c ");
			assertThat(client.read().body()).startsWith("GET /after ");
		}
		assertThat(this.executed).containsExactly("POST /c", "GET /after");
	}

	@Test
	@DisplayName("RFC 9112 §6.3 (3): Transfer-Encoding with Content-Length: chunked wins, then the connection closes")
	void transferEncodingAndContentLength() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client
				.send("POST /te HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
						+ "5\r\nhello\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
				.read();
			assertThat(response.body()).contains("body=hello ");
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(this.executed).containsExactly("POST /te");
	}

	@Test
	@DisplayName("RFC 9112 §6.1: no response ever carries both Content-Length and Transfer-Encoding")
	void neverBothFramings() throws Exception {
		int port = start();
		RawClient client = new RawClient(port);
		try {
			for (String protocol : new String[] { "HTTP/1.1\r\nHost: x", "HTTP/1.0\r\nConnection: keep-alive" }) {
				for (String mode : new String[] { "both-framing", "unknown-length", "plain" }) {
					RawClient.Response response = client.send("GET /f " + protocol + "\r\nX-Mode: " + mode + "\r\n\r\n").read();
					assertThat(response.status()).isEqualTo(200);
					assertThat(response.headers("Content-Length").size() + response.headers("Transfer-Encoding").size())
						.as("%s %s", protocol, mode)
						.isLessThanOrEqualTo(1);
					if (response.header("Connection") != null && response.header("Connection").equals("close")) {
						client.close();
						client = new RawClient(port);
					}
				}
			}
		}
		finally {
			client.close();
		}
	}

	@Test
	@DisplayName("RFC 9112 §9.3: nothing leaks from one request to the next: headers, trailers, body remainder")
	void noStateLeaksBetweenRequests() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			RawClient.Response first = client
				.send("POST /first HTTP/1.1\r\nHost: x\r\nX-Secret: s\r\nX-Mode: half-read\r\nTransfer-Encoding: chunked\r\n\r\n"
						+ "4\r\nabcd\r\n0\r\nX-Trailer: t\r\n\r\n")
				.read();
			assertThat(first.body()).contains("body=a ").contains("secret");
			RawClient.Response second = client.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(second.body()).isEqualTo("GET /second HTTP/1.1 body= trailers=0 fields=1");
			RawClient.Response third = client
				.send("POST /third HTTP/1.1\r\nHost: x\r\nX-Mode: half-read\r\nContent-Length: 4\r\n\r\nwxyz").read();
			assertThat(third.body()).contains("body=w ");
			RawClient.Response fourth = client.send("GET /fourth HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(fourth.body()).isEqualTo("GET /fourth HTTP/1.1 body= trailers=0 fields=1");
		}
		assertThat(this.executed).containsExactly("POST /first", "GET /second", "POST /third", "GET /fourth");
	}

	/** Answers with the status in X-Status and writes a body, committed with X-Length if given. */
	private void bodyAnyway(io.starlet.Exchange exchange) throws java.io.IOException {
		exchange.setStatus(Integer.parseInt(exchange.requestHeaders().get("X-Status")));
		String length = exchange.requestHeaders().get("X-Length");
		if (length != null) {
			exchange.commit(Long.parseLong(length));
		}
		exchange.responseBody().write("abc".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
	}

	@Test
	@DisplayName("RFC 9110 §15.3.6, §8.6: a 205 says Content-Length: 0 and a 204 or 304 no length, HEAD or not; no body leaves, whatever the handler writes")
	void statusesWithoutContentSendNoneWhateverTheHandlerWrites() throws Exception {
		int port = start(config(), this::bodyAnyway);
		try (RawClient client = new RawClient(port)) {
			for (String method : new String[] { "GET", "HEAD" }) {
				for (String status : new String[] { "204", "205", "304" }) {
					for (String length : new String[] { null, "0", "3" }) {
						String request = method + " /s HTTP/1.1\r\nHost: x\r\nX-Status: " + status + "\r\n"
								+ ((length != null) ? "X-Length: " + length + "\r\n" : "") + "\r\n";
						client.send(request);
						RawClient.Response response = method.equals("HEAD") ? client.readHeadResponse() : client.read();
						String what = method + " " + status + " length " + length;
						assertThat(response.status()).as(what).isEqualTo(Integer.parseInt(status));
						assertThat(response.header("Content-Length")).as(what).isEqualTo(status.equals("205") ? "0" : null);
						assertThat(response.header("Transfer-Encoding")).as(what).isNull();
						assertThat(response.body()).as(what).isEmpty();
					}
				}
			}
			// the connection stayed in step: no stray "abc" is read as the next response
			assertThat(client.send("GET /next HTTP/1.1\r\nHost: x\r\nX-Status: 200\r\nX-Length: 3\r\n\r\n").read().body())
				.isEqualTo("abc");
		}
	}

}
