package io.starlet.servlet;

import java.io.IOException;
import java.util.Collection;
import java.util.Collections;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;

/**
 * The multipart parts of one request, parsed once with the multipart config of the servlet the
 * request is mapped to, and deleted when the response completes. A parse that failed fails every
 * later call the same way, except in the error dispatch that reports it.
 */
final class RequestParts {

	private final ContainerRequest request;

	private Collection<Part> parts;

	private Exception failure;

	RequestParts(ContainerRequest request) {
		this.request = request;
	}

	/** {@code getParts()}: parses on the first call. */
	Collection<Part> get() throws IOException, ServletException {
		if (!this.request.isMultipart()) {
			throw new ServletException(
					"The request is not multipart/form-data (Content-Type: " + this.request.getContentType() + ")");
		}
		if (this.failure != null) {
			if (this.request.dispatcherType == DispatcherType.ERROR) {
				// the error page reports the failure; failing it again would hide the application's error page
				return Collections.emptyList();
			}
			rethrowFailure();
		}
		if (this.parts == null) {
			ServletHolder servlet = (this.request.mapping != null) ? this.request.mapping.servlet() : null;
			jakarta.servlet.MultipartConfigElement config = (servlet != null) ? servlet.getMultipartConfig() : null;
			if (config == null) {
				throw new IllegalStateException("Unable to process parts: no multipart config was provided for servlet "
						+ ((servlet != null) ? servlet.getName() : "?"));
			}
			try {
				this.parts = Collections.unmodifiableList(new MultipartParser(this.request, config).parse());
				this.request.response.cleanupOnComplete(this.parts);
			}
			catch (IOException | ServletException | RuntimeException ex) {
				this.failure = ex;
				throw ex;
			}
		}
		return this.parts;
	}

	private void rethrowFailure() throws IOException, ServletException {
		Exception failure = this.failure;
		if (failure instanceof IOException io) {
			throw io;
		}
		if (failure instanceof ServletException se) {
			throw se;
		}
		throw (RuntimeException) failure;
	}

}
