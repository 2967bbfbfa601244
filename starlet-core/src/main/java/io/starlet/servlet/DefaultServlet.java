package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What answers when no servlet is mapped to {@code /}: static files from the document root, then
 * from {@code META-INF/resources} on the class path, with their MIME type, Last-Modified and
 * conditional GET; otherwise 404. Directories are never listed. When the default servlet is
 * switched off ({@link ContainerSettings.Builder#defaultServletEnabled}) every request that reaches it
 * gets 404, as on a Tomcat context without a default servlet.
 */
final class DefaultServlet extends HttpServlet {

	@Override
	protected void service(HttpServletRequest request, HttpServletResponse response)
			throws jakarta.servlet.ServletException, IOException {
		if (!((ContainerContext) getServletContext()).settings.defaultServletEnabled()) {
			if (request.getDispatcherType() != jakarta.servlet.DispatcherType.ERROR) {
				response.sendError(HttpServletResponse.SC_NOT_FOUND);
			}
			return;
		}
		super.service(request, response);
	}

	@Override
	protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
		serve(request, response, true);
	}

	@Override
	protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
		serve(request, response, false);
	}

	@Override
	protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
		notAllowed(request, response);
	}

	@Override
	protected void doPut(HttpServletRequest request, HttpServletResponse response) throws IOException {
		notAllowed(request, response);
	}

	@Override
	protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
		notAllowed(request, response);
	}

	private void notAllowed(HttpServletRequest request, HttpServletResponse response) throws IOException {
		if (request.getDispatcherType() == jakarta.servlet.DispatcherType.ERROR) {
			serve(request, response, true);
			return;
		}
		if (resource(request) == null) {
			response.sendError(HttpServletResponse.SC_NOT_FOUND);
			return;
		}
		response.setHeader("Allow", "GET, HEAD, OPTIONS");
		response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
	}

	private String path(HttpServletRequest request) {
		if (request.getDispatcherType() == jakarta.servlet.DispatcherType.INCLUDE) {
			Object servletPath = request.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH);
			Object pathInfo = request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO);
			return ((servletPath != null) ? servletPath.toString() : "") + ((pathInfo != null) ? pathInfo : "");
		}
		String pathInfo = request.getPathInfo();
		return request.getServletPath() + ((pathInfo != null) ? pathInfo : "");
	}

	private URL resource(HttpServletRequest request) throws IOException {
		String path = path(request);
		if (path.isEmpty() || path.endsWith("/") || path.contains("/WEB-INF/") || path.contains("/META-INF/")
				|| path.startsWith("/WEB-INF") || path.startsWith("/META-INF")) {
			return null;
		}
		ContainerContext context = (ContainerContext) getServletContext();
		Path file = context.documentFile(path);
		if (file != null) {
			return Files.isRegularFile(file) ? file.toUri().toURL() : null;
		}
		URL url = context.classPathResource(path);
		if (url != null && "file".equals(url.getProtocol())) {
			try {
				if (!Files.isRegularFile(Path.of(url.toURI()))) {
					return null;
				}
			}
			catch (java.net.URISyntaxException ex) {
				return null;
			}
		}
		if (url != null && "jar".equals(url.getProtocol()) && url.getPath().endsWith("/")) {
			return null;
		}
		return url;
	}

	private void serve(HttpServletRequest request, HttpServletResponse response, boolean body) throws IOException {
		URL url = resource(request);
		if (url == null) {
			response.sendError(HttpServletResponse.SC_NOT_FOUND);
			return;
		}
		URLConnection connection = url.openConnection();
		connection.setUseCaches(false);
		long lastModified = connection.getLastModified();
		long length = connection.getContentLengthLong();
		boolean included = request.getDispatcherType() == jakarta.servlet.DispatcherType.INCLUDE;
		if (!included && lastModified > 0) {
			long ifModifiedSince;
			try {
				ifModifiedSince = request.getDateHeader("If-Modified-Since");
			}
			catch (IllegalArgumentException ex) {
				ifModifiedSince = -1;
			}
			if (ifModifiedSince >= 0 && lastModified / 1000 <= ifModifiedSince / 1000) {
				connection.getInputStream().close();
				response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
				return;
			}
			response.setDateHeader("Last-Modified", lastModified);
		}
		String type = getServletContext().getMimeType(path(request));
		if (!included) {
			response.setContentType((type != null) ? type : "application/octet-stream");
			if (length >= 0) {
				response.setContentLengthLong(length);
			}
		}
		try (InputStream in = connection.getInputStream()) {
			if (!body) {
				return;
			}
			OutputStream out;
			try {
				out = response.getOutputStream();
			}
			catch (IllegalStateException ex) {
				response.getWriter().write(new String(in.readAllBytes(), response.getCharacterEncoding()));
				return;
			}
			in.transferTo(out);
		}
	}

}
