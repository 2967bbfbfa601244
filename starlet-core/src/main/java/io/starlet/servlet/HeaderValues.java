package io.starlet.servlet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small parsers for header values: media types, parameters, quality lists. */
final class HeaderValues {

	private HeaderValues() {
	}

	/** The media type of a Content-Type value, lower case, without parameters. */
	static String mediaType(String contentType) {
		int semicolon = contentType.indexOf(';');
		String type = (semicolon >= 0) ? contentType.substring(0, semicolon) : contentType;
		return type.trim().toLowerCase(Locale.ROOT);
	}

	/** A parameter of a header value such as {@code text/html; charset="utf-8"}, unquoted; or null. */
	static String parameter(String headerValue, String name) {
		if (headerValue == null) {
			return null;
		}
		int i = headerValue.indexOf(';');
		while (i >= 0 && i < headerValue.length()) {
			int next = nextSemicolon(headerValue, i + 1);
			String param = headerValue.substring(i + 1, (next < 0) ? headerValue.length() : next).trim();
			int eq = param.indexOf('=');
			if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase(name)) {
				String value = param.substring(eq + 1).trim();
				if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
					value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
				}
				return value.isEmpty() ? null : value;
			}
			i = next;
		}
		return null;
	}

	private static int nextSemicolon(String s, int from) {
		boolean quoted = false;
		for (int i = from; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c == '\\' && quoted) {
				i++;
			}
			else if (c == '"') {
				quoted = !quoted;
			}
			else if (c == ';' && !quoted) {
				return i;
			}
		}
		return -1;
	}

	/** Locales from Accept-Language values, highest quality first; {@code *} and q=0 dropped. */
	static List<Locale> acceptLanguage(List<String> values) {
		List<Object[]> weighted = new ArrayList<>();
		for (String value : values) {
			for (String item : value.split(",")) {
				String trimmed = item.trim();
				if (trimmed.isEmpty()) {
					continue;
				}
				double q = 1.0;
				String tag = trimmed;
				int semicolon = trimmed.indexOf(';');
				if (semicolon >= 0) {
					tag = trimmed.substring(0, semicolon).trim();
					String qValue = parameter(trimmed, "q");
					if (qValue != null) {
						try {
							q = Double.parseDouble(qValue);
						}
						catch (NumberFormatException ex) {
							q = 0;
						}
					}
				}
				if (q <= 0 || tag.equals("*") || tag.isEmpty()) {
					continue;
				}
				Locale locale = Locale.forLanguageTag(tag);
				if (!locale.getLanguage().isEmpty()) {
					weighted.add(new Object[] { locale, q });
				}
			}
		}
		weighted.sort((a, b) -> Double.compare((Double) b[1], (Double) a[1]));
		List<Locale> locales = new ArrayList<>(weighted.size());
		for (Object[] entry : weighted) {
			locales.add((Locale) entry[0]);
		}
		return locales;
	}

	/** Whether an Accept-Encoding value accepts a coding (q > 0, explicitly or through {@code *}). */
	static boolean acceptsEncoding(List<String> values, String coding) {
		Boolean explicit = null;
		Boolean wildcard = null;
		for (String value : values) {
			for (String item : value.split(",")) {
				String trimmed = item.trim();
				int semicolon = trimmed.indexOf(';');
				String name = ((semicolon >= 0) ? trimmed.substring(0, semicolon) : trimmed).trim();
				double q = 1.0;
				if (semicolon >= 0) {
					String qValue = parameter(trimmed, "q");
					try {
						q = (qValue != null) ? Double.parseDouble(qValue) : 1.0;
					}
					catch (NumberFormatException ex) {
						q = 0;
					}
				}
				if (name.equalsIgnoreCase(coding)) {
					explicit = q > 0;
				}
				else if (name.equals("*")) {
					wildcard = q > 0;
				}
			}
		}
		if (explicit != null) {
			return explicit;
		}
		return wildcard != null && wildcard;
	}

}
