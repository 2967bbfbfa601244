package io.starlet.servlet;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.starlet.Clock;

/**
 * The access log in the combined log format, one INFO line per request on the SLF4J logger
 * {@code starlet.access}, followed by the time taken in microseconds. Off unless enabled.
 */
final class AccessLog {

	static final Logger logger = LoggerFactory.getLogger("starlet.access");

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);

	private final boolean enabled;

	private final Clock clock;

	AccessLog(boolean enabled, Clock clock) {
		this.enabled = enabled;
		this.clock = clock;
	}

	void log(ContainerRequest request, ContainerResponse response, long nanos) {
		if (!this.enabled || !logger.isInfoEnabled()) {
			return;
		}
		StringBuilder line = new StringBuilder(160);
		line.append(request.getRemoteAddr()).append(" - - [").append(TIME.format(Instant.ofEpochMilli(this.clock.currentTimeMillis()).atZone(ZoneId.systemDefault()))).append("] \"");
		line.append(request.getMethod()).append(' ').append(sanitize(request.exchange.target())).append(' ')
			.append(request.getProtocol()).append("\" ");
		line.append(request.exchange.isCommitted() ? request.exchange.status() : response.getStatus()).append(' ');
		long bytes = response.output().bytesWritten();
		line.append((bytes > 0) ? Long.toString(bytes) : "-").append(" \"");
		line.append(sanitize(request.getHeader("Referer"))).append("\" \"");
		line.append(sanitize(request.getHeader("User-Agent"))).append("\" ");
		line.append(nanos / 1000);
		logger.info(line.toString());
	}

	private static String sanitize(String value) {
		if (value == null) {
			return "-";
		}
		StringBuilder sb = null;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) {
				if (sb == null) {
					sb = new StringBuilder(value.substring(0, i));
				}
				sb.append(String.format("\\x%02x", (int) c));
			}
			else if (sb != null) {
				sb.append(c);
			}
		}
		return (sb != null) ? sb.toString() : value;
	}

}
