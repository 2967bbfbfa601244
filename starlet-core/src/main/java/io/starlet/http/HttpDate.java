package io.starlet.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header value (RFC 9110 §5.6.7), formatted at most once per second however
 * many responses are sent.
 */
final class HttpDate {

	private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
		.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
		.withZone(ZoneOffset.UTC);

	private record Cached(long second, String value) {
	}

	private static volatile Cached cached = new Cached(-1, "");

	private HttpDate() {
	}

	/**
	 * {@code epochMillis} (the engine's clock, read once per response) as an IMF-fixdate, from a
	 * cache of the last second formatted.
	 */
	public static String of(long epochMillis) {
		long second = Math.floorDiv(epochMillis, 1000);
		Cached c = cached;
		if (c.second != second) {
			c = new Cached(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
			cached = c;
		}
		return c.value;
	}

	public static String format(long epochMillis) {
		return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
	}

}
