package io.starlet.protocol;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.http.HttpCompliance;
import io.starlet.http.HttpCompliance.Leniency;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compliance policy over a real socket: {@code StarletConfig.httpCompliance} reaches the
 * acceptor's parser, a withheld leniency is a 400 with close counted under its violation's name,
 * and the default still grants what Starlet has always granted.
 */
@Timeout(30)
class ComplianceWireTest extends WireTestSupport {

	private static final String BARE_LF = "GET /lf HTTP/1.1\nHost: x\n\n";

	private static final String LENGTH_LIST = "POST /list HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\nab";

	private static final String BOTH_FRAMINGS = "POST /both HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n"
			+ "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";

	@Test
	@DisplayName("The default policy: bare LF, a Content-Length list and CL+TE are served (the last one then closed)")
	void defaultPolicyServesWhatStarletAlwaysServed() throws Exception {
		int port = start();
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send(BARE_LF).read().status()).isEqualTo(200);
			RawClient.Response list = client.send(LENGTH_LIST).read();
			assertThat(list.status()).isEqualTo(200);
			assertThat(list.body()).contains("body=ab");
			RawClient.Response both = client.send(BOTH_FRAMINGS).read();
			assertThat(both.status()).isEqualTo(200);
			assertThat(both.body()).contains("body=ab");
			assertThat(both.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(this.executed).containsExactly("GET /lf", "POST /list", "POST /both");
	}

	@Test
	@DisplayName("A strict policy refuses each with 400 and close, counted by violation, and still serves CRLF")
	void strictPolicyRefusesEachLeniency() throws Exception {
		int port = start(config().httpCompliance(HttpCompliance.STRICT), this.echo);
		for (String request : new String[] { BARE_LF, LENGTH_LIST, BOTH_FRAMINGS }) {
			try (RawClient client = new RawClient(port)) {
				RawClient.Response response = client.send(request).read();
				assertThat(response.status()).as(request).isEqualTo(400);
				assertThat(response.header("Connection")).isEqualTo("close");
				assertThat(client.closedByServer(10_000)).isTrue();
			}
		}
		assertThat(this.executed).isEmpty();
		assertThat(stats().violations()).containsEntry("INVALID_CHARACTER", 1L).containsEntry("INVALID_CONTENT_LENGTH", 2L);
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send("GET /crlf HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
		}
		assertThat(this.executed).containsExactly("GET /crlf");
	}

	@Test
	@DisplayName("RFC 3986 §3.3: '{' passes with UNSAFE_TARGET_CHARACTERS (granted by default); '\\' never does, counted as INVALID_TARGET")
	void unsafeTargetCharacters() throws Exception {
		int withheldPort = start(config().httpCompliance(HttpCompliance.DEFAULT.without(Leniency.UNSAFE_TARGET_CHARACTERS)),
				this.echo);
		try (RawClient client = new RawClient(withheldPort)) {
			RawClient.Response response = client.send("GET /a?b={} HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(400);
			assertThat(response.header("Connection")).isEqualTo("close");
		}
		assertThat(stats().violations()).containsEntry("INVALID_TARGET", 1L);
		stopServer();
		int port = start();
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send("GET /a?b={} HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
			RawClient.Response backslash = client.send("GET /a\\b HTTP/1.1\r\nHost: x\r\n\r\n").read();
			assertThat(backslash.status()).isEqualTo(400);
			assertThat(backslash.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(stats().violations()).containsEntry("INVALID_TARGET", 1L);
		assertThat(this.executed).containsExactly("GET /a?b={}");
	}

	@Test
	@DisplayName("One leniency withheld: only that request is refused")
	void oneLeniencyWithheld() throws Exception {
		int port = start(config().httpCompliance(HttpCompliance.DEFAULT.without(Leniency.BARE_LF_IN_HEAD)), this.echo);
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send(BARE_LF).read().status()).isEqualTo(400);
		}
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send(LENGTH_LIST).read().status()).isEqualTo(200);
		}
		assertThat(this.executed).containsExactly("POST /list");
	}

}
