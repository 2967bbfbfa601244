package io.starlet.servlet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.Part;

/** One part of a multipart/form-data body, held in memory or, above the threshold, in a temp file. */
final class MultipartPart implements Part {

	private final String name;

	private final String submittedFileName;

	private final Map<String, List<String>> headers;

	private final Path location;

	private byte[] data;

	private Path file;

	private long size;

	MultipartPart(String name, String submittedFileName, Map<String, List<String>> headers, Path location) {
		this.name = name;
		this.submittedFileName = submittedFileName;
		this.headers = headers;
		this.location = location;
	}

	void setContent(byte[] data, Path file, long size) {
		this.data = data;
		this.file = file;
		this.size = size;
	}

	String text(Charset fallback) throws IOException {
		String charset = HeaderValues.parameter(getContentType(), "charset");
		Charset cs = fallback;
		if (charset != null) {
			try {
				cs = Charset.forName(charset);
			}
			catch (RuntimeException ex) {
				// keep the fallback
			}
		}
		try (InputStream in = getInputStream()) {
			return new String(in.readAllBytes(), cs);
		}
	}

	@Override
	public InputStream getInputStream() throws IOException {
		if (this.file != null) {
			return Files.newInputStream(this.file);
		}
		return new ByteArrayInputStream((this.data != null) ? this.data : new byte[0]);
	}

	@Override
	public String getContentType() {
		return getHeader("Content-Type");
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public String getSubmittedFileName() {
		return this.submittedFileName;
	}

	@Override
	public long getSize() {
		return this.size;
	}

	@Override
	public void write(String fileName) throws IOException {
		Path target = Path.of(fileName);
		if (!target.isAbsolute()) {
			target = this.location.resolve(fileName);
		}
		if (this.file != null) {
			Files.copy(this.file, target, StandardCopyOption.REPLACE_EXISTING);
		}
		else {
			Files.write(target, (this.data != null) ? this.data : new byte[0]);
		}
	}

	@Override
	public void delete() throws IOException {
		if (this.file != null) {
			Files.deleteIfExists(this.file);
			this.file = null;
		}
		this.data = null;
	}

	@Override
	public String getHeader(String name) {
		List<String> values = this.headers.get(name.toLowerCase(Locale.ROOT));
		return (values != null && !values.isEmpty()) ? values.get(0) : null;
	}

	@Override
	public Collection<String> getHeaders(String name) {
		List<String> values = this.headers.get(name.toLowerCase(Locale.ROOT));
		return (values != null) ? new ArrayList<>(values) : new ArrayList<>();
	}

	@Override
	public Collection<String> getHeaderNames() {
		return new ArrayList<>(new LinkedHashMap<>(this.headers).keySet());
	}

}
