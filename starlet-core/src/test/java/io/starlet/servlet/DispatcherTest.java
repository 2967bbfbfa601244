package io.starlet.servlet;

import java.io.IOException;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** RequestDispatcher forward and include, by path and by name, with their attributes. */
@Timeout(60)
class DispatcherTest {

	static ServletServer server;

	/** Reports what a dispatched-to servlet sees. */
	static class TargetServlet extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			HttpServletMapping mapping = request.getHttpServletMapping();
			response.setHeader("X-Target-Header", "set by target");
			response.setStatus(202);
			response.getWriter()
				.append("[target type=").append(request.getDispatcherType().name())
				.append(" uri=").append(request.getRequestURI())
				.append(" servletPath=").append(request.getServletPath())
				.append(" pathInfo=").append(request.getPathInfo())
				.append(" query=").append(request.getQueryString())
				.append(" p=").append(String.join(",", orEmpty(request.getParameterValues("p"))))
				.append(" mapping=").append(mapping.getPattern())
				.append(" forwardUri=").append(String.valueOf(request.getAttribute(RequestDispatcher.FORWARD_REQUEST_URI)))
				.append(" forwardServletPath=").append(String.valueOf(request.getAttribute(RequestDispatcher.FORWARD_SERVLET_PATH)))
				.append(" forwardQuery=").append(String.valueOf(request.getAttribute(RequestDispatcher.FORWARD_QUERY_STRING)))
				.append(" includeUri=").append(String.valueOf(request.getAttribute(RequestDispatcher.INCLUDE_REQUEST_URI)))
				.append(" includeServletPath=").append(String.valueOf(request.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH)))
				.append(" includePathInfo=").append(String.valueOf(request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO)))
				.append(" includeQuery=").append(String.valueOf(request.getAttribute(RequestDispatcher.INCLUDE_QUERY_STRING)))
				.append("]");
		}

		private static String[] orEmpty(String[] values) {
			return (values != null) ? values : new String[0];
		}

	}

	static class SourceServlet extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response)
				throws IOException, ServletException {
			response.setContentType("text/plain");
			switch (request.getPathInfo()) {
				case "/forward" -> {
					response.getWriter().write("this is discarded");
					request.getRequestDispatcher("/target/x?p=fwd").forward(request, response);
					response.getWriter().write("and this is ignored");
				}
				case "/forwardRelative" -> request.getRequestDispatcher("../target/rel").forward(request, response);
				case "/forwardNamed" -> getServletContext().getNamedDispatcher("target").forward(request, response);
				case "/include" -> {
					response.getWriter().write("before ");
					request.getRequestDispatcher("/target/inc?p=inc").include(request, response);
					response.getWriter().write(" after; uri=" + request.getRequestURI() + " p="
							+ request.getParameter("p") + " includeUri="
							+ request.getAttribute(RequestDispatcher.INCLUDE_REQUEST_URI));
				}
				default -> response.sendError(404);
			}
		}

	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((settings) -> settings.contextPath("/ctx"), (container) -> {
			ServletContext context = container.getServletContext();
			context.addServlet("source", new SourceServlet()).addMapping("/source/*");
			context.addServlet("target", new TargetServlet()).addMapping("/target/*");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void forwardReplacesPathsMergesParametersAndSetsForwardAttributes() throws Exception {
		HttpResponse<String> response = server.get("/ctx/source/forward?p=orig");
		assertThat(response.statusCode()).isEqualTo(202);
		assertThat(response.body()).isEqualTo("[target type=FORWARD uri=/ctx/target/x servletPath=/target pathInfo=/x"
				+ " query=p=fwd p=fwd,orig mapping=/target/* forwardUri=/ctx/source/forward"
				+ " forwardServletPath=/source forwardQuery=p=orig includeUri=null includeServletPath=null"
				+ " includePathInfo=null includeQuery=null]");
		assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(response.body().length()));
	}

	@Test
	void relativeForwardResolvesAgainstTheCurrentPath() throws Exception {
		assertThat(server.get("/ctx/source/forwardRelative").body()).contains("uri=/ctx/target/rel ",
				"pathInfo=/rel ");
	}

	@Test
	void namedForwardKeepsThePathsAndSetsNoForwardAttributes() throws Exception {
		assertThat(server.get("/ctx/source/forwardNamed").body()).contains("type=FORWARD",
				"uri=/ctx/source/forwardNamed ", "servletPath=/source ", "forwardUri=null");
	}

	@Test
	void includeKeepsPathsStatusAndHeadersAndSetsIncludeAttributes() throws Exception {
		HttpResponse<String> response = server.get("/ctx/source/include?p=orig");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Target-Header")).isEmpty();
		assertThat(response.body()).isEqualTo("before [target type=INCLUDE uri=/ctx/source/include servletPath=/source"
				+ " pathInfo=/include query=p=orig p=inc,orig mapping=/source/* forwardUri=null forwardServletPath=null"
				+ " forwardQuery=null includeUri=/ctx/target/inc includeServletPath=/target includePathInfo=/inc"
				+ " includeQuery=p=inc] after; uri=/ctx/source/include p=orig includeUri=null");
	}

}
