package io.starlet.servlet;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Response compression settings: which media types, from what size, and for which clients not. */
record Compression(boolean enabled, List<String> mimeTypes, int minResponseSize, List<Pattern> excludedUserAgents) {

	static Compression of(boolean enabled, List<String> mimeTypes, int minResponseSize, List<String> excludedUserAgents) {
		List<String> types = mimeTypes.stream().map((t) -> HeaderValues.mediaType(t)).toList();
		List<Pattern> agents = (excludedUserAgents == null) ? List.of()
				: excludedUserAgents.stream().map(Compression::agentPattern).toList();
		return new Compression(enabled, types, Math.max(0, minResponseSize), agents);
	}

	private static Pattern agentPattern(String agent) {
		try {
			return Pattern.compile(agent);
		}
		catch (PatternSyntaxException ex) {
			return Pattern.compile(Pattern.quote(agent));
		}
	}

	boolean isCompressible(String mediaType) {
		String type = mediaType.toLowerCase(Locale.ROOT);
		for (String candidate : this.mimeTypes) {
			if (candidate.equals(type)) {
				return true;
			}
			if (candidate.endsWith("/*") && type.startsWith(candidate.substring(0, candidate.length() - 1))) {
				return true;
			}
		}
		return false;
	}

	boolean isExcludedUserAgent(String userAgent) {
		if (userAgent == null || this.excludedUserAgents.isEmpty()) {
			return false;
		}
		for (Pattern pattern : this.excludedUserAgents) {
			if (pattern.matcher(userAgent).matches()) {
				return true;
			}
		}
		return false;
	}

}
