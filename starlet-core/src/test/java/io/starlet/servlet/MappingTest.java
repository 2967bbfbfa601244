package io.starlet.servlet;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import jakarta.servlet.ServletContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Servlet §12 mapping rules, seen by a client through getServletPath/getPathInfo/getHttpServletMapping. */
@Timeout(60)
class MappingTest {

	static ServletServer server;

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			context.addServlet("exact", new InfoServlet()).addMapping("/exact", "/exact/deep");
			context.addServlet("prefix", new InfoServlet()).addMapping("/api/*");
			context.addServlet("longerPrefix", new InfoServlet()).addMapping("/api/v2/*");
			context.addServlet("extension", new InfoServlet()).addMapping("*.do");
			context.addServlet("root", new InfoServlet()).addMapping("");
			context.addServlet("default", new InfoServlet()).addMapping("/");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', nullValues = "null", value = {
			"/exact          | exact        | /exact          | null        | EXACT        | /exact     | exact",
			"/exact/deep     | exact        | /exact/deep     | null        | EXACT        | /exact/deep | exact/deep",
			"/api            | prefix       | /api            | null        | PATH         | /api/*     | ''",
			"/api/users/7    | prefix       | /api            | /users/7    | PATH         | /api/*     | users/7",
			"/api/v2/x       | longerPrefix | /api/v2         | /x          | PATH         | /api/v2/*  | x",
			"/api/x.do       | prefix       | /api            | /x.do       | PATH         | /api/*     | x.do",
			"/a/b/form.do    | extension    | /a/b/form.do    | null        | EXTENSION    | *.do       | a/b/form",
			"/                | root         | ''              | /           | CONTEXT_ROOT | ''         | ''",
			"/other/thing    | default      | /other/thing    | null        | DEFAULT      | /          | ''",
			"/exact/         | default      | /exact/         | null        | DEFAULT      | /          | ''" })
	void mapsByTheServletRules(String path, String servlet, String servletPath, String pathInfo, String match,
			String pattern, String matchValue) throws Exception {
		HttpResponse<String> response = server.get(path);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("servlet=" + servlet + "\n", "servletPath=" + servletPath + "\n",
				"pathInfo=" + pathInfo + "\n", "match=" + match + "\n", "pattern=" + pattern + "\n",
				"matchValue=" + matchValue + "\n", "requestURI=" + path + "\n", "dispatcherType=REQUEST\n");
	}

	@Test
	void pathsAreDecodedAndNormalisedForMappingButRequestUriStaysAsSent() throws Exception {
		HttpResponse<String> response = server.get("/api/./a/../caf%C3%A9;jsessionid=1/x");
		assertThat(response.body()).contains("servlet=prefix\n", "pathInfo=/café/x\n",
				"requestURI=/api/./a/../caf%C3%A9;jsessionid=1/x\n");
	}

	@Test
	void traversalAboveTheRootAndEncodedSlashesAreRejected() throws Exception {
		ServletServer.RawResponse above = server.raw("GET /api/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(above.status()).isEqualTo(400);
		ServletServer.RawResponse slash = server.raw("GET /api/a%2Fb HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(slash.status()).isEqualTo(400);
		assertThat(slash.body()).doesNotContain("Exception");
	}

	@Test
	void traceIsRefusedAndOptionsStarIsAnswered() throws Exception {
		ServletServer.RawResponse trace = server.raw("TRACE /api/x HTTP/1.1\r\nHost: x\r\nCookie: secret=1\r\nConnection: close\r\n\r\n");
		assertThat(trace.status()).isEqualTo(405);
		assertThat(trace.body()).doesNotContain("secret");
		ServletServer.RawResponse options = server.raw("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(options.status()).isEqualTo(200);
		assertThat(options.header("Allow")).contains("GET", "POST");
	}

	@Test
	void contextPathIsStrippedAndItsBareFormRedirects() throws Exception {
		try (ServletServer app = ServletServer.start((settings) -> settings.contextPath("/app"), (container) -> {
			container.getServletContext().addServlet("prefix", new InfoServlet()).addMapping("/api/*");
		})) {
			HttpResponse<String> response = app.get("/app/api/x?y=1");
			assertThat(response.body()).contains("contextPath=/app\n", "servletPath=/api\n", "pathInfo=/x\n",
					"requestURI=/app/api/x\n");
			HttpResponse<String> bare = app.get("/app?q=1");
			assertThat(bare.statusCode()).isEqualTo(302);
			assertThat(bare.headers().firstValue("Location")).hasValue("http://127.0.0.1:" + app.port() + "/app/?q=1");
			assertThat(app.get("/elsewhere").statusCode()).isEqualTo(404);
			assertThat(app.get("/application").statusCode()).isEqualTo(404);
		}
	}

	@Test
	void withoutADefaultServletUnmappedPathsAre404() throws Exception {
		try (ServletServer app = ServletServer.start((container) -> container.getServletContext()
			.addServlet("exact", new InfoServlet())
			.addMapping("/only"))) {
			HttpResponse<String> response = app.get("/missing");
			assertThat(response.statusCode()).isEqualTo(404);
			assertThat(response.body()).contains("404 Not Found");
		}
	}

}
