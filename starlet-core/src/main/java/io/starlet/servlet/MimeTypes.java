package io.starlet.servlet;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * File extension to MIME type: a built-in table of common web types, to which mappings may be
 * added, or which an embedder (Spring Boot's factory) replaces with a table of its own
 * ({@link ContainerSettings.Builder}). Immutable.
 */
final class MimeTypes {

	/** The built-in table: extension (lower case, no dot) to type. */
	static final Map<String, String> DEFAULTS;

	static {
		String[] table = { "html", "text/html", "htm", "text/html", "css", "text/css", "js", "text/javascript",
				"mjs", "text/javascript", "json", "application/json", "map", "application/json", "xml",
				"application/xml", "txt", "text/plain", "csv", "text/csv", "md", "text/markdown", "png",
				"image/png", "jpg", "image/jpeg", "jpeg", "image/jpeg", "gif", "image/gif", "svg",
				"image/svg+xml", "ico", "image/x-icon", "webp", "image/webp", "avif", "image/avif", "bmp",
				"image/bmp", "tif", "image/tiff", "tiff", "image/tiff", "woff", "font/woff", "woff2", "font/woff2",
				"ttf", "font/ttf", "otf", "font/otf", "eot", "application/vnd.ms-fontobject", "pdf",
				"application/pdf", "zip", "application/zip", "gz", "application/gzip", "tar", "application/x-tar",
				"jar", "application/java-archive", "wasm", "application/wasm", "mp3", "audio/mpeg", "ogg",
				"audio/ogg", "wav", "audio/wav", "mp4", "video/mp4", "webm", "video/webm", "mpeg", "video/mpeg",
				"avi", "video/x-msvideo", "webmanifest", "application/manifest+json", "xhtml",
				"application/xhtml+xml", "rss", "application/rss+xml", "atom", "application/atom+xml", "ics",
				"text/calendar", "yaml", "application/yaml", "yml", "application/yaml", "bin",
				"application/octet-stream", "jsp", "text/html", "properties", "text/plain" };
		Map<String, String> defaults = new HashMap<>();
		for (int i = 0; i < table.length; i += 2) {
			defaults.put(table[i], table[i + 1]);
		}
		DEFAULTS = Map.copyOf(defaults);
	}

	private final Map<String, String> mappings;

	/** @param mappings extension (already {@link #normalize normalised}) to type; copied */
	MimeTypes(Map<String, String> mappings) {
		this.mappings = Map.copyOf(mappings);
	}

	/** The table, extension (lower case, no dot) to type. */
	Map<String, String> toMap() {
		return this.mappings;
	}

	static String normalize(String extension) {
		String ext = extension.startsWith(".") ? extension.substring(1) : extension;
		return ext.toLowerCase(Locale.ROOT);
	}

	/** The type for the extension of a file name or path, or null when unknown. */
	String forFileName(String name) {
		if (name == null) {
			return null;
		}
		int slash = name.lastIndexOf('/');
		int dot = name.lastIndexOf('.');
		if (dot < 0 || dot < slash || dot == name.length() - 1) {
			return null;
		}
		return this.mappings.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
	}

}
