package io.starlet.servlet;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** HTTP dates (RFC 9110 §5.6.7): IMF-fixdate written; IMF-fixdate, RFC 850 and asctime read. */
final class HttpDates {

	private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
		.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
		.withZone(ZoneOffset.UTC);

	/** RFC 850, with a two-digit year read as 1970–2069. */
	private static final DateTimeFormatter RFC_850 = new java.time.format.DateTimeFormatterBuilder()
		.appendPattern("EEEE, dd-MMM-")
		.appendValueReduced(java.time.temporal.ChronoField.YEAR, 2, 2, 1970)
		.appendPattern(" HH:mm:ss 'GMT'")
		.toFormatter(Locale.US)
		.withZone(ZoneOffset.UTC);

	private static final DateTimeFormatter[] READ = { IMF_FIXDATE, RFC_850,
			DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC) };

	private HttpDates() {
	}

	static String format(long epochMillis) {
		return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
	}

	/** Milliseconds since the epoch, or -1 when the text is not an HTTP date. */
	static long parse(String text) {
		String value = text.trim();
		for (DateTimeFormatter formatter : READ) {
			try {
				return ZonedDateTime.parse(value, formatter).toInstant().toEpochMilli();
			}
			catch (DateTimeParseException ex) {
				// try the next format
			}
		}
		return -1;
	}

}
