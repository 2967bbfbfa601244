package io.starlet.websocket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The server's opening handshake (RFC 6455 §4.2). */
class HandshakeTest {

	private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

	@Test
	void rfcExampleAcceptKey() {
		// RFC 6455 §1.3
		assertThat(Handshake.accept(KEY)).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	}

	@Test
	void rfcExampleHandshakeIsAccepted() {
		Handshake.Outcome outcome = evaluate("GET", "HTTP/1.1", headers("Host: server.example.com",
				"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
				"Origin: http://example.com", "Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Version: 13"),
				List.of("chat"));
		assertThat(outcome.accepted()).isTrue();
		assertThat(outcome.status()).isEqualTo(101);
		assertThat(outcome.subprotocol()).isEqualTo("chat");
		assertThat(outcome.headers()).containsExactly(entry("Upgrade", "websocket"), entry("Connection", "Upgrade"),
				entry("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), entry("Sec-WebSocket-Protocol", "chat"));
	}

	@Test
	void tokensAreCaseInsensitiveAndMayBeInLists() {
		Handshake.Outcome outcome = evaluate("GET", "HTTP/1.1", headers("Upgrade: h2c, WebSocket",
				"Connection: keep-alive", "Connection: UPGRADE", "Sec-WebSocket-Key:  " + KEY + " ",
				"Sec-WebSocket-Version: 13"), List.of());
		assertThat(outcome.accepted()).isTrue();
		assertThat(outcome.headers()).doesNotContainKey("Sec-WebSocket-Protocol");
	}

	@Test
	void extensionsAreLeftToTheContainer() {
		Handshake.Outcome outcome = evaluate("GET", "HTTP/1.1",
				valid("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"), List.of());
		assertThat(outcome.accepted()).isTrue();
		assertThat(outcome.headers()).doesNotContainKey("Sec-WebSocket-Extensions");
	}

	@ParameterizedTest
	@ValueSource(strings = { "POST", "get", "HEAD", "CONNECT" })
	void methodMustBeGet(String method) {
		Handshake.Outcome outcome = evaluate(method, "HTTP/1.1", valid(), List.of());
		assertThat(outcome.failure()).isEqualTo(Handshake.Failure.METHOD_NOT_GET);
		assertThat(outcome.status()).isEqualTo(405);
		assertThat(outcome.headers()).containsExactly(entry("Allow", "GET"));
	}

	@Test
	void versionMustBeHttp11() {
		assertThat(evaluate("GET", "HTTP/1.0", valid(), List.of()).failure()).isEqualTo(Handshake.Failure.NOT_HTTP_11);
		assertThat(evaluate("GET", "HTTP/1.0", valid(), List.of()).status()).isEqualTo(400);
	}

	@Test
	void upgradeMustNameWebsocket() {
		assertFailure(without("Upgrade"), Handshake.Failure.NOT_WEBSOCKET_UPGRADE, 400);
		assertFailure(replace("Upgrade", "Upgrade: h2c"), Handshake.Failure.NOT_WEBSOCKET_UPGRADE, 400);
		assertFailure(replace("Upgrade", "Upgrade: websockets"), Handshake.Failure.NOT_WEBSOCKET_UPGRADE, 400);
	}

	@Test
	void connectionMustContainUpgrade() {
		assertFailure(without("Connection"), Handshake.Failure.NO_CONNECTION_UPGRADE, 400);
		assertFailure(replace("Connection", "Connection: keep-alive"), Handshake.Failure.NO_CONNECTION_UPGRADE, 400);
		assertFailure(replace("Connection", "Connection: upgraded"), Handshake.Failure.NO_CONNECTION_UPGRADE, 400);
	}

	@Test
	void versionOtherThan13Gets426WithTheSupportedVersion() {
		for (Map<String, List<String>> headers : List.of(without("Sec-WebSocket-Version"),
				replace("Sec-WebSocket-Version", "Sec-WebSocket-Version: 8"),
				replace("Sec-WebSocket-Version", "Sec-WebSocket-Version: 13, 8"),
				valid("Sec-WebSocket-Version: 13"))) {
			Handshake.Outcome outcome = evaluate("GET", "HTTP/1.1", headers, List.of());
			assertThat(outcome.failure()).isEqualTo(Handshake.Failure.UNSUPPORTED_VERSION);
			assertThat(outcome.status()).isEqualTo(426);
			assertThat(outcome.headers()).containsExactly(entry("Sec-WebSocket-Version", "13"));
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZ===",
			"dGhlIHNhbXBsZSBub25j", "dGhlIHNhbXBsZSBub25jZS4=", "dGhlIHNhbXBsZSBub25jZQ==AA", "dGhlIHNhbXBsZ$Bub25jZQ==",
			"dGhlIHNhbXBs ZSBub25jZQ=" })
	void keyMustBeBase64Of16Bytes(String key) {
		assertFailure(replace("Sec-WebSocket-Key", "Sec-WebSocket-Key: " + key), Handshake.Failure.INVALID_KEY, 400);
	}

	@Test
	void keyMustBeGivenOnce() {
		assertFailure(without("Sec-WebSocket-Key"), Handshake.Failure.INVALID_KEY, 400);
		assertFailure(valid("Sec-WebSocket-Key: " + KEY), Handshake.Failure.INVALID_KEY, 400);
	}

	@Test
	void subprotocolIsTheFirstTheClientListsThatTheServerSupports() {
		assertThat(Handshake.selectSubprotocol(List.of("a, b", "c"), List.of("c", "b"))).isEqualTo("b");
		assertThat(Handshake.selectSubprotocol(List.of(" v12.stomp ,v11.stomp"), List.of("v11.stomp", "v12.stomp")))
			.isEqualTo("v12.stomp");
		assertThat(Handshake.selectSubprotocol(List.of("a"), List.of("b"))).isNull();
		assertThat(Handshake.selectSubprotocol(List.of("Chat"), List.of("chat"))).as("exact match").isNull();
		assertThat(Handshake.selectSubprotocol(List.of(), List.of("chat"))).isNull();
		assertThat(Handshake.selectSubprotocol(List.of("chat"), List.of())).isNull();
		assertThat(Handshake.selectSubprotocol(List.of(", ,chat"), List.of("chat"))).isEqualTo("chat");
	}

	private static void assertFailure(Map<String, List<String>> headers, Handshake.Failure failure, int status) {
		Handshake.Outcome outcome = evaluate("GET", "HTTP/1.1", headers, List.of());
		assertThat(outcome.accepted()).isFalse();
		assertThat(outcome.failure()).isEqualTo(failure);
		assertThat(outcome.status()).isEqualTo(status);
	}

	private static Handshake.Outcome evaluate(String method, String version, Map<String, List<String>> headers,
			List<String> supported) {
		return Handshake.evaluate(method, version, (name) -> headers.get(name.toLowerCase(Locale.ROOT)), supported);
	}

	private static Map<String, List<String>> valid(String... extra) {
		List<String> lines = new ArrayList<>(List.of("Host: example.com", "Upgrade: websocket",
				"Connection: Upgrade", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13"));
		lines.addAll(Arrays.asList(extra));
		return headers(lines.toArray(String[]::new));
	}

	private static Map<String, List<String>> without(String name) {
		Map<String, List<String>> headers = valid();
		headers.remove(name.toLowerCase(Locale.ROOT));
		return headers;
	}

	private static Map<String, List<String>> replace(String name, String line) {
		Map<String, List<String>> headers = without(name);
		headers.putAll(headers(line));
		return headers;
	}

	private static Map<String, List<String>> headers(String... lines) {
		Map<String, List<String>> headers = new TreeMap<>();
		for (String line : lines) {
			int colon = line.indexOf(':');
			headers.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), (k) -> new ArrayList<>())
				.add(line.substring(colon + 1).strip());
		}
		return headers;
	}

}
