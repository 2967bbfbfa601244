package io.starlet.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;

/**
 * A streaming multipart/form-data parser (RFC 7578) with the limits of a
 * {@link MultipartConfigElement}: each file at most {@code maxFileSize}, the whole body at most
 * {@code maxRequestSize}, parts above {@code fileSizeThreshold} spilled to a temp file. It also
 * bounds the number of parts and the size of each part's headers. A limit is reported as an
 * {@link IllegalStateException} whose message says what exceeded which size, which Spring turns
 * into {@code MaxUploadSizeExceededException} (413).
 */
final class MultipartParser {

	static final int MAX_PARTS = 1000;

	static final int MAX_PART_HEADER_SIZE = 8192;

	private final ContainerRequest request;

	private final MultipartConfigElement config;

	private final Path location;

	private InputStream in;

	private final byte[] buffer = new byte[16384];

	private int pos;

	private int limit;

	private boolean eof;

	private byte[] delimiter;

	private long total;

	MultipartParser(ContainerRequest request, MultipartConfigElement config) {
		this.request = request;
		this.config = config;
		this.location = location(request.context, config);
	}

	private static Path location(ContainerContext context, MultipartConfigElement config) {
		String configured = config.getLocation();
		if (configured != null && !configured.isEmpty()) {
			return Path.of(configured);
		}
		Object tempDir = context.getAttribute(ServletContext.TEMPDIR);
		if (tempDir instanceof java.io.File dir) {
			return dir.toPath();
		}
		return Path.of(System.getProperty("java.io.tmpdir"));
	}

	List<Part> parse() throws IOException, ServletException {
		String boundary = HeaderValues.parameter(this.request.getContentType(), "boundary");
		if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
			throw new ServletException("multipart/form-data request without a valid boundary");
		}
		long maxRequest = this.config.getMaxRequestSize();
		long declared = this.request.getContentLengthLong();
		if (maxRequest >= 0 && declared > maxRequest) {
			throw new IllegalStateException("The request was rejected because its size (" + declared
					+ ") exceeds the configured maximum (" + maxRequest + ")");
		}
		this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
		this.in = this.request.input();
		// a virtual CRLF lets the first boundary match the same delimiter as the others
		this.buffer[0] = '\r';
		this.buffer[1] = '\n';
		this.limit = 2;
		List<Part> parts = new ArrayList<>();
		if (!skipToDelimiter()) {
			throw new ServletException("Malformed multipart body: no opening boundary");
		}
		try {
			while (true) {
				if (!ensure(2)) {
					throw new ServletException("Malformed multipart body: truncated after a boundary");
				}
				if (this.buffer[this.pos] == '-' && this.buffer[this.pos + 1] == '-') {
					break;
				}
				skipLinearWhitespace();
				if (!ensure(2) || this.buffer[this.pos] != '\r' || this.buffer[this.pos + 1] != '\n') {
					throw new ServletException("Malformed multipart body: boundary not followed by CRLF");
				}
				this.pos += 2;
				if (parts.size() >= MAX_PARTS) {
					throw new IllegalStateException("The multipart request has more than " + MAX_PARTS
							+ " parts: its part count exceeds the maximum size allowed");
				}
				parts.add(readPart());
			}
		}
		catch (IOException | ServletException | RuntimeException ex) {
			for (Part part : parts) {
				part.delete();
			}
			throw ex;
		}
		return parts;
	}

	private void skipLinearWhitespace() throws IOException {
		while (ensure(1) && (this.buffer[this.pos] == ' ' || this.buffer[this.pos] == '\t')) {
			this.pos++;
		}
	}

	private MultipartPart readPart() throws IOException, ServletException {
		Map<String, List<String>> headers = new LinkedHashMap<>();
		int headerBytes = 0;
		while (true) {
			String line = readLine();
			if (line == null) {
				throw new ServletException("Malformed multipart body: truncated part headers");
			}
			headerBytes += line.length() + 2;
			if (headerBytes > MAX_PART_HEADER_SIZE) {
				throw new IllegalStateException("The headers of a multipart part exceed the maximum size of "
						+ MAX_PART_HEADER_SIZE + " bytes");
			}
			if (line.isEmpty()) {
				break;
			}
			// header bytes were read one to one; browsers send UTF-8 file names raw
			line = new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
			int colon = line.indexOf(':');
			if (colon <= 0) {
				throw new ServletException("Malformed multipart part header: " + line);
			}
			headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), (k) -> new ArrayList<>())
				.add(line.substring(colon + 1).trim());
		}
		List<String> dispositions = headers.get("content-disposition");
		String disposition = (dispositions != null) ? dispositions.get(0) : null;
		if (disposition == null || !HeaderValues.mediaType(disposition).equals("form-data")) {
			throw new ServletException("Multipart part without Content-Disposition: form-data");
		}
		String name = HeaderValues.parameter(disposition, "name");
		if (name == null) {
			name = "";
		}
		String fileName = fileName(disposition);
		MultipartPart part = new MultipartPart(name, fileName, headers, this.location);
		long maxFile = this.config.getMaxFileSize();
		int threshold = Math.max(0, this.config.getFileSizeThreshold());
		ByteArrayOutputStream memory = new ByteArrayOutputStream();
		OutputStream[] sink = { memory };
		Path[] file = { null };
		long[] size = { 0 };
		try {
			boolean closed = copyToDelimiter((b, off, len) -> {
				size[0] += len;
				if (maxFile >= 0 && size[0] > maxFile) {
					throw new IllegalStateException("The field " + part.getName()
							+ " exceeds its maximum permitted size of " + maxFile + " bytes");
				}
				if (file[0] == null && size[0] > threshold && fileName != null) {
					Files.createDirectories(this.location);
					file[0] = Files.createTempFile(this.location, "starlet-upload-", ".tmp");
					file[0].toFile().deleteOnExit();
					OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file[0]), 16384);
					memory.writeTo(out);
					sink[0] = out;
				}
				sink[0].write(b, off, len);
			});
			if (!closed) {
				throw new ServletException("Malformed multipart body: missing closing boundary");
			}
		}
		catch (IOException | ServletException | RuntimeException ex) {
			if (sink[0] != memory) {
				sink[0].close();
			}
			if (file[0] != null) {
				Files.deleteIfExists(file[0]);
			}
			throw ex;
		}
		if (sink[0] != memory) {
			sink[0].close();
			part.setContent(null, file[0], size[0]);
		}
		else {
			part.setContent(memory.toByteArray(), null, size[0]);
		}
		return part;
	}

	private static String fileName(String disposition) {
		String extended = HeaderValues.parameter(disposition, "filename*");
		if (extended != null) {
			int quote = extended.indexOf("''");
			if (quote > 0) {
				try {
					return UrlEncoded.decode(extended.substring(quote + 2).replace("+", "%2B"),
							java.nio.charset.Charset.forName(extended.substring(0, quote)));
				}
				catch (RuntimeException ex) {
					// fall back to the plain parameter
				}
			}
		}
		return HeaderValues.parameter(disposition, "filename") != null
				? HeaderValues.parameter(disposition, "filename")
				: (disposition.toLowerCase(Locale.ROOT).contains("filename=") ? "" : null);
	}

	@FunctionalInterface
	private interface Sink {

		void write(byte[] b, int off, int len) throws IOException;

	}

	private boolean skipToDelimiter() throws IOException {
		return copyToDelimiter((b, off, len) -> {
		});
	}

	/** Copies bytes up to the next delimiter and consumes it; false when the body ends first. */
	private boolean copyToDelimiter(Sink sink) throws IOException {
		byte[] d = this.delimiter;
		while (true) {
			int found = indexOf(d);
			if (found >= 0) {
				if (found > this.pos) {
					sink.write(this.buffer, this.pos, found - this.pos);
				}
				this.pos = found + d.length;
				return true;
			}
			int safe = this.limit - d.length + 1;
			if (safe > this.pos) {
				sink.write(this.buffer, this.pos, safe - this.pos);
				this.pos = safe;
			}
			if (!fill()) {
				return false;
			}
		}
	}

	private int indexOf(byte[] d) {
		int last = this.limit - d.length;
		outer: for (int i = this.pos; i <= last; i++) {
			if (this.buffer[i] != d[0]) {
				continue;
			}
			for (int j = 1; j < d.length; j++) {
				if (this.buffer[i + j] != d[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private String readLine() throws IOException {
		StringBuilder sb = new StringBuilder();
		while (true) {
			if (!ensure(1)) {
				return null;
			}
			byte b = this.buffer[this.pos++];
			if (b == '\r') {
				if (!ensure(1)) {
					return null;
				}
				if (this.buffer[this.pos] == '\n') {
					this.pos++;
					return sb.toString();
				}
			}
			sb.append((char) (b & 0xff));
			if (sb.length() > MAX_PART_HEADER_SIZE) {
				throw new IllegalStateException("The headers of a multipart part exceed the maximum size of "
						+ MAX_PART_HEADER_SIZE + " bytes");
			}
		}
	}

	private boolean ensure(int n) throws IOException {
		while (this.limit - this.pos < n) {
			if (!fill()) {
				return false;
			}
		}
		return true;
	}

	/** Compacts the buffer and reads more; false at the end of the body. */
	private boolean fill() throws IOException {
		if (this.eof) {
			return false;
		}
		if (this.pos > 0) {
			System.arraycopy(this.buffer, this.pos, this.buffer, 0, this.limit - this.pos);
			this.limit -= this.pos;
			this.pos = 0;
		}
		if (this.limit == this.buffer.length) {
			throw new IllegalStateException("multipart buffer full");
		}
		int n = this.in.read(this.buffer, this.limit, this.buffer.length - this.limit);
		if (n < 0) {
			this.eof = true;
			return false;
		}
		this.total += n;
		long maxRequest = this.config.getMaxRequestSize();
		if (maxRequest >= 0 && this.total > maxRequest) {
			throw new IllegalStateException("The request was rejected because its size exceeds the configured maximum ("
					+ maxRequest + ")");
		}
		this.limit += n;
		return true;
	}

}
