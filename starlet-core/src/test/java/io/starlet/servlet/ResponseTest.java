package io.starlet.servlet;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** HttpServletResponse: buffering, framing, headers, encodings, reset, redirects, over the wire. */
@Timeout(60)
class ResponseTest {

	static ServletServer server;

	interface Body {

		void write(HttpServletRequest request, HttpServletResponse response) throws IOException;

	}

	static void add(ServletContext context, String path, Body body) {
		context.addServlet(path, new HttpServlet() {
			@Override
			protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
				body.write(request, response);
			}
		}).addMapping(path);
	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((settings) -> settings.localeCharset(Locale.JAPANESE, java.nio.charset.Charset.forName("Shift_JIS")), (container) -> {
			ServletContext context = container.getServletContext();
			add(context, "/small", (request, response) -> {
				response.setContentType("text/plain");
				response.getWriter().write("small body");
				response.setHeader("X-Committed", String.valueOf(response.isCommitted()));
			});
			add(context, "/retyped", (request, response) -> {
				response.setContentType("text/plain");
				response.setCharacterEncoding("UTF-8");
				String first = response.getContentType();
				response.setCharacterEncoding("ISO-8859-1");
				String second = response.getContentType();
				response.setContentType("text/csv");
				response.setHeader("X-Seen", first + " | " + second + " | " + response.getContentType());
			});
			add(context, "/large", (request, response) -> {
				response.setContentType("application/octet-stream");
				ServletOutputStream out = response.getOutputStream();
				byte[] chunk = new byte[1000];
				for (int i = 0; i < 100; i++) {
					java.util.Arrays.fill(chunk, (byte) ('a' + (i % 26)));
					out.write(chunk);
				}
			});
			add(context, "/declared", (request, response) -> {
				byte[] body = new byte[20_000];
				java.util.Arrays.fill(body, (byte) 'x');
				response.setContentLength(body.length);
				response.getOutputStream().write(body);
				response.getOutputStream().write("ignored after the declared length".getBytes());
			});
			add(context, "/flush", (request, response) -> {
				response.setContentType("text/plain");
				PrintWriter writer = response.getWriter();
				writer.write("first");
				response.flushBuffer();
				writer.write(String.valueOf(response.isCommitted()));
			});
			add(context, "/reset", (request, response) -> {
				response.setStatus(404);
				response.setHeader("X-Gone", "yes");
				response.getWriter().write("discarded");
				response.reset();
				response.setContentType("text/plain");
				response.getWriter().write("after reset");
			});
			add(context, "/resetBuffer", (request, response) -> {
				response.setHeader("X-Kept", "yes");
				response.getOutputStream().write("discarded".getBytes());
				response.resetBuffer();
				response.getOutputStream().write("kept".getBytes());
			});
			add(context, "/encoding", (request, response) -> {
				response.setContentType("text/plain");
				response.setCharacterEncoding(StandardCharsets.UTF_8);
				response.getWriter().write("Grüße €");
			});
			add(context, "/latin1", (request, response) -> {
				response.setContentType("text/html");
				response.getWriter().write("café");
			});
			add(context, "/locale", (request, response) -> {
				response.setContentType("text/plain");
				response.setLocale(Locale.JAPANESE);
				response.getWriter().write("日本");
			});
			add(context, "/headers", (request, response) -> {
				response.addHeader("X-Multi", "a");
				response.addHeader("X-Multi", "b");
				response.setHeader("X-Single", "1");
				response.setHeader("X-Single", "2");
				response.setHeader("X-Removed", "x");
				response.setHeader("X-Removed", null);
				response.setIntHeader("X-Int", 7);
				response.setDateHeader("Last-Modified", 784111777000L);
				response.setHeader("Connection-Ok", String.valueOf(response.containsHeader("x-multi")));
				response.setStatus(201);
				response.getWriter().write(response.getHeaders("X-Multi") + " " + response.getHeader("x-single"));
			});
			add(context, "/redirect", (request, response) -> response.sendRedirect("target?x=1"));
			add(context, "/redirect/abs", (request, response) -> response.sendRedirect("/elsewhere", 301));
			add(context, "/redirect/url", (request, response) -> response.sendRedirect("https://example.org/"));
			add(context, "/redirect/dots/*", (request, response) -> response.sendRedirect("../up#top"));
			add(context, "/redirect/network", (request, response) -> response.sendRedirect("//example.org/x"));
			add(context, "/nothing", (request, response) -> response.setStatus(204));
			add(context, "/unknownLength", (request, response) -> {
				response.getOutputStream().write("streamed".getBytes());
				response.getOutputStream().flush();
				response.getOutputStream().write(" and more".getBytes());
			});
			add(context, "/wrongOrder", (request, response) -> {
				response.getOutputStream();
				try {
					response.getWriter();
					response.setHeader("X-Writer", "allowed");
				}
				catch (IllegalStateException ex) {
					response.setHeader("X-Writer", "refused");
				}
			});
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	private static ServletServer.RawResponse raw(String method, String path) throws IOException {
		return server.raw(method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	}

	@Test
	void aBodyThatFitsTheBufferGoesOutWithContentLength() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/small");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.header("Content-Length")).isEqualTo("10");
		assertThat(response.header("Transfer-Encoding")).isNull();
		assertThat(response.header("Content-Type")).isEqualTo("text/plain;charset=ISO-8859-1");
		assertThat(response.header("X-Committed")).isEqualTo("false");
		assertThat(response.body()).isEqualTo("small body");
	}

	@Test
	void theContentTypeFollowsEachChangeOfTypeAndCharset() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/retyped");
		assertThat(response.header("X-Seen"))
			.isEqualTo("text/plain;charset=UTF-8 | text/plain;charset=ISO-8859-1 | text/csv;charset=ISO-8859-1");
		assertThat(response.header("Content-Type")).isEqualTo("text/csv;charset=ISO-8859-1");
	}

	@Test
	void aBodyLargerThanTheBufferIsChunked() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/large");
		assertThat(response.chunked()).isTrue();
		assertThat(response.header("Content-Length")).isNull();
		assertThat(response.body()).hasSize(100_000);
		assertThat(response.body()).startsWith("a".repeat(1000) + "b");
	}

	@Test
	void aDeclaredContentLengthIsUsedAndTheResponseEndsThere() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/declared");
		assertThat(response.header("Content-Length")).isEqualTo("20000");
		assertThat(response.body()).isEqualTo("x".repeat(20_000));
	}

	@Test
	void headGetsTheLengthButNoBody() throws Exception {
		ServletServer.RawResponse small = raw("HEAD", "/small");
		assertThat(small.header("Content-Length")).isEqualTo("10");
		assertThat(small.body()).isEmpty();
		ServletServer.RawResponse declared = raw("HEAD", "/declared");
		assertThat(declared.header("Content-Length")).isEqualTo("20000");
		assertThat(declared.body()).isEmpty();
	}

	@Test
	void flushBufferCommits() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/flush");
		assertThat(response.chunked()).isTrue();
		assertThat(response.body()).isEqualTo("firsttrue");
	}

	@Test
	void streamedFlushSendsChunksAsWritten() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/unknownLength");
		assertThat(response.chunked()).isTrue();
		assertThat(response.body()).isEqualTo("streamed and more");
	}

	@Test
	void resetClearsStatusHeadersAndBody() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/reset");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.header("X-Gone")).isNull();
		assertThat(response.body()).isEqualTo("after reset");
	}

	@Test
	void resetBufferKeepsHeaders() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/resetBuffer");
		assertThat(response.header("X-Kept")).isEqualTo("yes");
		assertThat(response.body()).isEqualTo("kept");
	}

	@Test
	void writerEncodesWithTheResponseCharset() throws Exception {
		HttpResponse<byte[]> utf8 = server.sendForBytes(server.request("/encoding").GET());
		assertThat(utf8.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
		assertThat(new String(utf8.body(), StandardCharsets.UTF_8)).isEqualTo("Grüße €");
		HttpResponse<byte[]> latin1 = server.sendForBytes(server.request("/latin1").GET());
		assertThat(latin1.headers().firstValue("Content-Type")).hasValue("text/html;charset=ISO-8859-1");
		assertThat(latin1.body()).isEqualTo("café".getBytes(StandardCharsets.ISO_8859_1));
		HttpResponse<byte[]> japanese = server.sendForBytes(server.request("/locale").GET());
		assertThat(japanese.headers().firstValue("Content-Type")).hasValue("text/plain;charset=Shift_JIS");
		assertThat(japanese.headers().firstValue("Content-Language")).hasValue("ja");
		assertThat(japanese.body()).isEqualTo("日本".getBytes(java.nio.charset.Charset.forName("Shift_JIS")));
	}

	@Test
	void headersAreSetAddedAndRemoved() throws Exception {
		HttpResponse<String> response = server.get("/headers");
		assertThat(response.statusCode()).isEqualTo(201);
		assertThat(response.headers().allValues("X-Multi")).containsExactly("a", "b");
		assertThat(response.headers().allValues("X-Single")).containsExactly("2");
		assertThat(response.headers().firstValue("X-Removed")).isEmpty();
		assertThat(response.headers().firstValue("X-Int")).hasValue("7");
		assertThat(response.headers().firstValue("Last-Modified")).hasValue("Sun, 06 Nov 1994 08:49:37 GMT");
		assertThat(response.headers().firstValue("Connection-Ok")).hasValue("true");
		assertThat(response.body()).isEqualTo("[a, b] 2");
	}

	@Test
	void redirectsAreAbsoluteByDefault() throws Exception {
		String origin = "http://127.0.0.1:" + server.port();
		HttpResponse<String> relative = server.get("/redirect");
		assertThat(relative.statusCode()).isEqualTo(302);
		assertThat(relative.headers().firstValue("Location")).hasValue(origin + "/target?x=1");
		HttpResponse<String> absolutePath = server.get("/redirect/abs");
		assertThat(absolutePath.statusCode()).isEqualTo(301);
		assertThat(absolutePath.headers().firstValue("Location")).hasValue(origin + "/elsewhere");
		HttpResponse<String> url = server.get("/redirect/url");
		assertThat(url.headers().firstValue("Location")).hasValue("https://example.org/");
		HttpResponse<String> dotSegments = server.get("/redirect/dots/here");
		assertThat(dotSegments.headers().firstValue("Location")).hasValue(origin + "/redirect/up#top");
		HttpResponse<String> networkPath = server.get("/redirect/network");
		assertThat(networkPath.headers().firstValue("Location")).hasValue("http://example.org/x");
	}

	@Test
	void relativeRedirectsKeepTheLocationAsGivenExceptForHttp10() throws Exception {
		try (ServletServer relative = ServletServer.start((settings) -> settings.useRelativeRedirects(true), (container) -> {
			add(container.getServletContext(), "/redirect", (request, response) -> response.sendRedirect("target?x=1"));
		})) {
			assertThat(relative.get("/redirect").headers().firstValue("Location")).hasValue("target?x=1");
			ServletServer.RawResponse http10 = relative.raw("GET /redirect HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
			assertThat(http10.header("Location")).isEqualTo("http://127.0.0.1/target?x=1");
		}
	}

	@Test
	void noContentHasNoBodyAndNoLength() throws Exception {
		ServletServer.RawResponse response = raw("GET", "/nothing");
		assertThat(response.status()).isEqualTo(204);
		assertThat(response.header("Content-Length")).isNull();
		assertThat(response.header("Transfer-Encoding")).isNull();
	}

	@Test
	void writerAfterOutputStreamIsRefused() throws Exception {
		assertThat(server.get("/wrongOrder").headers().firstValue("X-Writer")).hasValue("refused");
	}

	@Test
	void postBodyLeftUnreadDoesNotBreakTheConnection() throws Exception {
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> response = server.send(server.request("/small")
				.POST(HttpRequest.BodyPublishers.ofString("x".repeat(10_000))));
			assertThat(response.body()).isEqualTo("small body");
		}
	}

}
