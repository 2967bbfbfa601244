package io.starlet.servlet;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.starlet.testing.Await;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request and dispatch side checked case by case against the Servlet 6.1 specification and
 * javadoc (and Tomcat 11, where the two agree), over real sockets: parameters, the body, the
 * path methods, forward, include, error and async dispatches, cookies and headers. Where
 * Starlet deliberately differs, the test says so and docs/servlet-container.md explains why.
 */
@Timeout(60)
class RequestConformanceTest {

	/** A servlet written as a lambda. */
	interface Handler {

		void handle(HttpServletRequest request, HttpServletResponse response) throws Exception;

	}

	static HttpServlet servlet(Handler handler) {
		return new HttpServlet() {
			@Override
			protected void service(HttpServletRequest request, HttpServletResponse response)
					throws ServletException, IOException {
				try {
					handler.handle(request, response);
				}
				catch (IOException | ServletException | RuntimeException ex) {
					throw ex;
				}
				catch (Exception ex) {
					throw new ServletException(ex);
				}
			}
		};
	}

	/** What servlets report from threads of their own, by test. */
	static final Map<String, String> outcomes = new ConcurrentHashMap<>();

	static ServletServer server;

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((settings) -> settings.contextPath("/app").globalErrorPage("/error"),
				RequestConformanceTest::register);
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	private static void register(ServletContainer container) {
		ServletContext context = container.getServletContext();
		context.addServlet("params", servlet((request, response) -> text(response, parameters(request))))
			.addMapping("/params");
		context.addServlet("paramsAfterBody", servlet((request, response) -> {
			int length = request.getInputStream().readAllBytes().length;
			text(response, "read=" + length + "\n" + parameters(request));
		})).addMapping("/params-after-body");
		context.addServlet("bodyAfterParams", servlet((request, response) -> {
			String a = request.getParameter("a");
			int next = request.getInputStream().read();
			text(response, "a=" + a + " next=" + next);
		})).addMapping("/body-after-params");
		context.addServlet("charsetFirst", servlet((request, response) -> {
			request.setCharacterEncoding("ISO-8859-1");
			text(response, request.getParameter("n"));
		})).addMapping("/charset-first");
		context.addServlet("charsetLate", servlet((request, response) -> {
			String before = request.getParameter("n");
			request.setCharacterEncoding("ISO-8859-1");
			text(response, before + "|" + request.getParameter("n"));
		})).addMapping("/charset-late");
		context.addServlet("streamThenReader", servlet((request, response) -> {
			request.getInputStream();
			text(response, outcome(() -> request.getReader()));
		})).addMapping("/stream-then-reader");
		context.addServlet("readerThenStream", servlet((request, response) -> {
			request.getReader();
			text(response, outcome(() -> request.getInputStream()));
		})).addMapping("/reader-then-stream");
		context.addServlet("reader", servlet((request, response) -> {
			BufferedReader reader = request.getReader();
			text(response, request.getCharacterEncoding() + "|" + reader.readLine());
		})).addMapping("/reader");
		context.addServlet("readTwice", servlet((request, response) -> {
			ServletInputStream in = request.getInputStream();
			byte[] first = in.readAllBytes();
			byte[] again = request.getInputStream().readAllBytes();
			text(response, new String(first, StandardCharsets.UTF_8) + "|" + again.length + "|" + in.read() + "|"
					+ in.isFinished());
		})).addMapping("/read-twice");
		context.addServlet("paths", servlet((request, response) -> text(response, paths(request))))
			.addMapping("/paths/*");
		context.addServlet("exact", servlet((request, response) -> text(response, mapping(request))))
			.addMapping("/exact");
		context.addServlet("extension", servlet((request, response) -> text(response, mapping(request))))
			.addMapping("*.ext");
		context.addServlet("root", servlet((request, response) -> text(response, mapping(request))))
			.addMapping("");
		context.addServlet("relative", servlet((request, response) -> {
			RequestDispatcher above = request.getRequestDispatcher("../../../../x");
			if (above != null) {
				text(response, "dispatcher above the root");
				return;
			}
			request.getRequestDispatcher("../../paths/x?q=1").forward(request, response);
		})).addMapping("/relative/*");
		context.addServlet("forwardCommitted", servlet((request, response) -> {
			response.getWriter().write("committed ");
			response.flushBuffer();
			String outcome = outcome(() -> {
				request.getRequestDispatcher("/paths/x").forward(request, response);
				return null;
			});
			response.getWriter().write(outcome);
		})).addMapping("/forward-committed");
		context.addServlet("boom", servlet((request, response) -> {
			if (request.getPathInfo().equals("/send")) {
				response.sendError(409, "conflict here");
				return;
			}
			throw new IllegalStateException("from the servlet");
		})).addMapping("/boom/*");
		context.addFilter("boomFilter", (Filter) (request, response, chain) -> {
			throw new ServletException(new IllegalArgumentException("from a filter"));
		}).addMappingForUrlPatterns(null, false, "/boom/filter");
		context.addServlet("error", servlet((request, response) -> text(response, errorAttributes(request))))
			.addMapping("/error");
		registerDispatcherTypes(context);
		registerAsync(context);
		registerDispatchesWithAQuery(context);
		context.addServlet("cookies", servlet((request, response) -> {
			StringBuilder sb = new StringBuilder();
			for (Cookie cookie : (request.getCookies() != null) ? request.getCookies() : new Cookie[0]) {
				sb.append(cookie.getName()).append('=').append(cookie.getValue()).append('|');
			}
			sb.append(" space:").append(outcome(() -> {
				response.addCookie(new Cookie("s", "a b"));
				return null;
			}));
			sb.append(" quote:").append(outcome(() -> {
				response.addCookie(new Cookie("s", "a\"b"));
				return null;
			}));
			response.addCookie(new Cookie("quoted", "\"v\""));
			text(response, sb.toString());
		})).addMapping("/cookies");
		context.addServlet("headers", servlet((request, response) -> {
			text(response, "getHeaders=" + Collections.list(request.getHeaders("x-MULTI"))
					+ " names=" + Collections.list(request.getHeaderNames()).contains("X-Multi")
					+ " date=" + outcome(() -> request.getDateHeader("if-modified-since"))
					+ " int=" + outcome(() -> request.getIntHeader("x-number"))
					+ " missingDate=" + request.getDateHeader("x-none") + " missingInt=" + request.getIntHeader("x-none"));
		})).addMapping("/headers");
	}

	/** A filter for one dispatcher type only, and a servlet that dispatches in each way. */
	private static void registerDispatcherTypes(ServletContext context) {
		for (DispatcherType type : EnumSet.of(DispatcherType.FORWARD, DispatcherType.INCLUDE, DispatcherType.ERROR,
				DispatcherType.ASYNC)) {
			context.addFilter("only" + type, (Filter) (request, response, chain) -> {
				Object ran = request.getAttribute("ran");
				request.setAttribute("ran", ((ran != null) ? ran + "," : "") + type);
				chain.doFilter(request, response);
			}).addMappingForUrlPatterns(EnumSet.of(type), false, "/types/*", "/error");
		}
		ServletRegistration.Dynamic types = context.addServlet("types", servlet((request, response) -> {
			// an included servlet sees the including request's path; its own is in the attributes
			String pathInfo = (request.getDispatcherType() == DispatcherType.INCLUDE)
					? (String) request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO) : request.getPathInfo();
			switch (pathInfo) {
				case "/forward" -> request.getRequestDispatcher("/types/target").forward(request, response);
				case "/include" -> {
					request.getRequestDispatcher("/types/target").include(request, response);
					response.getWriter().write(" after include ran=" + request.getAttribute("ran"));
				}
				case "/async" -> request.startAsync().dispatch("/types/target");
				case "/error" -> response.sendError(410);
				default -> response.getWriter()
					.write(request.getDispatcherType() + " ran=" + request.getAttribute("ran"));
			}
		}));
		types.setAsyncSupported(true);
		types.addMapping("/types/*");
	}

	/**
	 * "/dq/*" dispatches a form POST to "/dq-target/*" in the way its path names, without asking
	 * for a parameter first. "/dq-target/stream" reads the body itself; "/dq-target/params" sets
	 * ISO-8859-1 (which counts only if the form body is not parsed yet) and lists the parameters;
	 * "/dq-target/forward" forwards on to "/dq-target/params?y=2".
	 */
	private static void registerDispatchesWithAQuery(ServletContext context) {
		ServletRegistration.Dynamic from = context.addServlet("dqFrom", servlet((request, response) -> {
			switch (request.getPathInfo()) {
				case "/forward-stream" -> request.getRequestDispatcher("/dq-target/stream?x=1").forward(request, response);
				case "/forward-stream-no-query" ->
					request.getRequestDispatcher("/dq-target/stream").forward(request, response);
				case "/async-stream" -> request.startAsync().dispatch("/dq-target/stream?x=1");
				case "/forward-params" -> {
					request.getRequestDispatcher("/dq-target/forward?x=1").forward(request, response);
					// the response is complete by now; what the servlet sees is reported aside
					outcomes.put("afterForward", parameters(request));
				}
				case "/include" -> {
					request.getRequestDispatcher("/dq-target/stream?x=1").include(request, response);
					response.getWriter().write(" | after: " + parameters(request) + " | ");
					request.getRequestDispatcher("/dq-target/params?x=2").include(request, response);
					response.getWriter().write(" | after: " + parameters(request));
				}
				default -> throw new IllegalArgumentException(request.getPathInfo());
			}
		}));
		from.setAsyncSupported(true);
		from.addMapping("/dq/*");
		context.addServlet("dqTarget", servlet((request, response) -> {
			String pathInfo = (request.getDispatcherType() == DispatcherType.INCLUDE)
					? (String) request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO) : request.getPathInfo();
			switch (pathInfo) {
				case "/stream" -> text(response,
						"body=" + new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
				case "/params" -> {
					request.setCharacterEncoding("ISO-8859-1");
					text(response, parameters(request));
				}
				case "/forward" -> request.getRequestDispatcher("/dq-target/params?y=2").forward(request, response);
				default -> throw new IllegalArgumentException(pathInfo);
			}
		})).addMapping("/dq-target/*");
	}

	private static void registerAsync(ServletContext context) {
		ServletRegistration.Dynamic async = context.addServlet("async", servlet((request, response) -> {
			String test = request.getParameter("test");
			AsyncContext asyncContext = request.startAsync();
			switch (test) {
				case "twice" -> {
					String second = outcome(() -> request.startAsync());
					asyncContext.complete();
					text(response, second);
				}
				case "dispatchAfterComplete" -> {
					asyncContext.complete();
					text(response, "in dispatch: " + outcome(() -> {
						asyncContext.dispatch();
						return null;
					}));
				}
				case "dispatchAfterCompleteElsewhere" -> {
					text(response, "answered");
					asyncContext.start(() -> {
						asyncContext.complete();
						outcomes.put(test, outcome(() -> {
							asyncContext.dispatch();
							return null;
						}));
					});
				}
				case "completeElsewhereDuringDispatch" -> {
					Thread other = new Thread(asyncContext::complete);
					other.start();
					other.join(10_000);
					response.getWriter().write("still written after complete() returned elsewhere: " + !other.isAlive());
				}
				case "timeout" -> {
					asyncContext.addListener(new AsyncListener() {

						@Override
						public void onComplete(AsyncEvent event) {
							outcomes.put(test, "onComplete");
						}

						@Override
						public void onTimeout(AsyncEvent event) {
							// neither completes nor dispatches: the container must answer
						}

						@Override
						public void onError(AsyncEvent event) {
						}

						@Override
						public void onStartAsync(AsyncEvent event) {
						}

					});
					asyncContext.setTimeout(50);
				}
				default -> throw new IllegalArgumentException(test);
			}
		}));
		async.setAsyncSupported(true);
		async.addMapping("/async");
	}

	// --- what the servlets report -------------------------------------------------------------

	interface Call {

		Object call() throws Exception;

	}

	/** "ok", or the simple name of the exception thrown. */
	static String outcome(Call call) {
		try {
			call.call();
			return "ok";
		}
		catch (Exception ex) {
			return ex.getClass().getSimpleName();
		}
	}

	static void text(HttpServletResponse response, String text) throws IOException {
		response.setContentType("text/plain;charset=UTF-8");
		response.getWriter().write(text);
	}

	static String parameters(HttpServletRequest request) {
		StringBuilder sb = new StringBuilder();
		for (String name : Collections.list(request.getParameterNames())) {
			sb.append(name).append('=').append(Arrays.toString(request.getParameterValues(name))).append('\n');
		}
		return sb.toString();
	}

	static String paths(HttpServletRequest request) {
		return "uri=" + request.getRequestURI() + "\ncontextPath=" + request.getContextPath() + "\nservletPath="
				+ request.getServletPath() + "\npathInfo=" + request.getPathInfo() + "\nquery="
				+ request.getQueryString() + "\nurl=" + request.getRequestURL() + "\ntype="
				+ request.getDispatcherType() + "\n" + mapping(request);
	}

	static String mapping(HttpServletRequest request) {
		HttpServletMapping mapping = request.getHttpServletMapping();
		return "mapping=" + mapping.getMappingMatch() + " pattern=" + mapping.getPattern() + " matchValue="
				+ mapping.getMatchValue() + " servletName=" + mapping.getServletName() + " servletPath="
				+ request.getServletPath() + " pathInfo=" + request.getPathInfo();
	}

	static String errorAttributes(HttpServletRequest request) {
		Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		Object type = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION_TYPE);
		return "type=" + request.getDispatcherType() + " status=" + status + " statusClass="
				+ ((status != null) ? status.getClass().getSimpleName() : null) + " message="
				+ request.getAttribute(RequestDispatcher.ERROR_MESSAGE) + " exceptionType="
				+ ((type instanceof Class<?> c) ? c.getSimpleName() : null) + " uri="
				+ request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) + " servlet="
				+ request.getAttribute(RequestDispatcher.ERROR_SERVLET_NAME) + " method="
				+ request.getAttribute(RequestDispatcher.ERROR_METHOD) + " query="
				+ request.getAttribute(RequestDispatcher.ERROR_QUERY_STRING) + " ran=" + request.getAttribute("ran");
	}

	static HttpResponse<String> postForm(String pathAndQuery, String body) throws Exception {
		return server.send(server.request(pathAndQuery)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	static ServletServer.RawResponse raw(String target, String... headerLines) throws IOException {
		StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
		boolean host = false;
		for (String line : headerLines) {
			request.append(line).append("\r\n");
			host |= line.regionMatches(true, 0, "Host:", 0, 5);
		}
		if (!host) {
			request.append("Host: x\r\n");
		}
		return server.raw(request.append("Connection: close\r\n\r\n").toString());
	}

	// --- parameters ---------------------------------------------------------------------------

	@Test
	void queryParametersComeBeforeFormBodyParametersOfTheSameName() throws Exception {
		HttpResponse<String> response = postForm("/app/params?a=1&b=2", "c=3&a=4");
		assertThat(response.body()).isEqualTo("a=[1, 4]\nb=[2]\nc=[3]\n");
	}

	/**
	 * The servlet reads the body first, then asks for parameters: they come from the query alone,
	 * without an error. For PUT, PATCH and DELETE the form body is never parsed, as on Tomcat
	 * (parseBodyMethods=POST); Spring's FormContentFilter parses those bodies itself.
	 */
	@Test
	void parametersLeaveABodyTheApplicationReadAndTheBodiesOfOtherMethodsAlone() throws Exception {
		for (String method : new String[] { "POST", "PUT", "PATCH", "DELETE" }) {
			HttpResponse<String> response = server.send(server.request("/app/params-after-body?q=1")
				.header("Content-Type", "application/x-www-form-urlencoded")
				.method(method, HttpRequest.BodyPublishers.ofString("a=form")));
			assertThat(response.statusCode()).as(method).isEqualTo(200);
			assertThat(response.body()).as(method).isEqualTo("read=6\nq=[1]\n");
		}
	}

	@Test
	void afterParametersConsumedTheFormBodyTheStreamIsAtItsEnd() throws Exception {
		HttpResponse<String> response = postForm("/app/body-after-params", "a=form");
		assertThat(response.body()).isEqualTo("a=form next=-1");
	}

	@Test
	void setCharacterEncodingCountsBeforeTheFirstParameterIsReadAndNotAfter() throws Exception {
		assertThat(postForm("/app/charset-first", "n=%E9").body()).isEqualTo("é");
		// decoded as UTF-8 on first use, where 0xE9 alone is malformed; a later charset changes nothing
		assertThat(postForm("/app/charset-late", "n=%E9").body()).isEqualTo("\uFFFD|\uFFFD");
	}

	/** Lenient like browsers (recent Tomcat 11 releases answer 400 instead): never a 500. */
	@Test
	void malformedEscapesStayLiteralAndInvalidUtf8BecomesAReplacementCharacter() throws Exception {
		ServletServer.RawResponse response = raw("/app/params?a=%zz&b=%E9&c=%&d=%2&e=%C3%A9");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("a=[%zz]\nb=[\uFFFD]\nc=[%]\nd=[%2]\ne=[é]\n");
		HttpResponse<String> form = postForm("/app/params", "a=%zz&b=%E9%E9");
		assertThat(form.statusCode()).isEqualTo(200);
		assertThat(form.body()).isEqualTo("a=[%zz]\nb=[\uFFFD\uFFFD]\n");
	}

	// --- the body -----------------------------------------------------------------------------

	@Test
	void streamAndReaderExcludeEachOther() throws Exception {
		HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("x");
		assertThat(server.send(server.request("/app/stream-then-reader").POST(body)).body())
			.isEqualTo("IllegalStateException");
		assertThat(server.send(server.request("/app/reader-then-stream").POST(body)).body())
			.isEqualTo("IllegalStateException");
	}

	/**
	 * A deliberate difference: without a declared charset (or the context's request encoding) the
	 * reader decodes UTF-8, where the specification says ISO-8859-1; Spring Boot's
	 * CharacterEncodingFilter sets UTF-8 on every request anyway. getCharacterEncoding() stays null.
	 */
	@Test
	void theReaderDecodesUtf8UnlessACharsetIsDeclared() throws Exception {
		assertThat(server.send(server.request("/app/reader")
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("grüß", StandardCharsets.UTF_8))).body()).isEqualTo("null|grüß");
		assertThat(server.send(server.request("/app/reader")
			.header("Content-Type", "text/plain; charset=ISO-8859-1")
			.POST(HttpRequest.BodyPublishers.ofString("grüß", StandardCharsets.ISO_8859_1))).body())
			.isEqualTo("ISO-8859-1|grüß");
	}

	@Test
	void aBodyIsReadOnceAndEndsAtItsContentLength() throws Exception {
		// the next request follows on the same connection: reading past the body must not reach it
		ServletServer.RawResponse response = server.raw("POST /app/read-twice HTTP/1.1\r\nHost: x\r\n"
				+ "Content-Length: 5\r\n\r\nhelloGET /app/params?after=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(response.body()).startsWith("hello|0|-1|true");
		assertThat(response.text()).contains("after=[1]");
	}

	// --- paths --------------------------------------------------------------------------------

	@Test
	void theRequestUriStaysAsSentWhileServletPathAndPathInfoAreDecodedWithoutPathParameters() throws Exception {
		ServletServer.RawResponse response = raw("/app/paths;jsessionid=1/a%20b;foo=bar/c%3Bd/%C3%A9?x=%20");
		assertThat(response.body()).contains("uri=/app/paths;jsessionid=1/a%20b;foo=bar/c%3Bd/%C3%A9\n",
				"contextPath=/app\n", "servletPath=/paths\n", "pathInfo=/a b/c;d/é\n", "query=x=%20\n");
	}

	@Test
	void everyMappingTypeIsReported() throws Exception {
		assertThat(raw("/app/exact").body())
			.isEqualTo("mapping=EXACT pattern=/exact matchValue=exact servletName=exact servletPath=/exact pathInfo=null");
		assertThat(raw("/app/paths/a/b").body())
			.contains("mapping=PATH pattern=/paths/* matchValue=a/b servletName=paths servletPath=/paths pathInfo=/a/b");
		assertThat(raw("/app/paths").body())
			.contains("mapping=PATH pattern=/paths/* matchValue= servletName=paths servletPath=/paths pathInfo=null");
		assertThat(raw("/app/dir/file.ext").body()).isEqualTo(
				"mapping=EXTENSION pattern=*.ext matchValue=dir/file servletName=extension servletPath=/dir/file.ext pathInfo=null");
		assertThat(raw("/app/").body())
			.isEqualTo("mapping=CONTEXT_ROOT pattern= matchValue= servletName=root servletPath= pathInfo=/");
	}

	/** Decoding and normalising still work; these rows of Servlet 6.1 §3.5.2's table are not suspicious. */
	@ParameterizedTest
	@ValueSource(strings = { "/app/paths/foo;/bar;", "/app/paths/foo/bar/;jsessionid=1234", "/app/paths/foo/.bar",
			"/app/paths/foo/..bar", "/app/paths/foo/.../bar", "/app/paths/foo%E2%82%ACbar", "/app/paths/foo%20bar",
			"/app/paths/foo/../bar", "/app/paths/foo//bar", "//app//paths//foo", "/app/paths/foo/./bar/.",
			"/app/paths/b%25r" })
	void ordinaryPathsAreServed(String target) throws Exception {
		assertThat(raw(target).status()).as(target).isEqualTo(200);
	}

	@Test
	void theRequestUrlHasTheHostHeaderAndLeavesOutTheDefaultPort() throws Exception {
		assertThat(raw("/app/paths/u?q=1", "Host: example.com").body()).contains("url=http://example.com/app/paths/u\n");
		assertThat(raw("/app/paths/u", "Host: example.com:80").body()).contains("url=http://example.com/app/paths/u\n");
		assertThat(raw("/app/paths/u", "Host: example.com:8080").body())
			.contains("url=http://example.com:8080/app/paths/u\n");
		assertThat(raw("/app/paths/u", "Host: [::1]:8080").body()).contains("url=http://[::1]:8080/app/paths/u\n");
	}

	// --- dispatching --------------------------------------------------------------------------

	@Test
	void forwardAfterTheResponseWasCommittedIsIllegalState() throws Exception {
		assertThat(raw("/app/forward-committed").body()).isEqualTo("committed IllegalStateException");
	}

	@Test
	void relativeDispatcherPathsResolveAgainstTheCurrentPathAndNeverAboveTheRoot() throws Exception {
		assertThat(raw("/app/relative/a/b").body()).contains("uri=/app/paths/x\n", "servletPath=/paths\n",
				"pathInfo=/x\n", "query=q=1\n", "type=FORWARD\n");
	}

	/** An exception from a servlet, from a filter (which names the servlet it would have reached), and sendError. */
	@Test
	void errorDispatchesCarryEveryErrorAttribute() throws Exception {
		String[][] cases = {
				{ "/app/boom/servlet?x=1", "500", "message=from the servlet exceptionType=IllegalStateException"
						+ " uri=/app/boom/servlet servlet=boom method=GET query=x=1" },
				{ "/app/boom/filter", "500", "message=from a filter exceptionType=IllegalArgumentException"
						+ " uri=/app/boom/filter servlet=boom method=GET query=null" },
				{ "/app/boom/send", "409", "message=conflict here exceptionType=null uri=/app/boom/send servlet=boom"
						+ " method=GET query=null" } };
		for (String[] c : cases) {
			ServletServer.RawResponse response = raw(c[0]);
			assertThat(response.status()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
			assertThat(response.body()).as(c[0])
				.isEqualTo("type=ERROR status=" + c[1] + " statusClass=Integer " + c[2] + " ran=ERROR");
		}
	}

	@Test
	void filtersMappedForOneDispatcherTypeRunOnlyInThatDispatch() throws Exception {
		assertThat(raw("/app/types/direct").body()).isEqualTo("REQUEST ran=null");
		assertThat(raw("/app/types/forward").body()).isEqualTo("FORWARD ran=FORWARD");
		assertThat(raw("/app/types/include").body()).isEqualTo("INCLUDE ran=INCLUDE after include ran=INCLUDE");
		assertThat(raw("/app/types/async").body()).isEqualTo("ASYNC ran=ASYNC");
		assertThat(raw("/app/types/error").body()).contains("type=ERROR status=410", "ran=ERROR");
	}

	// --- async --------------------------------------------------------------------------------

	@Test
	void startAsyncTwiceInOneDispatchIsIllegalState() throws Exception {
		assertThat(raw("/app/async?test=twice").body()).isEqualTo("IllegalStateException");
	}

	@Test
	void dispatchAfterCompleteIsIllegalStateOnEveryThread() throws Exception {
		assertThat(raw("/app/async?test=dispatchAfterComplete").body()).isEqualTo("in dispatch: IllegalStateException");
		assertThat(raw("/app/async?test=dispatchAfterCompleteElsewhere").body()).isEqualTo("answered");
		Await.until("dispatch() after complete() on an application thread",
				() -> outcomes.containsKey("dispatchAfterCompleteElsewhere"));
		assertThat(outcomes.get("dispatchAfterCompleteElsewhere")).isEqualTo("IllegalStateException");
	}

	@Test
	void completeFromAnotherThreadWhileTheDispatchRunsTakesEffectWhenItReturns() throws Exception {
		ServletServer.RawResponse response = raw("/app/async?test=completeElsewhereDuringDispatch");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("still written after complete() returned elsewhere: true");
	}

	@Test
	void aTimeoutNoListenerAnswersEndsInA500ErrorDispatchAndCompletes() throws Exception {
		ServletServer.RawResponse response = raw("/app/async?test=timeout");
		assertThat(response.status()).isEqualTo(500);
		assertThat(response.body()).contains("type=ERROR status=500 statusClass=Integer", "uri=/app/async");
		Await.until("onComplete after the timeout's error page", () -> outcomes.containsKey("timeout"));
	}

	// --- cookies and headers ------------------------------------------------------------------

	/**
	 * RFC 6265 leniently: a bad pair is skipped, never the whole header; {@code $Version} and its
	 * kind are no cookies. A deliberate difference: surrounding quotes are removed from a value
	 * (Tomcat keeps them as part of it).
	 */
	@Test
	void cookiesAreParsedPairByPairAndSetCookieValuesAreChecked() throws Exception {
		ServletServer.RawResponse response = raw("/app/cookies",
				"Cookie: $Version=1; a=\"quoted\"; b@d=x; $Path=/; good=1; c=\"open; d=2");
		assertThat(response.body())
			.isEqualTo("a=quoted|good=1|d=2| space:IllegalArgumentException quote:IllegalArgumentException");
		assertThat(response.header("Set-Cookie")).isEqualTo("quoted=\"v\"");
	}

	@Test
	void headerLookupsIgnoreCaseAndBadDatesAndNumbersThrowWhatTheJavadocSays() throws Exception {
		ServletServer.RawResponse response = raw("/app/headers", "X-Multi: 1", "x-multi: 2",
				"If-Modified-Since: yesterday", "X-Number: twelve");
		assertThat(response.body()).isEqualTo("getHeaders=[1, 2] names=true date=IllegalArgumentException"
				+ " int=NumberFormatException missingDate=-1 missingInt=-1");
	}

	/**
	 * Servlet 6.1 §3.5.2's "suspicious sequences" are refused, even those that decoding and
	 * normalisation would resolve (a proxy in front resolves them differently, or not at all).
	 */
	@ParameterizedTest
	@ValueSource(strings = { "/app/paths/foo/%2e/bar", "/app/paths/foo/.;/bar", "/app/paths/foo/%2e;/bar",
			"/app/paths/foo/%2e%2E/bar", "/app/paths/foo/.%2e/bar", "/app/paths/foo/..;/bar",
			"/app/paths/foo/%2e%2E;/bar", "/app/paths/bar/.;", "/app/paths/bar/..;", "/app/paths/;/foo",
			"/app/paths/foo/;x/../bar", "/app/paths/foo%2Fbar", "/app/paths/foo%5Cbar", "/app/paths/foo\\bar",
			"/app/paths/foo%00bar", "/app/paths/foo%01bar", "/app/paths/foo%0Abar", "/app/paths/foo%7Fbar",
			"/app/paths/foo%E2%82", "/app/paths/foo%E2%82bar", "/app/paths/foo%C3", "/app/paths/foo%XX/bar",
			"/app/paths/foo%/bar", "/app/paths/bar%0", "/../app/paths", "/app/../../app/paths" })
	void suspiciousSequencesAreRefusedWith400(String target) throws Exception {
		assertThat(raw(target).status()).as(target).isEqualTo(400);
	}

	/**
	 * getContextPath() is "not decoded": it is the request URI's own spelling of the context path,
	 * which Spring MVC requires to be a prefix of getRequestURI() (else it fails with a 500).
	 */
	@Test
	void theContextPathIsSpelledAsTheRequestUriSpellsIt() throws Exception {
		String[][] cases = { { "/%61pp/paths/x", "/%61pp" }, { "/app;v=1/paths/x", "/app;v=1" },
				{ "/./app/paths/x", "/./app" }, { "/x/../app/paths/x", "/x/../app" }, { "/app/paths/x", "/app" } };
		for (String[] c : cases) {
			assertThat(raw(c[0]).body()).as(c[0]).contains("uri=" + c[0] + "\n", "contextPath=" + c[1] + "\n",
					"servletPath=/paths\n", "pathInfo=/x\n");
		}
		// a forward keeps the spelling, so the new request URI still starts with the context path
		assertThat(raw("/%61pp/relative/a/b").body()).contains("uri=/%61pp/paths/x\n", "contextPath=/%61pp\n",
				"type=FORWARD\n");
		// leading slashes but one are dropped: "//app" would read as a host in a redirect
		assertThat(raw("//app/paths/x").body()).contains("contextPath=/app\n");
	}

	/** Holds the body back until its filter copies it out, as Spring's ContentCachingResponseWrapper does. */
	static final class BufferingResponse extends HttpServletResponseWrapper {

		final ByteArrayOutputStream body = new ByteArrayOutputStream();

		private PrintWriter writer;

		BufferingResponse(HttpServletResponse response) {
			super(response);
		}

		@Override
		public ServletOutputStream getOutputStream() {
			return new ServletOutputStream() {

				@Override
				public void write(int b) {
					BufferingResponse.this.body.write(b);
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setWriteListener(WriteListener listener) {
				}

			};
		}

		@Override
		public PrintWriter getWriter() {
			if (this.writer == null) {
				this.writer = new PrintWriter(new OutputStreamWriter(this.body, StandardCharsets.UTF_8));
			}
			return this.writer;
		}

		void copyToResponse() throws IOException {
			if (this.writer != null) {
				this.writer.flush();
			}
			byte[] bytes = this.body.toByteArray();
			getResponse().setContentLength(bytes.length);
			getResponse().getOutputStream().write(bytes);
		}

	}

	/** /buffered/* and /wrapped/* go through response wrappers; "/from" forwards to what its query names. */
	static ServletServer forwardingServer() throws Exception {
		return ServletServer.start((settings) -> settings.contextPath("/app").globalErrorPage("/error"), (container) -> {
			ServletContext context = container.getServletContext();
			context.addFilter("buffering", (Filter) (request, response, chain) -> {
				BufferingResponse buffering = new BufferingResponse((HttpServletResponse) response);
				chain.doFilter(request, buffering);
				buffering.copyToResponse();
			}).addMappingForUrlPatterns(null, false, "/buffered/*");
			context.addFilter("wrapping", (Filter) (request, response, chain) -> chain.doFilter(request,
					new HttpServletResponseWrapper((HttpServletResponse) response)))
				.addMappingForUrlPatterns(null, false, "/wrapped/*");
			HttpServlet from = servlet((request, response) -> {
				request.getRequestDispatcher(request.getParameter("to")).forward(request, response);
				response.getWriter().write(" (written after the forward)");
			});
			context.addServlet("from", from).addMapping("/from", "/buffered/from", "/wrapped/from");
			context.addServlet("to", servlet((request, response) -> {
				response.setHeader("X-To", "set by the target");
				text(response, "forwarded body");
			})).addMapping("/to");
			context.addServlet("missing", servlet((request, response) -> response.sendError(404, "no such thing")))
				.addMapping("/missing");
			context.addServlet("error", servlet((request, response) -> text(response, errorAttributes(request))))
				.addMapping("/error");
		});
	}

	@Test
	void aForwardIntoAResponseWrapperThatHoldsTheBodyBackSendsTheBody() throws Exception {
		try (ServletServer forwarding = forwardingServer()) {
			HttpResponse<String> response = forwarding.get("/app/buffered/from?to=/to");
			assertThat(response.statusCode()).isEqualTo(200);
			// what the forwarding servlet writes after the forward is dropped, here as everywhere
			assertThat(response.body()).isEqualTo("forwarded body");
			assertThat(response.headers().firstValue("X-To")).hasValue("set by the target");
			// unwrapped, and through a wrapper that passes everything on, the forward ends the response
			assertThat(forwarding.get("/app/from?to=/to").body()).isEqualTo("forwarded body");
			assertThat(forwarding.get("/app/wrapped/from?to=/to").body()).isEqualTo("forwarded body");
		}
	}

	@Test
	void sendErrorInAForwardedServletReachesTheErrorPage() throws Exception {
		try (ServletServer forwarding = forwardingServer()) {
			for (String from : new String[] { "/app/from", "/app/wrapped/from" }) {
				HttpResponse<String> response = forwarding.get(from + "?to=/missing");
				assertThat(response.statusCode()).as(from).isEqualTo(404);
				assertThat(response.body()).as(from).startsWith("type=ERROR status=404 statusClass=Integer"
						+ " message=no such thing exceptionType=null uri=" + from + " servlet=from method=GET");
			}
		}
	}

	/** As on Tomcat: a filter whose mappings match twice (two patterns, a pattern and the servlet's name) runs once. */
	@Test
	void aFilterMappedSeveralWaysRunsOncePerDispatch() throws Exception {
		try (ServletServer counting = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			FilterRegistration.Dynamic filter = context.addFilter("counting", (Filter) (request, response, chain) -> {
				Integer count = (Integer) request.getAttribute("count");
				request.setAttribute("count", (count != null) ? count + 1 : 1);
				chain.doFilter(request, response);
			});
			filter.addMappingForUrlPatterns(null, false, "/api/*", "/api/v2/*");
			filter.addMappingForServletNames(null, false, "api");
			context.addServlet("api", servlet((request, response) -> text(response, "count="
					+ request.getAttribute("count")))).addMapping("/api/*");
		})) {
			assertThat(counting.get("/api/v2/x").body()).isEqualTo("count=1");
			assertThat(counting.get("/api/x").body()).isEqualTo("count=1");
		}
	}

	/** The javadoc of getRequest() and getResponse(): IllegalStateException once dispatch() or complete() was called. */
	@Test
	void anAsyncContextLetsGoOfRequestAndResponseOnceDispatchedOrCompleted() throws Exception {
		AtomicReference<AsyncContext> completed = new AtomicReference<>();
		try (ServletServer async = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			ServletRegistration.Dynamic servlet = context.addServlet("async", servlet((request, response) -> {
				if (request.getDispatcherType() == DispatcherType.ASYNC) {
					text(response, "dispatched");
					return;
				}
				AsyncContext asyncContext = request.startAsync();
				String before = outcome(asyncContext::getRequest) + "," + outcome(asyncContext::getResponse);
				if (request.getParameter("complete") != null) {
					completed.set(asyncContext);
					asyncContext.complete();
					return;
				}
				asyncContext.dispatch();
				outcomes.put("afterDispatch", before + " then " + outcome(asyncContext::getRequest) + ","
						+ outcome(asyncContext::getResponse));
			}));
			servlet.setAsyncSupported(true);
			servlet.addMapping("/async");
		})) {
			assertThat(async.get("/async").body()).isEqualTo("dispatched");
			assertThat(outcomes.get("afterDispatch")).isEqualTo("ok,ok then IllegalStateException,IllegalStateException");
			assertThat(async.get("/async?complete").statusCode()).isEqualTo(200);
			// the cycle ends on the worker once the dispatch returns, a moment after the response
			Await.until("getRequest() and getResponse() refuse after the cycle completed",
					() -> outcome(completed.get()::getRequest).equals("IllegalStateException")
							&& outcome(completed.get()::getResponse).equals("IllegalStateException"));
		}
	}

	/**
	 * dispatch(path) merges the parameters of its query ahead of the request's own, as a forward does,
	 * and the target sees the request as the client sent it in the jakarta.servlet.async.* attributes
	 * (§9.7.1, §9.7.2); dispatch() adds no parameter twice.
	 */
	@Test
	void anAsyncDispatchToAPathWithAQueryMergesItsParametersAndSetsTheAsyncAttributes() throws Exception {
		try (ServletServer async = ServletServer.start((settings) -> settings.contextPath("/app"), (container) -> {
			ServletContext context = container.getServletContext();
			ServletRegistration.Dynamic start = context.addServlet("start", servlet((request, response) -> {
				if (request.getDispatcherType() == DispatcherType.ASYNC) {
					text(response, parameters(request) + "query=" + request.getQueryString());
					return;
				}
				AsyncContext asyncContext = request.startAsync();
				if (request.getPathInfo().equals("/again")) {
					asyncContext.dispatch();
				}
				else {
					asyncContext.dispatch("/target?b=2&a=3");
				}
			}));
			start.setAsyncSupported(true);
			start.addMapping("/start/*");
			context.addServlet("target", servlet((request, response) -> {
				HttpServletMapping mapping = (HttpServletMapping) request.getAttribute(AsyncContext.ASYNC_MAPPING);
				text(response, parameters(request) + "query=" + request.getQueryString() + "\nuri="
						+ request.getAttribute(AsyncContext.ASYNC_REQUEST_URI) + " contextPath="
						+ request.getAttribute(AsyncContext.ASYNC_CONTEXT_PATH) + " servletPath="
						+ request.getAttribute(AsyncContext.ASYNC_SERVLET_PATH) + " pathInfo="
						+ request.getAttribute(AsyncContext.ASYNC_PATH_INFO) + " query="
						+ request.getAttribute(AsyncContext.ASYNC_QUERY_STRING) + " mapping="
						+ ((mapping != null) ? mapping.getPattern() : null));
			})).addMapping("/target");
		})) {
			assertThat(async.get("/app/start/x?a=1").body()).isEqualTo("b=[2]\na=[3, 1]\nquery=b=2&a=3\n"
					+ "uri=/app/start/x contextPath=/app servletPath=/start pathInfo=/x query=a=1 mapping=/start/*");
			assertThat(async.get("/app/start/again?a=1").body()).isEqualTo("a=[1]\nquery=a=1");
		}
	}

	/**
	 * A dispatch to a path with a query leaves a form body alone until someone asks for a
	 * parameter, so a target that reads the body itself gets all of it (§3.1.1); a forward
	 * without a query leaves it alone too, as does an async dispatch with one.
	 */
	@Test
	void aDispatchWithAQueryLeavesAFormBodyForATargetThatReadsIt() throws Exception {
		String body = "a=form&x=body";
		assertThat(List.of(postForm("/app/dq/forward-stream?q=0", body).body(),
				postForm("/app/dq/forward-stream-no-query?q=0", body).body(),
				postForm("/app/dq/async-stream?q=0", body).body()))
			.containsExactly("body=" + body, "body=" + body, "body=" + body);
	}

	/**
	 * The parameters of nested forward queries come first, innermost first, then the request's
	 * own, merged when the target first asks, so the body is decoded in the charset the target
	 * set (%E9 is é in ISO-8859-1); once the forwards return, the forwarding servlet sees its
	 * own parameters only.
	 */
	@Test
	void forwardQueryParametersAreMergedWhenFirstAskedForAndGoneOnceTheForwardReturns() throws Exception {
		outcomes.remove("afterForward");
		HttpResponse<String> response = postForm("/app/dq/forward-params?q=0", "a=caf%E9&x=body");
		assertThat(response.body()).isEqualTo("y=[2]\nx=[1, body]\nq=[0]\na=[café]\n");
		Await.until("the forwarding servlet went on", () -> outcomes.containsKey("afterForward"));
		assertThat(outcomes.get("afterForward")).isEqualTo("q=[0]\na=[café]\nx=[body]\n");
	}

	/**
	 * An included servlet can read the form body itself even when the include has a query; the
	 * query's parameters are there during that include only, and a body the application read
	 * gives no parameters.
	 */
	@Test
	void anIncludeWithAQueryLeavesTheFormBodyForTheIncludedServletAndItsParametersToTheInclude() throws Exception {
		HttpResponse<String> response = postForm("/app/dq/include?q=0", "a=form");
		assertThat(response.body()).isEqualTo("body=a=form | after: q=[0]\n | x=[2]\nq=[0]\n | after: q=[0]\n");
	}

	/** As Tomcat: no header has a null name, so there are no values (getHeader(null) is null already). */
	@Test
	void getHeadersOfNullIsEmpty() throws Exception {
		try (ServletServer headers = ServletServer.start((container) -> container.getServletContext()
			.addServlet("headers", servlet((request, response) -> text(response, Collections.list(request.getHeaders(null))
					+ " " + request.getHeader(null))))
			.addMapping("/headers"))) {
			assertThat(headers.get("/headers").body()).isEqualTo("[] null");
		}
	}

}
