package io.starlet.servlet;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Error pages: exception type, root cause, status, global; ERROR dispatch attributes; no stack traces. */
@Timeout(60)
class ErrorPageTest {

	static ServletServer server;

	static class BusinessException extends RuntimeException {

		BusinessException(String message) {
			super(message);
		}

	}

	static class SpecialBusinessException extends BusinessException {

		SpecialBusinessException(String message) {
			super(message);
		}

	}

	/** Renders every error attribute, like Spring Boot's BasicErrorController reads them. */
	static class ErrorServlet extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
			Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
			response.setContentType("text/plain");
			response.getWriter()
				.append("page=").append(request.getServletPath()).append('\n')
				.append("dispatcherType=").append(request.getDispatcherType().name()).append('\n')
				.append("method=").append(request.getMethod()).append('\n')
				.append("status=").append(String.valueOf(status)).append('\n')
				.append("statusIsInteger=").append(String.valueOf(status instanceof Integer)).append('\n')
				.append("message=").append(String.valueOf(request.getAttribute(RequestDispatcher.ERROR_MESSAGE))).append('\n')
				.append("exception=").append((exception != null) ? exception.getClass().getSimpleName() : "null").append('\n')
				.append("exceptionType=").append(String.valueOf(request.getAttribute(RequestDispatcher.ERROR_EXCEPTION_TYPE))).append('\n')
				.append("requestUri=").append(String.valueOf(request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI))).append('\n')
				.append("servletName=").append(String.valueOf(request.getAttribute(RequestDispatcher.ERROR_SERVLET_NAME))).append('\n')
				.append("errorMethod=").append(String.valueOf(request.getAttribute(RequestDispatcher.ERROR_METHOD))).append('\n')
				.append("queryString=").append(String.valueOf(request.getAttribute(RequestDispatcher.ERROR_QUERY_STRING))).append('\n')
				.append("errorFilter=").append(String.valueOf(request.getAttribute("errorFilter"))).append('\n');
		}

	}

	static class FailingServlet extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response)
				throws IOException, ServletException {
			switch (request.getPathInfo()) {
				case "/business" -> throw new BusinessException("business went wrong");
				case "/special" -> throw new SpecialBusinessException("special went wrong");
				case "/wrapped" -> throw new ServletException("Request processing failed",
						new BusinessException("wrapped went wrong"));
				case "/npe" -> throw new NullPointerException("secret internal detail");
				case "/status" -> response.sendError(418, "I'm a teapot");
				case "/forbidden" -> response.sendError(403);
				case "/committed" -> {
					response.getOutputStream().write(new byte[20_000]);
					throw new IllegalStateException("too late");
				}
				default -> response.sendError(404);
			}
		}

	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((settings) -> settings.errorPage(BusinessException.class, "/errors/business").errorPage(418, "/errors/teapot").globalErrorPage("/errors/global"), (container) -> {
			ServletContext context = container.getServletContext();
			context.addServlet("failing", new FailingServlet()).addMapping("/fail/*");
			context.addServlet("errors", new ErrorServlet()).addMapping("/errors/*");
			context.addServlet("unavailable", new HttpServlet() {
				@Override
				public void init() throws ServletException {
					throw new jakarta.servlet.UnavailableException("down for maintenance");
				}
			}).addMapping("/unavailable");
			context.addFilter("errorFilter", (request, response, chain) -> {
				request.setAttribute("errorFilter", "ran");
				chain.doFilter(request, response);
			}).addMappingForUrlPatterns(EnumSet.of(DispatcherType.ERROR), true, "/*");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void anExceptionGoesToThePageForItsType() throws Exception {
		HttpResponse<String> response = server.get("/fail/business?a=b");
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.body()).contains("page=/errors\n", "dispatcherType=ERROR\n", "method=GET\n",
				"status=500\n", "statusIsInteger=true\n", "message=business went wrong\n",
				"exception=BusinessException\n", "requestUri=/fail/business\n", "servletName=failing\n",
				"errorMethod=GET\n", "queryString=a=b\n", "errorFilter=ran\n");
	}

	@Test
	void aSubclassUsesThePageOfItsNearestMappedSuperclass() throws Exception {
		assertThat(server.get("/fail/special").body()).contains("page=/errors\n",
				"exception=SpecialBusinessException\n", "message=special went wrong\n");
	}

	@Test
	void theRootCauseOfAServletExceptionSelectsThePageAndIsTheReportedException() throws Exception {
		HttpResponse<String> response = server.get("/fail/wrapped");
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.body()).contains("exception=BusinessException\n", "message=wrapped went wrong\n");
	}

	@Test
	void sendErrorUsesThePageForItsStatus() throws Exception {
		HttpResponse<String> response = server.get("/fail/status");
		assertThat(response.statusCode()).isEqualTo(418);
		assertThat(response.body()).contains("page=/errors\n", "status=418\n", "message=I'm a teapot\n",
				"exception=null\n");
	}

	@Test
	void unmappedStatusesAndExceptionsUseTheGlobalPage() throws Exception {
		HttpResponse<String> forbidden = server.get("/fail/forbidden");
		assertThat(forbidden.statusCode()).isEqualTo(403);
		assertThat(forbidden.body()).contains("status=403\n");
		HttpResponse<String> npe = server.get("/fail/npe");
		assertThat(npe.statusCode()).isEqualTo(500);
		assertThat(npe.body()).contains("exception=NullPointerException\n");
	}

	@Test
	void anUnavailableServletAnswers503() throws Exception {
		HttpResponse<String> response = server.get("/unavailable");
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.body()).contains("status=503\n", "exception=UnavailableException\n");
	}

	@Test
	void everyMethodGetsTheErrorDispatch() throws Exception {
		HttpResponse<String> response = server.send(server.request("/fail/business")
			.PUT(HttpRequest.BodyPublishers.ofString("{}")));
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.body()).contains("method=PUT\n", "errorMethod=PUT\n");
		HttpResponse<String> delete = server.send(server.request("/fail/status").DELETE());
		assertThat(delete.statusCode()).isEqualTo(418);
		assertThat(delete.body()).contains("method=DELETE\n");
	}

	@Test
	void withoutErrorPagesTheDefaultPageHasNoStackTrace() throws Exception {
		try (ServletServer plain = ServletServer.start((container) -> container.getServletContext()
			.addServlet("failing", new FailingServlet())
			.addMapping("/fail/*"))) {
			HttpResponse<String> npe = plain.get("/fail/npe");
			assertThat(npe.statusCode()).isEqualTo(500);
			assertThat(npe.headers().firstValue("Content-Type")).hasValue("text/html;charset=utf-8");
			assertThat(npe.body()).contains("500 Internal Server Error")
				.doesNotContain("secret internal detail", "NullPointerException", "at io.starlet");
			HttpResponse<String> teapot = plain.get("/fail/status");
			assertThat(teapot.statusCode()).isEqualTo(418);
			assertThat(teapot.body()).contains("I&#39;m a teapot");
		}
	}

	@Test
	void anExceptionAfterCommitCutsTheConnection() throws Exception {
		ServletServer.RawResponse response = server
			.raw("GET /fail/committed HTTP/1.1\r\nHost: x\r\n\r\n");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.chunked()).isTrue();
		// the chunked body never gets its terminating chunk: the client can tell it is incomplete
		assertThat(response.text()).doesNotEndWith("0\r\n\r\n");
	}

}
