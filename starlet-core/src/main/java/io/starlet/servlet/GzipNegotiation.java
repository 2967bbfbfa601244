package io.starlet.servlet;

import java.util.List;

import io.starlet.http.HttpFields;

/**
 * Whether one response is gzipped: compression configured and on, a 2xx response with a body
 * (not 206), no encoding or range of its own, a compressible media type, at least the minimum
 * size when the size is known, a client that accepts gzip and is not excluded by its User-Agent.
 * A response whose type is compressible varies by {@code Accept-Encoding} whatever the client
 * asked, so caches keep the two forms apart; so does its HEAD, which goes out uncompressed
 * (its compressed length is unknown without the body) but must carry the fields its GET would.
 */
final class GzipNegotiation {

	private GzipNegotiation() {
	}

	/**
	 * @param size the body's length when known, else -1
	 * @param headers the response headers ({@code Vary} is added to them)
	 */
	static boolean applies(Compression compression, int status, boolean head, boolean bodyless, String mediaType,
			long size, HttpFields headers, List<String> acceptEncoding, String userAgent) {
		if (compression == null || !compression.enabled() || bodyless) {
			return false;
		}
		if (status < 200 || status >= 300 || status == 206) {
			return false;
		}
		if (headers.contains("Content-Encoding") || headers.contains("Content-Range")) {
			return false;
		}
		if (mediaType == null || !compression.isCompressible(mediaType)) {
			return false;
		}
		addVary(headers);
		if (head || (size >= 0 && size < compression.minResponseSize())) {
			return false;
		}
		if (!HeaderValues.acceptsEncoding(acceptEncoding, "gzip")) {
			return false;
		}
		return !compression.isExcludedUserAgent(userAgent);
	}

	/**
	 * Adds {@code Accept-Encoding} to the response's {@code Vary} unless it is named there already
	 * or the response varies on everything. Every {@code Vary} field counts: Spring's CORS support
	 * adds one per request header.
	 */
	private static void addVary(HttpFields headers) {
		List<String> fields = headers.getAll("Vary");
		for (String field : fields) {
			for (String name : field.split(",")) {
				String trimmed = name.trim();
				if (trimmed.equals("*") || trimmed.equalsIgnoreCase("Accept-Encoding")) {
					return;
				}
			}
		}
		headers.add("Vary", "Accept-Encoding");
	}

	/** Marks the headers of a response that goes out gzipped; a strong ETag becomes weak. */
	static void markGzipped(HttpFields headers) {
		headers.set("Content-Encoding", "gzip");
		String etag = headers.get("ETag");
		if (etag != null && !etag.startsWith("W/")) {
			headers.set("ETag", "W/" + etag);
		}
	}

}
