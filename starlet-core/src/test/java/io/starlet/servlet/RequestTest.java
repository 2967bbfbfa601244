package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** HttpServletRequest as servlets see it, over real sockets. */
@Timeout(60)
class RequestTest {

	static ServletServer server;

	static final AtomicReference<HttpServletRequest> seen = new AtomicReference<>();

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			context.addServlet("params", new HttpServlet() {
				@Override
				protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
					StringBuilder sb = new StringBuilder();
					for (String name : Collections.list(request.getParameterNames())) {
						sb.append(name).append('=').append(Arrays.toString(request.getParameterValues(name))).append('\n');
					}
					sb.append("query=").append(request.getQueryString()).append('\n');
					response.setContentType("text/plain;charset=UTF-8");
					response.getWriter().write(sb.toString());
				}
			}).addMapping("/params");
			context.addServlet("echo", new HttpServlet() {
				@Override
				protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
					byte[] body = request.getInputStream().readAllBytes();
					response.setContentType(request.getContentType());
					response.setHeader("X-Content-Length", String.valueOf(request.getContentLengthLong()));
					response.setHeader("X-Finished", String.valueOf(request.getInputStream().isFinished()));
					response.getOutputStream().write(body);
				}
			}).addMapping("/echo");
			context.addServlet("peek", new HttpServlet() {
				@Override
				protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
					// as Spring MVC checks for an empty body: peek at one byte, reset, then read it all
					jakarta.servlet.ServletInputStream in = request.getInputStream();
					boolean markSupported = in.markSupported();
					in.mark(1);
					int first = in.read();
					in.reset();
					byte[] start = new byte[8];
					in.mark(16);
					in.readNBytes(start, 0, 8);
					in.reset(); // within the limit: the same 8 bytes again
					in.mark(4);
					in.readNBytes(start, 0, 8);
					String resetPastLimit;
					try {
						in.reset();
						resetPastLimit = "allowed";
					}
					catch (IOException ex) {
						resetPastLimit = "refused";
					}
					byte[] rest = in.readNBytes(request.getContentLength() - 8);
					response.setHeader("X-Mark", markSupported + " " + first + " " + resetPastLimit);
					response.setHeader("X-Finished", String.valueOf(in.isFinished()));
					response.getOutputStream().write(start);
					response.getOutputStream().write(rest);
				}
			}).addMapping("/peek");
			context.addServlet("reader", new HttpServlet() {
				@Override
				protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
					String text = request.getReader().lines().reduce("", (a, b) -> a + b);
					response.setContentType("text/plain;charset=UTF-8");
					response.getWriter().write(request.getCharacterEncoding() + ":" + text);
				}
			}).addMapping("/reader");
			context.addServlet("info", new HttpServlet() {
				@Override
				protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
					request.setAttribute("a", "b");
					seen.set(request);
					StringBuilder sb = new StringBuilder();
					sb.append("method=").append(request.getMethod()).append('\n');
					sb.append("protocol=").append(request.getProtocol()).append('\n');
					sb.append("url=").append(request.getRequestURL()).append('\n');
					sb.append("scheme=").append(request.getScheme()).append('\n');
					sb.append("serverName=").append(request.getServerName()).append('\n');
					sb.append("serverPort=").append(request.getServerPort()).append('\n');
					sb.append("remoteAddr=").append(request.getRemoteAddr()).append('\n');
					sb.append("remotePortPositive=").append(request.getRemotePort() > 0).append('\n');
					sb.append("localAddr=").append(request.getLocalAddr()).append('\n');
					sb.append("localPort=").append(request.getLocalPort()).append('\n');
					sb.append("header=").append(request.getHeader("x-multi")).append('\n');
					sb.append("headers=").append(Collections.list(request.getHeaders("X-MULTI"))).append('\n');
					sb.append("intHeader=").append(request.getIntHeader("X-Number")).append('\n');
					sb.append("dateHeader=").append(request.getDateHeader("If-Modified-Since")).append('\n');
					sb.append("missingInt=").append(request.getIntHeader("X-None")).append('\n');
					sb.append("attribute=").append(request.getAttribute("a")).append('\n');
					sb.append("locale=").append(request.getLocale().toLanguageTag()).append('\n');
					sb.append("locales=").append(Collections.list(request.getLocales())).append('\n');
					sb.append("requestIdSet=").append(!request.getRequestId().isEmpty()).append('\n');
					sb.append("connection=").append(request.getServletConnection().getProtocol()).append('\n');
					sb.append("contentLength=").append(request.getContentLength()).append('\n');
					Cookie[] cookies = request.getCookies();
					if (cookies != null) {
						for (Cookie cookie : cookies) {
							sb.append("cookie ").append(cookie.getName()).append('=').append(cookie.getValue()).append('\n');
						}
					}
					response.setContentType("text/plain;charset=UTF-8");
					response.getWriter().write(sb.toString());
				}
			}).addMapping("/info");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void queryParametersAreDecodedInOrderWithRepeats() throws Exception {
		ServletServer.RawResponse response = server.raw(
				"GET /params?a=1&b=x+y&a=2&c=%E2%82%AC&empty=&flag&bad=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(response.body()).isEqualTo("""
				a=[1, 2]
				b=[x y]
				c=[€]
				empty=[]
				flag=[]
				bad=[%zz]
				query=a=1&b=x+y&a=2&c=%E2%82%AC&empty=&flag&bad=%zz
				""");
	}

	@Test
	void formBodyParametersFollowQueryParameters() throws Exception {
		HttpResponse<String> response = server.send(server.request("/params?a=q")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("a=form&name=J%C3%BCrgen&x=1")));
		assertThat(response.body()).startsWith("""
				a=[q, form]
				name=[Jürgen]
				x=[1]
				""");
	}

	@Test
	void unparseableFormsAreBadRequests() throws Exception {
		HttpResponse<String> tooMany = server.send(server.request("/params")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("a=1&".repeat(10_001))));
		assertThat(tooMany.statusCode()).isEqualTo(400);
		assertThat(tooMany.body()).contains("More than 10000 request parameters");
		ServletServer.RawResponse tooLarge = server.raw("POST /params HTTP/1.1\r\nHost: x\r\n"
				+ "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3000000\r\n\r\n"
				+ "a".repeat(3_000_000));
		assertThat(tooLarge.status()).isEqualTo(400);
		assertThat(tooLarge.body()).contains("exceeds the limit of 2097152 bytes");
	}

	@Test
	void formBodyOfAPutIsNotParsedAsParameters() throws Exception {
		HttpResponse<String> response = server.send(server.request("/params")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.PUT(HttpRequest.BodyPublishers.ofString("a=form")));
		assertThat(response.body()).isEqualTo("query=null\n");
	}

	@Test
	void aPeekAtTheBodyThenReadingItWholeGivesEveryByteOnce() throws Exception {
		byte[] body = new byte[150_000];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) (i * 7 + 3);
		}
		HttpResponse<byte[]> response = server.sendForBytes(server.request("/peek")
			.header("Content-Type", "application/octet-stream")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo(body);
		assertThat(response.headers().firstValue("X-Mark")).hasValue("true 3 refused");
		assertThat(response.headers().firstValue("X-Finished")).hasValue("true");
	}

	@Test
	void inputStreamReadsAFixedLengthBody() throws Exception {
		byte[] body = new byte[300_000];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) i;
		}
		HttpResponse<byte[]> response = server.sendForBytes(server.request("/echo")
			.header("Content-Type", "application/octet-stream")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo(body);
		assertThat(response.headers().firstValue("X-Content-Length")).hasValue("300000");
		assertThat(response.headers().firstValue("X-Finished")).hasValue("true");
	}

	@Test
	void inputStreamReadsAChunkedBody() throws Exception {
		ServletServer.RawResponse response = server.raw("""
				POST /echo HTTP/1.1\r
				Host: x\r
				Content-Type: text/plain\r
				Transfer-Encoding: chunked\r
				Connection: close\r
				\r
				5\r
				Hello\r
				8\r
				, chunks\r
				0\r
				\r
				""");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("Hello, chunks");
		assertThat(response.header("X-Content-Length")).isEqualTo("-1");
	}

	@Test
	void expectContinueIsAnsweredWhenTheServletReads() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", server.port())) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			// a body larger than what the acceptor collects itself, so a worker takes the request at once
			byte[] body = "Hello".repeat(20_000).getBytes(StandardCharsets.ISO_8859_1);
			out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n"
					+ "Expect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			String continueLine = "HTTP/1.1 100 Continue\r\n\r\n";
			byte[] interim = in.readNBytes(continueLine.length());
			assertThat(new String(interim, StandardCharsets.ISO_8859_1)).isEqualTo(continueLine);
			out.write(body);
			out.flush();
			ServletServer.RawResponse response = ServletServer.RawResponse.parse(in.readAllBytes());
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body().length()).isEqualTo(body.length);
			assertThat(response.body().equals("Hello".repeat(20_000))).as("echoed body").isTrue();
		}
	}

	@Test
	void expectContinueIsNotSentWhenTheServletDoesNotReadAStreamedBody() throws Exception {
		// With request-buffering (the default) the acceptor answers 100 itself before it collects
		// the body; streamed, the 100 waits for the application's first read.
		try (ServletServer streaming = ServletServer.start(
				io.starlet.StarletConfig.builder().maxWorkers(2).requestBuffering(false),
				(container) -> container.getServletContext().addServlet("length", new HttpServlet() {
					@Override
					protected void service(HttpServletRequest request, HttpServletResponse response)
							throws IOException {
						response.getWriter().write("contentLength=" + request.getContentLength() + "\n");
					}
				}).addMapping("/length"))) {
			ServletServer.RawResponse response = streaming.raw("POST /length HTTP/1.1\r\nHost: x\r\n"
					+ "Content-Length: 100000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.text()).doesNotContain("100 Continue");
			assertThat(response.body()).contains("contentLength=100000\n");
		}
	}

	@Test
	void readerDecodesWithTheDeclaredCharset() throws Exception {
		HttpResponse<String> response = server.send(server.request("/reader")
			.header("Content-Type", "text/plain; charset=ISO-8859-1")
			.POST(HttpRequest.BodyPublishers.ofByteArray("caf\u00e9".getBytes(StandardCharsets.ISO_8859_1))));
		assertThat(response.body()).isEqualTo("ISO-8859-1:café");
	}

	@Test
	void requestLineHeadersAddressesAndCookies() throws Exception {
		HttpResponse<String> response = server.get("/info?x=1", "X-Multi", "one", "X-Multi", "two", "X-Number", "42",
				"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT", "Accept-Language", "fr;q=0.5, de-CH, en;q=0.8",
				"Cookie", "a=1; b=\"quoted;part\"; c=3");
		int port = server.port();
		assertThat(response.body()).contains("method=GET\n", "protocol=HTTP/1.1\n",
				"url=http://127.0.0.1:" + port + "/info\n", "scheme=http\n", "serverName=127.0.0.1\n",
				"serverPort=" + port + "\n", "remoteAddr=127.0.0.1\n", "remotePortPositive=true\n",
				"localAddr=127.0.0.1\n", "localPort=" + port + "\n", "header=one\n", "headers=[one, two]\n",
				"intHeader=42\n", "dateHeader=784111777000\n", "missingInt=-1\n", "attribute=b\n",
				"locale=de-CH\n", "locales=[de_CH, en, fr]\n", "requestIdSet=true\n", "connection=http/1.1\n",
				"cookie a=1\n", "cookie c=3\n");
		// a quoted value cannot swallow the ';' that ends it: the broken pair is skipped, c survives
		assertThat(response.body()).doesNotContain("cookie b=");
	}

	@Test
	void http10RequestWithoutHostUsesTheLocalAddress() throws Exception {
		ServletServer.RawResponse response = server.raw("GET /info HTTP/1.0\r\n\r\n");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).contains("protocol=HTTP/1.0\n", "serverName=127.0.0.1\n",
				"serverPort=" + server.port() + "\n");
	}

}
