package io.starlet.servlet;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A response's media type and character encoding, and the {@code Content-Type} made of them.
 * The encoding comes from {@code setContentType}'s charset, {@code setCharacterEncoding}, the
 * locale's mapping or the context's default, in the order the Servlet specification gives; once
 * the writer is taken it is fixed, which the caller says with {@code writerTaken}. The media
 * type's other parameters ({@code boundary=…}) are kept as the application gave them.
 */
final class ResponseContentType {

	private final ContainerContext context;

	/** The bare {@code type/subtype}, which compression matches against. */
	private String mediaType;

	/** The media type with its parameters except the charset, which {@link #header} adds. */
	private String typeWithParameters;

	private String characterEncoding;

	private boolean characterEncodingExplicit;

	/**
	 * Whether {@code setLocale} chose the encoding: it is then declared as an explicit one is
	 * (ServletResponse.getContentType), though an explicit one still overrides it.
	 */
	private boolean characterEncodingFromLocale;

	// The last header built, and what it was built from: asked for several times per request
	// (filters, then the head), so it is built once.

	private String contentType;

	private String contentTypeMediaType;

	private String contentTypeCharset;

	ResponseContentType(ContainerContext context) {
		this.context = context;
	}

	/** {@code setContentType}: the media type, and the charset if it names one. */
	void set(String type, boolean writerTaken) {
		if (type == null) {
			this.mediaType = null;
			this.typeWithParameters = null;
			if (!writerTaken) {
				this.characterEncoding = null;
				this.characterEncodingExplicit = false;
				this.characterEncodingFromLocale = false;
			}
			return;
		}
		int semicolon = type.indexOf(';');
		this.mediaType = ((semicolon >= 0) ? type.substring(0, semicolon) : type).trim();
		this.typeWithParameters = (semicolon >= 0) ? withoutCharset(this.mediaType, type, semicolon) : this.mediaType;
		String charset = HeaderValues.parameter(type, "charset");
		if (charset != null && !writerTaken) {
			this.characterEncoding = charset;
			this.characterEncodingExplicit = true;
			this.characterEncodingFromLocale = false;
		}
	}

	/**
	 * {@code mediaType} followed by the parameters of {@code type} other than charset, each as
	 * {@code ;name=value}. A quoted value may hold a semicolon. Allocates nothing when charset is
	 * the only parameter, as in nearly every response.
	 */
	private static String withoutCharset(String mediaType, String type, int firstSemicolon) {
		StringBuilder kept = null;
		int start = firstSemicolon + 1;
		boolean quoted = false;
		for (int i = start; i <= type.length(); i++) {
			char c = (i < type.length()) ? type.charAt(i) : ';';
			if (quoted) {
				if (c == '\\') {
					i++;
				}
				else if (c == '"') {
					quoted = false;
				}
				continue;
			}
			if (c == '"') {
				quoted = true;
				continue;
			}
			if (c != ';') {
				continue;
			}
			int from = start;
			int to = Math.min(i, type.length());
			start = i + 1;
			while (from < to && isSpace(type.charAt(from))) {
				from++;
			}
			while (to > from && isSpace(type.charAt(to - 1))) {
				to--;
			}
			if (from == to || isCharset(type, from, to)) {
				continue;
			}
			if (kept == null) {
				kept = new StringBuilder(type.length()).append(mediaType);
			}
			kept.append(';').append(type, from, to);
		}
		return (kept != null) ? kept.toString() : mediaType;
	}

	private static boolean isCharset(String type, int from, int to) {
		int end = from + 7;
		if (end > to || !type.regionMatches(true, from, "charset", 0, 7)) {
			return false;
		}
		while (end < to && isSpace(type.charAt(end))) {
			end++;
		}
		return end == to || type.charAt(end) == '=';
	}

	private static boolean isSpace(char c) {
		return c == ' ' || c == '\t';
	}

	/** The {@code Content-Type} value, or null when no media type is set. */
	String header(boolean writerTaken) {
		String type = this.typeWithParameters;
		if (type == null) {
			return null;
		}
		String charset = (this.characterEncodingExplicit || this.characterEncodingFromLocale || writerTaken) ? encoding()
				: null;
		if (charset == null) {
			return type;
		}
		if (this.contentTypeMediaType != type || this.contentTypeCharset != charset) {
			this.contentType = type + ";charset=" + charset;
			this.contentTypeMediaType = type;
			this.contentTypeCharset = charset;
		}
		return this.contentType;
	}

	String mediaType() {
		return this.mediaType;
	}

	/** {@code setCharacterEncoding}; null returns to the default. */
	void setEncoding(String charset) {
		this.characterEncoding = charset;
		this.characterEncodingExplicit = charset != null;
		this.characterEncodingFromLocale = false;
	}

	/** The encoding set, else the context's default, else ISO-8859-1. */
	String encoding() {
		if (this.characterEncoding != null) {
			return this.characterEncoding;
		}
		String fromContext = this.context.getResponseCharacterEncoding();
		return (fromContext != null) ? fromContext : StandardCharsets.ISO_8859_1.name();
	}

	/** {@code setLocale}: the locale's charset, unless one was set explicitly. */
	void encodingForLocale(Locale locale, boolean writerTaken) {
		if (!this.characterEncodingExplicit && !writerTaken) {
			Charset charset = this.context.charsetForLocale(locale);
			if (charset != null) {
				this.characterEncoding = charset.name();
				this.characterEncodingFromLocale = true;
			}
		}
	}

	/** The writer was created with {@code charset}: it is the encoding from now on. */
	void writerOpened(Charset charset) {
		if (this.characterEncoding == null) {
			this.characterEncoding = charset.name();
		}
	}

	void reset() {
		this.mediaType = null;
		this.typeWithParameters = null;
		this.characterEncoding = null;
		this.characterEncodingExplicit = false;
		this.characterEncodingFromLocale = false;
	}

}
