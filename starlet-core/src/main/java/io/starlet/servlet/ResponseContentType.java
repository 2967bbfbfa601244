package io.starlet.servlet;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A response's media type and character encoding, and the {@code Content-Type} made of them.
 * The encoding comes from {@code setContentType}'s charset, {@code setCharacterEncoding}, the
 * locale's mapping or the context's default, in the order the Servlet specification gives; once
 * the writer is taken it is fixed, which the caller says with {@code writerTaken}.
 */
final class ResponseContentType {

	private final ContainerContext context;

	private String mediaType;

	private String characterEncoding;

	private boolean characterEncodingExplicit;

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
			if (!writerTaken) {
				this.characterEncoding = null;
				this.characterEncodingExplicit = false;
			}
			return;
		}
		int semicolon = type.indexOf(';');
		this.mediaType = ((semicolon >= 0) ? type.substring(0, semicolon) : type).trim();
		String charset = HeaderValues.parameter(type, "charset");
		if (charset != null && !writerTaken) {
			this.characterEncoding = charset;
			this.characterEncodingExplicit = true;
		}
	}

	/** The {@code Content-Type} value, or null when no media type is set. */
	String header(boolean writerTaken) {
		if (this.mediaType == null) {
			return null;
		}
		String charset = (this.characterEncodingExplicit || writerTaken) ? encoding() : null;
		if (charset == null) {
			return this.mediaType;
		}
		if (this.contentTypeMediaType != this.mediaType || this.contentTypeCharset != charset) {
			this.contentType = this.mediaType + ";charset=" + charset;
			this.contentTypeMediaType = this.mediaType;
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
		this.characterEncoding = null;
		this.characterEncodingExplicit = false;
	}

}
