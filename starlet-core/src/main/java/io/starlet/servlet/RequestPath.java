package io.starlet.servlet;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the percent-encoded path of a request target into the decoded, normalised path that
 * servlet mapping works on: path parameters ({@code ;jsessionid=...}) dropped, {@code %XX}
 * decoded as UTF-8, repeated slashes merged, {@code .} and {@code ..} segments resolved.
 * Paths that would escape the root, that hide a separator or a control character behind an
 * escape, that do not decode, or that hold another of the "suspicious sequences" of Servlet 6.1
 * §3.5.2 are rejected: they are how path traversal reaches static resources and security rules.
 */
final class RequestPath {

	private RequestPath() {
	}

	/** The decoded, normalised path, or {@code null} when the path is not acceptable. */
	static String decode(String rawPath) {
		if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/' || isSuspicious(rawPath)) {
			return null;
		}
		String withoutParameters = removePathParameters(rawPath);
		String decoded = percentDecode(withoutParameters);
		if (decoded == null) {
			return null;
		}
		return normalize(decoded);
	}

	/**
	 * The sequences of Servlet 6.1 §3.5.2 that decoding and normalisation would quietly turn into
	 * an ordinary path: a dot segment that is encoded ({@code /%2e%2e/}) or has a path parameter
	 * ({@code /..;/}), an empty segment with a parameter before the last ({@code /;x/}), and a
	 * backslash. A proxy or a security rule in front reads such a path differently: nginx passes
	 * {@code /public/..;/admin} on as a path under {@code /public}, which would otherwise be served
	 * as {@code /admin}. (Escaped separators, controls and bad escapes are refused while decoding.)
	 */
	private static boolean isSuspicious(String rawPath) {
		if (rawPath.indexOf('\\') >= 0) {
			return true;
		}
		if (rawPath.indexOf('%') < 0 && rawPath.indexOf(';') < 0) {
			return false; // plain dot segments are resolved as usual
		}
		int segmentStart = 1;
		for (int i = 1; i <= rawPath.length(); i++) {
			if (i == rawPath.length() || rawPath.charAt(i) == '/') {
				if (isSuspiciousSegment(rawPath, segmentStart, i, i == rawPath.length())) {
					return true;
				}
				segmentStart = i + 1;
			}
		}
		return false;
	}

	private static boolean isSuspiciousSegment(String path, int start, int end, boolean last) {
		int nameEnd = start;
		while (nameEnd < end && path.charAt(nameEnd) != ';') {
			nameEnd++;
		}
		boolean hasParameter = nameEnd < end;
		if (hasParameter && nameEnd == start && !last) {
			return true;
		}
		int dots = 0;
		boolean encoded = false;
		int i = start;
		while (i < nameEnd && dots < 3) {
			if (path.charAt(i) == '.') {
				i++;
			}
			else if (i + 3 <= nameEnd && path.charAt(i) == '%' && path.charAt(i + 1) == '2'
					&& (path.charAt(i + 2) | 0x20) == 'e') {
				encoded = true;
				i += 3;
			}
			else {
				return false;
			}
			dots++;
		}
		boolean dotSegment = i == nameEnd && dots >= 1 && dots <= 2;
		return dotSegment && (encoded || hasParameter);
	}

	/** Removes {@code ;param} from every segment. */
	static String removePathParameters(String path) {
		if (path.indexOf(';') < 0) {
			return path;
		}
		StringBuilder sb = new StringBuilder(path.length());
		int i = 0;
		while (i < path.length()) {
			char c = path.charAt(i);
			if (c == ';') {
				int next = path.indexOf('/', i);
				if (next < 0) {
					break;
				}
				i = next;
				continue;
			}
			sb.append(c);
			i++;
		}
		return sb.toString();
	}

	/**
	 * The part of {@code rawPath} that names {@code contextPath}: the shortest prefix that ends
	 * where a segment ends and decodes to it, with any leading slashes but one dropped (so that it
	 * never reads as the {@code //host} of a network-path reference when made into a redirect).
	 * The context path itself when no prefix decodes to it.
	 */
	static String rawContextPath(String rawPath, String contextPath) {
		int start = 0;
		while (start + 1 < rawPath.length() && rawPath.charAt(start + 1) == '/') {
			start++;
		}
		int end = rawPath.indexOf('/', start + 1);
		while (true) {
			String candidate = rawPath.substring(start, (end >= 0) ? end : rawPath.length());
			if (contextPath.equals(decode(candidate))) {
				return candidate;
			}
			if (end < 0) {
				return contextPath;
			}
			end = rawPath.indexOf('/', end + 1);
		}
	}

	/** The value of the {@code jsessionid} path parameter, or null. */
	static String sessionIdParameter(String rawPath) {
		int i = rawPath.toLowerCase(java.util.Locale.ROOT).indexOf(";jsessionid=");
		if (i < 0) {
			return null;
		}
		int start = i + ";jsessionid=".length();
		int end = start;
		while (end < rawPath.length() && rawPath.charAt(end) != ';' && rawPath.charAt(end) != '/') {
			end++;
		}
		return rawPath.substring(start, end);
	}

	private static String percentDecode(String path) {
		if (path.indexOf('%') < 0) {
			return (path.indexOf('\0') >= 0) ? null : path;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			if (c == '%') {
				if (i + 2 >= path.length()) {
					return null;
				}
				int hi = Character.digit(path.charAt(i + 1), 16);
				int lo = Character.digit(path.charAt(i + 2), 16);
				if (hi < 0 || lo < 0) {
					return null;
				}
				int b = (hi << 4) | lo;
				if (b == '/' || b == '\\' || b < 0x20 || b == 0x7f) {
					return null;
				}
				bytes.write(b);
				i += 2;
			}
			else if (c < 0x80) {
				if (c == 0) {
					return null;
				}
				bytes.write(c);
			}
			else {
				byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				bytes.write(utf8, 0, utf8.length);
			}
		}
		try {
			// §3.5.2 again, and Tomcat: an illegal UTF-8 sequence is refused, not replaced
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes.toByteArray()))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return null;
		}
	}

	/** Merges slashes and resolves dot segments; null when {@code ..} climbs above the root. */
	static String normalize(String path) {
		if (path.indexOf("//") < 0 && path.indexOf("/.") < 0) {
			return path;
		}
		String[] segments = path.split("/", -1);
		String[] out = new String[segments.length];
		int n = 0;
		boolean trailingSlash = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
		for (int i = 1; i < segments.length; i++) {
			String segment = segments[i];
			if (segment.isEmpty() || segment.equals(".")) {
				continue;
			}
			if (segment.equals("..")) {
				if (n == 0) {
					return null;
				}
				n--;
				continue;
			}
			out[n++] = segment;
		}
		StringBuilder sb = new StringBuilder(path.length());
		for (int i = 0; i < n; i++) {
			sb.append('/').append(out[i]);
		}
		if (trailingSlash || n == 0) {
			sb.append('/');
		}
		return sb.toString();
	}

}
