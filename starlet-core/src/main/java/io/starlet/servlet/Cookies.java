package io.starlet.servlet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.servlet.http.Cookie;

/**
 * Cookies as RFC 6265 has them: {@code Cookie} request headers parsed leniently (a bad pair is
 * skipped, not fatal), {@code Set-Cookie} values written strictly.
 */
final class Cookies {

	private Cookies() {
	}

	/**
	 * Parses {@code Cookie} header values. Pairs are split on {@code ;} first, so a quoted value
	 * cannot swallow the pairs after it; surrounding quotes are then removed from the value.
	 */
	static List<Cookie> parse(List<String> headerValues) {
		List<Cookie> cookies = new ArrayList<>();
		for (String header : headerValues) {
			for (String pair : header.split(";")) {
				int eq = pair.indexOf('=');
				if (eq <= 0) {
					continue;
				}
				String name = pair.substring(0, eq).trim();
				String value = pair.substring(eq + 1).trim();
				if (name.isEmpty() || name.charAt(0) == '$' || !isToken(name)) {
					continue;
				}
				if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
					value = value.substring(1, value.length() - 1);
				}
				if (value.indexOf('"') >= 0) {
					// an unbalanced or inner quote: not an RFC 6265 cookie-value
					continue;
				}
				try {
					cookies.add(new Cookie(name, value));
				}
				catch (IllegalArgumentException ex) {
					// a name the Cookie class refuses (e.g. a reserved one): skip it
				}
			}
		}
		return cookies;
	}

	/** The {@code Set-Cookie} value for a cookie; {@code nowMillis} (the container's clock) dates its Expires. */
	static String format(Cookie cookie, Function<Cookie, String> sameSiteResolver, long nowMillis) {
		String name = cookie.getName();
		String value = (cookie.getValue() != null) ? cookie.getValue() : "";
		validateValue(name, value);
		StringBuilder sb = new StringBuilder(64);
		sb.append(name).append('=').append(value);
		boolean sameSiteSeen = false;
		for (Map.Entry<String, String> attribute : cookie.getAttributes().entrySet()) {
			String attributeName = attribute.getKey();
			String attributeValue = attribute.getValue();
			if (isFlag(attributeName)) {
				if (attributeValue == null || attributeValue.isEmpty() || "true".equalsIgnoreCase(attributeValue)) {
					sb.append("; ").append(attributeName);
				}
				continue;
			}
			if ("Max-Age".equalsIgnoreCase(attributeName)) {
				int maxAge = cookie.getMaxAge();
				if (maxAge >= 0) {
					sb.append("; Max-Age=").append(maxAge);
					sb.append("; Expires=")
						.append((maxAge == 0) ? "Thu, 01 Jan 1970 00:00:10 GMT"
								: HttpDates.format(nowMillis + maxAge * 1000L));
				}
				continue;
			}
			if ("SameSite".equalsIgnoreCase(attributeName)) {
				sameSiteSeen = true;
			}
			if ("Comment".equalsIgnoreCase(attributeName)) {
				continue;
			}
			validateAttribute(attributeName, attributeValue);
			sb.append("; ").append(attributeName);
			if (attributeValue != null && !attributeValue.isEmpty()) {
				sb.append('=').append(attributeValue);
			}
		}
		if (!sameSiteSeen && sameSiteResolver != null) {
			String sameSite = sameSiteResolver.apply(cookie);
			if (sameSite != null) {
				sb.append("; SameSite=").append(sameSite);
			}
		}
		return sb.toString();
	}

	private static boolean isFlag(String name) {
		return "Secure".equalsIgnoreCase(name) || "HttpOnly".equalsIgnoreCase(name)
				|| "Partitioned".equalsIgnoreCase(name);
	}

	private static void validateValue(String name, String value) {
		int start = 0;
		int end = value.length();
		if (end >= 2 && value.charAt(0) == '"' && value.charAt(end - 1) == '"') {
			start = 1;
			end--;
		}
		for (int i = start; i < end; i++) {
			char c = value.charAt(i);
			if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\') {
				throw new IllegalArgumentException(
						"Cookie '" + name + "' has a value with a character RFC 6265 does not allow: 0x"
								+ Integer.toHexString(c));
			}
		}
	}

	private static void validateAttribute(String name, String value) {
		if (value == null) {
			return;
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < 0x20 || c == 0x7f || c == ';') {
				throw new IllegalArgumentException("Cookie attribute '" + name + "' has an invalid character");
			}
		}
	}

	static boolean isToken(String s) {
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
				return false;
			}
		}
		return !s.isEmpty();
	}

}
