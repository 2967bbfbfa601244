package io.starlet.servlet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoding of {@code application/x-www-form-urlencoded} text (query strings and form bodies).
 * Lenient as browsers are: a malformed escape is kept literally rather than failing the request.
 */
final class UrlEncoded {

	private UrlEncoded() {
	}

	static void parse(String text, Charset charset, Map<String, List<String>> into) {
		if (text == null || text.isEmpty()) {
			return;
		}
		int start = 0;
		int length = text.length();
		while (start <= length) {
			int end = text.indexOf('&', start);
			if (end < 0) {
				end = length;
			}
			if (end > start) {
				int eq = text.indexOf('=', start);
				String name;
				String value;
				if (eq < 0 || eq > end) {
					name = decode(text, start, end, charset);
					value = "";
				}
				else {
					name = decode(text, start, eq, charset);
					value = decode(text, eq + 1, end, charset);
				}
				if (!name.isEmpty()) {
					into.computeIfAbsent(name, (k) -> new ArrayList<>(1)).add(value);
				}
			}
			start = end + 1;
		}
	}

	static Map<String, List<String>> parse(String text, Charset charset) {
		Map<String, List<String>> map = new LinkedHashMap<>();
		parse(text, charset, map);
		return map;
	}

	static String decode(String s, Charset charset) {
		return decode(s, 0, s.length(), charset);
	}

	static String decode(String s, int from, int to, Charset charset) {
		boolean plain = true;
		for (int i = from; i < to; i++) {
			char c = s.charAt(i);
			if (c == '%' || c == '+') {
				plain = false;
				break;
			}
		}
		if (plain) {
			return s.substring(from, to);
		}
		StringBuilder sb = new StringBuilder(to - from);
		ByteArrayOutputStream bytes = null;
		int i = from;
		while (i < to) {
			char c = s.charAt(i);
			if (c == '%' && i + 2 < to) {
				int hi = Character.digit(s.charAt(i + 1), 16);
				int lo = Character.digit(s.charAt(i + 2), 16);
				if (hi >= 0 && lo >= 0) {
					if (bytes == null) {
						bytes = new ByteArrayOutputStream();
					}
					bytes.reset();
					while (i + 2 < to && s.charAt(i) == '%') {
						hi = Character.digit(s.charAt(i + 1), 16);
						lo = Character.digit(s.charAt(i + 2), 16);
						if (hi < 0 || lo < 0) {
							break;
						}
						bytes.write((hi << 4) | lo);
						i += 3;
					}
					sb.append(new String(bytes.toByteArray(), charset));
					continue;
				}
			}
			sb.append((c == '+') ? ' ' : c);
			i++;
		}
		return sb.toString();
	}

}
