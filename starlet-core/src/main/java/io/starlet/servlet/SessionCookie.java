package io.starlet.servlet;

import java.util.ArrayList;
import java.util.List;

import io.starlet.http.HttpFields;
import jakarta.servlet.http.Cookie;

/**
 * A response's session cookie (cookie tracking only): built from the context's cookie config
 * (path defaults to the context path), replaced when the id changes, and kept through
 * {@code reset()}, which clears every other header.
 */
final class SessionCookie {

	private final ContainerContext context;

	/** The formatted {@code Set-Cookie} value sent, or null. */
	private String value;

	SessionCookie(ContainerContext context) {
		this.context = context;
	}

	/** Sets the cookie for {@code sessionId}, replacing an earlier one; headers are left alone once committed. */
	void set(String sessionId, HttpFields headers, boolean committed) {
		if (!this.context.isCookieTracking()) {
			return;
		}
		SessionCookieSettings config = (SessionCookieSettings) this.context.getSessionCookieConfig();
		Cookie cookie = new Cookie(config.getName(), sessionId);
		config.getAttributes().forEach(cookie::setAttribute);
		if (config.getPath() == null) {
			String path = this.context.getContextPath();
			cookie.setPath(path.isEmpty() ? "/" : path);
		}
		String formatted = Cookies.format(cookie, this.context.settings.sameSiteResolver(),
				this.context.settings.clock().currentTimeMillis());
		if (this.value != null) {
			remove(headers, this.value);
		}
		this.value = formatted;
		if (!committed) {
			headers.add("Set-Cookie", formatted);
		}
	}

	/** Puts the cookie back after the headers were cleared. */
	void restore(HttpFields headers) {
		if (this.value != null) {
			headers.add("Set-Cookie", this.value);
		}
	}

	private static void remove(HttpFields headers, String value) {
		List<String> kept = new ArrayList<>();
		for (String v : headers.getAll("Set-Cookie")) {
			if (!v.equals(value)) {
				kept.add(v);
			}
		}
		headers.remove("Set-Cookie");
		kept.forEach((v) -> headers.add("Set-Cookie", v));
	}

}
