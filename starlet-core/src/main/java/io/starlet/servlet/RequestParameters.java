package io.starlet.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;

/**
 * A request's parameters as received: the query, then an {@code application/x-www-form-urlencoded}
 * POST body or the text fields of a {@code multipart/form-data} one, parsed once on first use and
 * bounded ({@link #MAX_FORM_SIZE}, {@link #MAX_PARAMETERS}). A dispatch with a query of its own
 * merges on top of these when they are first asked for ({@link ContainerDispatcher#addQuery}).
 */
final class RequestParameters {

	/** The most bytes of an {@code application/x-www-form-urlencoded} body parsed as parameters. */
	static final int MAX_FORM_SIZE = 2 * 1024 * 1024;

	static final int MAX_PARAMETERS = 10_000;

	private final ContainerRequest request;

	private Map<String, String[]> parsed;

	RequestParameters(ContainerRequest request) {
		this.request = request;
	}

	/** Query and form parameters (parsed once). */
	Map<String, String[]> get() {
		if (this.parsed == null) {
			Map<String, List<String>> collected = new LinkedHashMap<>();
			try {
				UrlEncoded.parse(this.request.exchange.query(), StandardCharsets.UTF_8, collected);
				if (isFormPost()) {
					parseFormBody(collected);
				}
				else if (this.request.isMultipart()) {
					collectMultipartParameters(collected);
				}
				this.parsed = toArrays(collected);
			}
			catch (BadRequestParametersException ex) {
				// report once; the error page that follows sees no parameters rather than the same failure
				this.parsed = new LinkedHashMap<>();
				throw ex;
			}
		}
		return this.parsed;
	}

	/** A form POST whose body the application has not started to read itself. */
	private boolean isFormPost() {
		if (!"POST".equals(this.request.getMethod()) || this.request.bodyStreamTaken()) {
			return false;
		}
		String type = this.request.getContentType();
		return type != null && HeaderValues.mediaType(type).equals("application/x-www-form-urlencoded");
	}

	private void parseFormBody(Map<String, List<String>> collected) {
		long length = this.request.getContentLengthLong();
		if (length > MAX_FORM_SIZE) {
			throw new BadRequestParametersException("Form body of " + length + " bytes exceeds the limit of "
					+ MAX_FORM_SIZE + " bytes", null);
		}
		try {
			byte[] body = this.request.input().readNBytes(MAX_FORM_SIZE + 1);
			if (body.length > MAX_FORM_SIZE) {
				throw new BadRequestParametersException("Form body exceeds the limit of " + MAX_FORM_SIZE + " bytes",
						null);
			}
			UrlEncoded.parse(new String(body, this.request.bodyCharset()), this.request.bodyCharset(), collected);
		}
		catch (IOException ex) {
			throw new BadRequestParametersException("Cannot read the form body: " + ex.getMessage(), ex);
		}
	}

	private void collectMultipartParameters(Map<String, List<String>> collected) {
		try {
			for (Part part : this.request.getParts()) {
				if (part.getSubmittedFileName() == null && part instanceof MultipartPart multipartPart) {
					collected.computeIfAbsent(part.getName(), (k) -> new ArrayList<>(1))
						.add(multipartPart.text(this.request.bodyCharset()));
				}
			}
		}
		catch (IOException | ServletException | IllegalStateException ex) {
			// parameters stay as they are; getParts() reports the failure to whoever calls it
		}
	}

	/** Name to values, refusing more than {@link #MAX_PARAMETERS} values in all. */
	static Map<String, String[]> toArrays(Map<String, List<String>> collected) {
		Map<String, String[]> result = new LinkedHashMap<>(collected.size() * 2);
		int count = 0;
		for (Map.Entry<String, List<String>> entry : collected.entrySet()) {
			count += entry.getValue().size();
			if (count > MAX_PARAMETERS) {
				throw new BadRequestParametersException("More than " + MAX_PARAMETERS + " request parameters", null);
			}
			result.put(entry.getKey(), entry.getValue().toArray(new String[0]));
		}
		return result;
	}

}
