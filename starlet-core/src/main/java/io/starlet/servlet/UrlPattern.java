package io.starlet.servlet;

/** The URL pattern forms of Servlet §12.2: exact, {@code /prefix/*}, {@code *.ext}, {@code /}, {@code ""}. */
final class UrlPattern {

	private UrlPattern() {
	}

	static void validate(String pattern) {
		if (pattern == null) {
			throw new IllegalArgumentException("URL pattern must not be null");
		}
		if (pattern.isEmpty() || pattern.equals("/")) {
			return;
		}
		if (pattern.startsWith("*.")) {
			if (pattern.length() == 2 || pattern.indexOf('/') >= 0) {
				throw new IllegalArgumentException("Invalid extension URL pattern '" + pattern + "'");
			}
			return;
		}
		if (!pattern.startsWith("/")) {
			throw new IllegalArgumentException("Invalid URL pattern '" + pattern + "': must start with '/' or '*.'");
		}
		int star = pattern.indexOf('*');
		if (star >= 0 && (star != pattern.length() - 1 || !pattern.endsWith("/*"))) {
			throw new IllegalArgumentException("Invalid URL pattern '" + pattern + "': '*' only as '/*' at the end");
		}
	}

	/** Filter matching (Servlet §6.2.4): the same rules as servlet mapping, any that applies. */
	static boolean matchesForFilter(String pattern, String path) {
		if (pattern.equals("/*") || pattern.equals("/")) {
			return true;
		}
		if (pattern.isEmpty()) {
			return path.equals("/");
		}
		if (pattern.endsWith("/*")) {
			String prefix = pattern.substring(0, pattern.length() - 2);
			return path.equals(prefix) || path.startsWith(prefix + "/");
		}
		if (pattern.startsWith("*.")) {
			int slash = path.lastIndexOf('/');
			int dot = path.lastIndexOf('.');
			return dot > slash && path.regionMatches(dot + 1, pattern, 2, pattern.length() - 2)
					&& path.length() - dot - 1 == pattern.length() - 2;
		}
		return pattern.equals(path);
	}

}
