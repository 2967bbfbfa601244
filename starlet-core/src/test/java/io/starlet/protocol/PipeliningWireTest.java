package io.starlet.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Pipelined requests (RFC 9112 §9.3.2): answered in order, each framed exactly, nothing after a close. */
@Timeout(60)
class PipeliningWireTest extends WireTestSupport {

	/** Request i: GETs, length-framed and chunked POSTs, and a HEAD, in rotation. */
	private static String request(int i) {
		return switch (i % 4) {
			case 0 -> "GET /r" + i + "?q=" + i + " HTTP/1.1\r\nHost: x\r\n\r\n";
			case 1 -> "POST /r" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nbody" + String.format("%02d", i);
			case 2 -> "POST /r" + i + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=\"x\"\r\nchu\r\n2\r\n"
					+ String.format("%02d", i) + "\r\n0\r\nX-T: " + i + "\r\n\r\n";
			default -> "HEAD /r" + i + " HTTP/1.1\r\nHost: x\r\n\r\n";
		};
	}

	private static void assertAnswers(RawClient client, int i) throws Exception {
		if (i % 4 == 3) {
			RawClient.Response head = client.readHeadResponse();
			assertThat(head.status()).as("response %d", i).isEqualTo(200);
			assertThat(Integer.parseInt(head.header("Content-Length"))).isPositive();
			return;
		}
		RawClient.Response response = client.read();
		assertThat(response.status()).as("response %d", i).isEqualTo(200);
		switch (i % 4) {
			case 0 -> assertThat(response.body()).startsWith("GET /r" + i + "?q=" + i + " ").contains("body= ");
			case 1 -> assertThat(response.body()).startsWith("POST /r" + i + " ").contains("body=body" + String.format("%02d", i) + " ");
			default -> assertThat(response.body()).startsWith("POST /r" + i + " ")
				.contains("body=chu" + String.format("%02d", i) + " ")
				.contains("trailers=1");
		}
	}

	@Test
	@DisplayName("RFC 9112 §9.3.2: 20 requests in one write are answered in order")
	void twentyRequestsInOneWrite() throws Exception {
		int port = start();
		StringBuilder all = new StringBuilder();
		IntStream.range(0, 20).forEach((i) -> all.append(request(i)));
		try (RawClient client = new RawClient(port)) {
			client.send(all.toString());
			for (int i = 0; i < 20; i++) {
				assertAnswers(client, i);
			}
			assertThat(client.send("GET /last HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).startsWith("GET /last ");
		}
		assertThat(this.executed).hasSize(21);
	}

	@Test
	@DisplayName("RFC 9112 §9.6: Connection: close in the middle ends the pipeline there")
	void closeInTheMiddle() throws Exception {
		int port = start();
		StringBuilder all = new StringBuilder();
		for (int i = 0; i < 20; i++) {
			all.append((i == 9) ? "GET /closing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" : request(i));
		}
		try (RawClient client = new RawClient(port)) {
			client.send(all.toString());
			for (int i = 0; i < 9; i++) {
				assertAnswers(client, i);
			}
			RawClient.Response closing = client.read();
			assertThat(closing.body()).startsWith("GET /closing ");
			assertThat(closing.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(this.executed).hasSize(10).last().isEqualTo("GET /closing");
	}

	@Test
	@DisplayName("RFC 9112 §9.3.2: a bad request in the middle is answered 400 in its turn, and nothing after it runs")
	void badRequestInTheMiddle() throws Exception {
		int port = start();
		StringBuilder all = new StringBuilder();
		for (int i = 0; i < 20; i++) {
			all.append((i == 9) ? "GET /bad HTTP/1.1\r\nHost: x\r\nX: a\r\n folded\r\n\r\n" : request(i));
		}
		try (RawClient client = new RawClient(port)) {
			client.send(all.toString());
			for (int i = 0; i < 9; i++) {
				assertAnswers(client, i);
			}
			RawClient.Response bad = client.read();
			assertThat(bad.status()).isEqualTo(400);
			assertThat(bad.header("Connection")).isEqualTo("close");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
		assertThat(this.executed).hasSize(9).doesNotContain("GET /bad");
	}

	@ParameterizedTest(name = "RFC 9112 §9.3.2: requests split at arbitrary byte points (seed {0})")
	@ValueSource(longs = { 1, 2, 3, 4, 5 })
	void requestsSplitAtArbitraryPoints(long seed) throws Exception {
		int port = start();
		StringBuilder all = new StringBuilder();
		IntStream.range(0, 8).forEach((i) -> all.append(request(i)));
		byte[] bytes = all.toString().getBytes(StandardCharsets.ISO_8859_1);
		Random random = new Random(seed);
		List<Integer> cuts = new ArrayList<>();
		for (int at = 1 + random.nextInt(40); at < bytes.length; at += 1 + random.nextInt(40)) {
			cuts.add(at);
		}
		try (RawClient client = new RawClient(port)) {
			client.sendInPieces(bytes, cuts.stream().mapToInt(Integer::intValue).toArray(), 3);
			for (int i = 0; i < 8; i++) {
				assertAnswers(client, i);
			}
		}
		assertThat(this.executed).hasSize(8);
	}

	@Test
	@DisplayName("RFC 9112 §2.2: a request sent one byte at a time")
	void oneByteAtATime() throws Exception {
		int port = start();
		byte[] bytes = (request(2) + request(1)).getBytes(StandardCharsets.ISO_8859_1);
		try (RawClient client = new RawClient(port)) {
			client.sendInPieces(bytes, IntStream.range(1, bytes.length).toArray(), 1);
			assertAnswers(client, 2);
			assertAnswers(client, 1);
		}
	}


	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	@DisplayName("RFC 9112 §2.2: a head near the 8 KiB limit and a 12 KiB body, whole or in pieces, then a pipelined request")
	void aLargeHeadAndASmallBodyArriveWhole(boolean inPieces) throws Exception {
		int port = start();
		// the receive buffer starts small and grows: the head and body must survive each growth
		String big = "x".repeat(7 * 1024);
		String body = "0123456789abcdef".repeat(12 * 1024 / 16);
		String first = "POST /big HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\nContent-Length: " + body.length()
				+ "\r\n\r\n" + body;
		byte[] bytes = (first + request(0)).getBytes(StandardCharsets.ISO_8859_1);
		try (RawClient client = new RawClient(port)) {
			if (inPieces) {
				client.sendInPieces(bytes, new int[] { 100, 3000, 4095, 4096, 4097, 7300, 9000, 16383, 16385, 19000 }, 5);
			}
			else {
				client.send(bytes);
			}
			RawClient.Response response = client.read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).startsWith("POST /big HTTP/1.1 body=" + body + " ").contains("fields=3");
			assertAnswers(client, 0);
		}
		assertThat(this.executed).containsExactly("POST /big", "GET /r0?q=0");
	}


	@ParameterizedTest(name = "in pieces: {0}")
	@ValueSource(booleans = { false, true })
	@DisplayName("RFC 9112 §6.3: a large body read straight into the application's array stops at its length")
	void aLargeBodyThenAPipelinedRequest(boolean inPieces) throws Exception {
		int port = start();
		// far larger than the receive buffer, so the worker reads most of it from the socket
		// directly into the handler's array; the next request follows in the same bytes
		String body = "0123456789abcdef".repeat(200 * 1024 / 16);
		String first = "POST /large HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
		byte[] bytes = (first + request(0) + request(1)).getBytes(StandardCharsets.ISO_8859_1);
		try (RawClient client = new RawClient(port)) {
			if (inPieces) {
				client.sendInPieces(bytes, new int[] { 50, 8191, 8192, 8193, 40000, 100000, bytes.length - 30 }, 5);
			}
			else {
				client.send(bytes);
			}
			RawClient.Response response = client.read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).startsWith("POST /large HTTP/1.1 body=" + body + " ");
			assertAnswers(client, 0);
			assertAnswers(client, 1);
		}
		assertThat(this.executed).containsExactly("POST /large", "GET /r0?q=0", "POST /r1");
	}

}
