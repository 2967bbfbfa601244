package io.starlet.websocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The server's side of the opening handshake (RFC 6455 §4.2): checks an upgrade request and
 * computes the response. No I/O and no servlet types: the caller passes the method, the HTTP
 * version and a way to read every value of a header field (all field lines, in order,
 * case-insensitive name), and writes out the {@link Outcome}.
 *
 * <p>Checked, in this order (§4.2.1): the method is {@code GET} (405 with {@code Allow: GET});
 * the version is {@code HTTP/1.1} (400); {@code Upgrade} lists the token {@code websocket}, any
 * case (400); {@code Connection} lists the token {@code upgrade}, any case (400);
 * {@code Sec-WebSocket-Version} is exactly one value {@code 13}, otherwise 426 with
 * {@code Sec-WebSocket-Version: 13} (§4.2.2, §4.4); {@code Sec-WebSocket-Key} is exactly one
 * value, the base64 of 16 bytes (400). {@code Host} is the HTTP parser's job (required in
 * HTTP/1.1). {@code Origin} is left to the application.
 *
 * <p>Extensions are not decided here: the container negotiates permessage-deflate (RFC 7692), the
 * one it installs, with the endpoint's configurator ({@link PerMessageDeflate}).
 */
final class Handshake {

	/** The GUID of RFC 6455 §1.3 appended to the key before hashing. */
	static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	/** The only protocol version this server speaks (§4.1, §11.6). */
	static final String VERSION = "13";

	/** Why an upgrade request was refused, with the response status and the rule. */
	enum Failure {

		/** A method other than GET. */
		METHOD_NOT_GET(405, "RFC 6455 §4.2.1 (1)"),
		/** Not HTTP/1.1. */
		NOT_HTTP_11(400, "RFC 6455 §4.2.1 (1)"),
		/** No {@code websocket} token in {@code Upgrade}. */
		NOT_WEBSOCKET_UPGRADE(400, "RFC 6455 §4.2.1 (3)"),
		/** No {@code upgrade} token in {@code Connection}. */
		NO_CONNECTION_UPGRADE(400, "RFC 6455 §4.2.1 (4)"),
		/** {@code Sec-WebSocket-Version} missing, repeated or not 13. */
		UNSUPPORTED_VERSION(426, "RFC 6455 §4.2.1 (6), §4.4"),
		/** {@code Sec-WebSocket-Key} missing, repeated, or not the base64 of 16 bytes. */
		INVALID_KEY(400, "RFC 6455 §4.2.1 (5)");

		private final int status;

		private final String rule;

		Failure(int status, String rule) {
			this.status = status;
			this.rule = rule;
		}

		int status() {
			return this.status;
		}

		String rule() {
			return this.rule;
		}

	}

	/**
	 * What to answer: {@code 101} with the handshake headers, or the failure's status with the
	 * headers it requires ({@code Allow}, {@code Sec-WebSocket-Version}).
	 */
	record Outcome(int status, Failure failure, String subprotocol, Map<String, String> headers) {

		boolean accepted() {
			return this.failure == null;
		}

	}

	private Handshake() {
	}

	/**
	 * Checks an upgrade request and computes the response.
	 * @param method the request method
	 * @param httpVersion the request's version, as {@code HTTP/1.1}
	 * @param headers every value of a field (one entry per field line, in order); an empty list,
	 * or null, when absent
	 * @param supportedSubprotocols the subprotocols the endpoint speaks, in no particular order
	 */
	static Outcome evaluate(String method, String httpVersion, Function<String, List<String>> headers,
			List<String> supportedSubprotocols) {
		if (!"GET".equals(method)) {
			return refuse(Failure.METHOD_NOT_GET, "Allow", "GET");
		}
		if (!"HTTP/1.1".equals(httpVersion)) {
			return refuse(Failure.NOT_HTTP_11, null, null);
		}
		if (!containsToken(values(headers, "Upgrade"), "websocket")) {
			return refuse(Failure.NOT_WEBSOCKET_UPGRADE, null, null);
		}
		if (!containsToken(values(headers, "Connection"), "upgrade")) {
			return refuse(Failure.NO_CONNECTION_UPGRADE, null, null);
		}
		List<String> versions = values(headers, "Sec-WebSocket-Version");
		if (versions.size() != 1 || !VERSION.equals(versions.get(0).strip())) {
			return refuse(Failure.UNSUPPORTED_VERSION, "Sec-WebSocket-Version", VERSION);
		}
		List<String> keys = values(headers, "Sec-WebSocket-Key");
		if (keys.size() != 1 || !isValidKey(keys.get(0).strip())) {
			return refuse(Failure.INVALID_KEY, null, null);
		}
		String subprotocol = selectSubprotocol(values(headers, "Sec-WebSocket-Protocol"), supportedSubprotocols);
		Map<String, String> response = new LinkedHashMap<>();
		response.put("Upgrade", "websocket");
		response.put("Connection", "Upgrade");
		response.put("Sec-WebSocket-Accept", accept(keys.get(0).strip()));
		if (subprotocol != null) {
			response.put("Sec-WebSocket-Protocol", subprotocol);
		}
		return new Outcome(101, null, subprotocol, Collections.unmodifiableMap(response));
	}

	private static Outcome refuse(Failure failure, String header, String value) {
		Map<String, String> response = header == null ? Map.of() : Map.of(header, value);
		return new Outcome(failure.status(), failure, null, response);
	}

	private static List<String> values(Function<String, List<String>> headers, String name) {
		List<String> values = headers.apply(name);
		return values == null ? List.of() : values;
	}

	/** Whether the comma-separated lists in {@code values} hold {@code token}, ignoring case. */
	static boolean containsToken(List<String> values, String token) {
		for (String value : values) {
			for (String element : value.split(",")) {
				if (element.strip().equalsIgnoreCase(token)) {
					return true;
				}
			}
		}
		return false;
	}

	/** A {@code Sec-WebSocket-Key}: base64 (with padding, 24 characters) of 16 bytes (§4.1). */
	static boolean isValidKey(String key) {
		if (key.length() != 24) {
			return false;
		}
		try {
			return Base64.getDecoder().decode(key).length == 16;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	/** {@code Sec-WebSocket-Accept}: base64(SHA-1(key + GUID)) (§4.2.2 (5)(4), §1.3). */
	static String accept(String key) {
		try {
			MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
			byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			// Every Java platform must provide SHA-1 (MessageDigest's class comment).
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The subprotocol to answer with: the first one the client lists (in its order of preference,
	 * across all {@code Sec-WebSocket-Protocol} lines) that the server supports, compared exactly;
	 * null when none matches or the client asked for none (§4.2.2 (5)(4), §11.3.4).
	 */
	static String selectSubprotocol(List<String> requested, List<String> supported) {
		if (supported == null || supported.isEmpty()) {
			return null;
		}
		for (String value : requested) {
			for (String element : value.split(",")) {
				String candidate = element.strip();
				if (!candidate.isEmpty() && supported.contains(candidate)) {
					return candidate;
				}
			}
		}
		return null;
	}

}
