package io.starlet.servlet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.StarletConfig;
import io.starlet.testing.Await;
import io.starlet.testing.RawClient;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response side held against the Servlet 6.1 javadoc and RFC 9110/9112, case by case, over
 * real sockets: HEAD, declared lengths that the body misses, bodyless statuses, what is refused
 * after commit, writer and encoding rules, error pages, a client that goes away, trailers,
 * compression, and the fields the engine adds. Where a response is followed by a second request
 * on the same connection, that second response arriving intact is the proof that no byte of the
 * first leaked past its framing.
 */
@Timeout(60)
class ResponseConformanceTest {

	static ServletServer server;

	/** Lets {@code /flushThenWait} finish: one permit per request, given once its head has come. */
	static final Semaphore flushedAndWaiting = new Semaphore(0);

	/** What {@code /excess/streamed} saw when it wrote past its declared length, if anything. */
	static final AtomicReference<Throwable> excessFailure = new AtomicReference<>();

	interface Body {

		void write(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;

	}

	static void add(ServletContext context, String path, Body body) {
		context.addServlet(path, new HttpServlet() {
			@Override
			protected void service(HttpServletRequest request, HttpServletResponse response)
					throws IOException, ServletException {
				body.write(request, response);
			}
		}).addMapping(path);
	}

	static byte[] bytes(int size, char c) {
		byte[] bytes = new byte[size];
		Arrays.fill(bytes, (byte) c);
		return bytes;
	}

	/** What each call threw, as "name:Exception" pairs, or "name:ok". */
	interface Call {

		void run() throws Exception;

	}

	static String attempt(String name, Call call) {
		try {
			call.run();
			return name + ":ok";
		}
		catch (Exception ex) {
			return name + ":" + ex.getClass().getSimpleName();
		}
	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((settings) -> settings.localeCharset(Locale.JAPANESE, Charset.forName("Shift_JIS")),
				(container) -> {
					ServletContext context = container.getServletContext();
					add(context, "/large", (request, response) -> {
						response.setContentType("text/plain");
						ServletOutputStream out = response.getOutputStream();
						for (int i = 0; i < 10; i++) {
							out.write(bytes(10_000, (char) ('a' + i)));
						}
					});
					add(context, "/small", (request, response) -> {
						response.setContentType("text/plain");
						response.getWriter().write("small body");
					});
					add(context, "/writerFlush", (request, response) -> {
						response.setContentType("text/plain");
						response.getWriter().write("flushed");
						response.getWriter().flush();
						response.getWriter().write(" and more");
					});
					add(context, "/excess/buffered", (request, response) -> {
						response.setContentLength(5);
						response.getOutputStream().write("hello world".getBytes(StandardCharsets.US_ASCII));
					});
					add(context, "/excess/writer", (request, response) -> {
						response.setContentType("text/plain");
						response.setContentLength(5);
						response.getWriter().write("hello world");
					});
					add(context, "/excess/streamed", (request, response) -> {
						response.setContentLength(10_000);
						ServletOutputStream out = response.getOutputStream();
						out.write(bytes(9_000, 'a'));
						try {
							out.write(bytes(2_000, 'b'));
						}
						catch (IOException ex) {
							excessFailure.set(ex);
						}
					});
					add(context, "/short/buffered", (request, response) -> {
						response.setContentLength(100);
						response.getOutputStream().write(bytes(10, 's'));
					});
					add(context, "/short/streamed", (request, response) -> {
						response.setContentLength(20_000);
						response.getOutputStream().write(bytes(10_000, 's'));
					});
					add(context, "/lengthAfterCommit", (request, response) -> {
						response.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
						response.flushBuffer();
						response.setContentLength(3);
						response.getOutputStream().write("def".getBytes(StandardCharsets.US_ASCII));
					});
					add(context, "/lengthCleared", (request, response) -> {
						response.setContentLength(5);
						response.setContentLengthLong(-1);
						response.getOutputStream().write("hello world".getBytes(StandardCharsets.US_ASCII));
					});
					add(context, "/status", (request, response) -> {
						response.setStatus(Integer.parseInt(request.getParameter("code")));
						response.setContentType("text/plain");
						response.setLocale(Locale.FRENCH);
						response.getOutputStream().write(bytes(Integer.parseInt(request.getParameter("size")), 'z'));
					});
					add(context, "/flushThenWait", (request, response) -> {
						response.setStatus(Integer.parseInt(request.getParameter("code")));
						response.setContentType("text/plain");
						response.setHeader("X-Flushed", "yes");
						if (request.getParameter("length") != null) {
							response.setContentLength(Integer.parseInt(request.getParameter("length")));
						}
						if (request.getParameter("how").equals("flushBuffer")) {
							response.flushBuffer();
						}
						else {
							response.getOutputStream().flush();
						}
						try {
							if (!flushedAndWaiting.tryAcquire(Await.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
								throw new IllegalStateException("the test never saw the head");
							}
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
							throw new IOException(ex);
						}
						response.getOutputStream().write("late body".getBytes(StandardCharsets.US_ASCII));
					});
					add(context, "/statusAfterCommit", (request, response) -> {
						response.getWriter().write("committed");
						response.flushBuffer();
						response.setStatus(500);
						response.setHeader("X-Late", "yes");
					});
					add(context, "/afterCommit", (request, response) -> {
						response.setContentType("text/plain");
						response.getWriter().write("committed;");
						response.flushBuffer();
						List<String> results = new ArrayList<>();
						results.add(attempt("sendError", () -> response.sendError(500)));
						results.add(attempt("sendRedirect", () -> response.sendRedirect("/elsewhere")));
						results.add(attempt("reset", response::reset));
						results.add(attempt("resetBuffer", response::resetBuffer));
						results.add(attempt("setBufferSize", () -> response.setBufferSize(100_000)));
						response.getWriter().write(String.join(",", results));
					});
					add(context, "/bufferSizeAfterWrite", (request, response) -> {
						response.getOutputStream().write('x');
						response.setHeader("X-Result", attempt("setBufferSize", () -> response.setBufferSize(100_000)));
					});
					add(context, "/resetKeepsSession", (request, response) -> {
						request.getSession();
						response.addCookie(new Cookie("other", "gone"));
						response.setHeader("X-Gone", "yes");
						response.setStatus(404);
						response.reset();
						response.getWriter().write("after reset");
					});
					add(context, "/streamThenWriter", (request, response) -> {
						response.getOutputStream();
						response.setHeader("X-Result", attempt("getWriter", response::getWriter));
					});
					add(context, "/writerThenStream", (request, response) -> {
						response.getWriter();
						response.setHeader("X-Result", attempt("getOutputStream", response::getOutputStream));
					});
					add(context, "/charsetFixedByWriter", (request, response) -> {
						response.setContentType("text/html;charset=UTF-8");
						response.getWriter().write("é");
						response.setCharacterEncoding("ISO-8859-1");
						response.setContentType("text/plain;charset=Shift_JIS");
						response.setLocale(Locale.JAPANESE);
						response.setHeader("X-Encoding", response.getCharacterEncoding());
						response.getWriter().write("€");
					});
					add(context, "/charsetCleared", (request, response) -> {
						response.setContentType("text/html;charset=UTF-8");
						response.setCharacterEncoding((String) null);
						response.setHeader("X-Encoding", response.getCharacterEncoding());
						response.getWriter().write("x");
					});
					add(context, "/streamOnly", (request, response) -> {
						response.setContentType("application/octet-stream");
						response.getOutputStream().write(1);
					});
					add(context, "/typeParameters", (request, response) -> {
						response.setContentType(request.getParameter("type"));
						if (request.getParameter("writer") != null) {
							response.getWriter().write("x");
						}
						else {
							response.getOutputStream().write('x');
						}
					});
					add(context, "/localeCharsetOnStream", (request, response) -> {
						response.setContentType("text/plain");
						response.setLocale(Locale.JAPANESE);
						response.getOutputStream().write("日本".getBytes(Charset.forName("Shift_JIS")));
					});
					add(context, "/errorMessage", (request, response) -> response.sendError(400,
							"<script>alert('x')</script> & \"friends\""));
					add(context, "/exception", (request, response) -> {
						throw new IllegalStateException("<b>secret</b> internal detail");
					});
					add(context, "/include/error", (request, response) -> {
						response.setStatus(201);
						response.getWriter().write("before;");
						request.getRequestDispatcher("/inner/error").include(request, response);
						response.getWriter().write("after");
					});
					add(context, "/inner/error", (request, response) -> {
						response.sendError(404, "ignored");
						response.getWriter().write("inner;");
					});
					add(context, "/include/reset", (request, response) -> {
						response.setStatus(201);
						response.setHeader("X-Outer", "kept");
						response.setContentType("text/plain");
						response.getWriter().write("before;");
						request.getRequestDispatcher("/inner/reset").include(request, response);
						response.getWriter().write("after");
					});
					add(context, "/inner/reset", (request, response) -> {
						response.reset();
						response.getWriter().write("inner;");
					});
					add(context, "/forward/error", (request, response) -> request.getRequestDispatcher("/target/error")
						.forward(request, response));
					add(context, "/target/error", (request, response) -> response.sendError(404, "forwarded & gone"));
					context.addServlet("async", new HttpServlet() {
						@Override
						protected void service(HttpServletRequest request, HttpServletResponse response) {
							AsyncContext async = request.startAsync();
							async.start(() -> {
								try {
									((HttpServletResponse) async.getResponse()).sendError(503, "busy <now>");
								}
								catch (IOException ex) {
									throw new IllegalStateException(ex);
								}
								async.complete();
							});
						}
					}).setAsyncSupported(true);
					context.getServletRegistration("async").addMapping("/async/error");
					add(context, "/trailers", (request, response) -> {
						response.setStatus(Integer.parseInt(request.getParameter("code")));
						response.setTrailerFields(() -> Map.of("X-Checksum", "abc"));
						response.getWriter().write("body");
					});
				});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	private static String get(String path) {
		return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
	}

	private static String head(String path) {
		return "HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
	}

	// --- HEAD ---------------------------------------------------------------------------------

	@Test
	void headAnswersWithTheHeadOfGetAndNoBody() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response small = client.send(head("/small")).readHeadResponse();
			assertThat(small.status()).isEqualTo(200);
			assertThat(small.header("Content-Length")).isEqualTo("10");
			assertThat(small.header("Content-Type")).isEqualTo("text/plain;charset=ISO-8859-1");
			// a body longer than the buffer: no length is known, and as on Tomcat no chunked coding
			// is announced for a body that is never sent
			RawClient.Response large = client.send(head("/large")).readHeadResponse();
			assertThat(large.status()).isEqualTo(200);
			assertThat(large.header("Content-Length")).isNull();
			RawClient.Response flushed = client.send(head("/writerFlush")).readHeadResponse();
			assertThat(flushed.status()).isEqualTo(200);
			// nothing of the three bodies came: the next response on the connection is intact
			RawClient.Response next = client.send(get("/small")).read();
			assertThat(next.status()).isEqualTo(200);
			assertThat(next.body()).isEqualTo("small body");
		}
	}

	@Test
	void aFlushSendsTheHeadAtOnceForHeadAndForBodylessStatusesAsForAGet() throws Exception {
		// Each servlet flushes, then waits until this client has read the head: the head must
		// leave at the flush. What it writes afterwards never follows a HEAD, 204 or 304, and the
		// next request on the connection proves that nothing did.
		String[] requests = { "GET /flushThenWait?code=200&how=flushBuffer HTTP/1.1\r\nHost: x\r\n\r\n",
				"HEAD /flushThenWait?code=200&how=flushBuffer HTTP/1.1\r\nHost: x\r\n\r\n",
				"HEAD /flushThenWait?code=200&how=stream HTTP/1.1\r\nHost: x\r\n\r\n",
				"HEAD /flushThenWait?code=200&how=stream&length=9 HTTP/1.1\r\nHost: x\r\n\r\n",
				"HEAD /flushThenWait?code=200&how=stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
				"GET /flushThenWait?code=204&how=flushBuffer HTTP/1.1\r\nHost: x\r\n\r\n",
				"HEAD /flushThenWait?code=204&how=stream HTTP/1.1\r\nHost: x\r\n\r\n",
				"GET /flushThenWait?code=304&how=stream HTTP/1.1\r\nHost: x\r\n\r\n",
				"HEAD /flushThenWait?code=304&how=flushBuffer HTTP/1.1\r\nHost: x\r\n\r\n" };
		try (RawClient client = new RawClient(server.port())) {
			for (String request : requests) {
				String what = request.substring(0, request.indexOf('\r'));
				RawClient.Response head;
				try {
					head = client.send(request).readHeadResponse();
				}
				finally {
					flushedAndWaiting.release();
				}
				assertThat(head.header("X-Flushed")).as(what).isEqualTo("yes");
				assertThat(what).contains("code=" + head.status());
				if (what.startsWith("GET") && head.status() == 200) {
					assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
					assertThat(client.readUntil("\r\n0\r\n\r\n")).isEqualTo("9\r\nlate body\r\n0\r\n\r\n");
				}
				else if (what.contains("length=9")) {
					assertThat(head.header("Content-Length")).as(what).isEqualTo("9");
				}
				else {
					// no length is known: as with a HEAD of a long body, nothing announces one
					assertThat(head.header("Content-Length")).as(what).isNull();
					assertThat(head.header("Transfer-Encoding")).as(what).isNull();
				}
				if (what.endsWith("HTTP/1.0")) {
					assertThat(head.header("Connection")).as(what).isEqualTo("keep-alive");
				}
				RawClient.Response next = client.send(get("/small")).read();
				assertThat(next.body()).as("after " + what).isEqualTo("small body");
			}
		}
	}

	// --- declared Content-Length --------------------------------------------------------------

	@Test
	void bytesPastADeclaredLengthAreDroppedAndTheLengthIsKept() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response buffered = client.send(get("/excess/buffered")).read();
			assertThat(buffered.header("Content-Length")).isEqualTo("5");
			assertThat(buffered.body()).isEqualTo("hello");
			RawClient.Response writer = client.send(get("/excess/writer")).read();
			assertThat(writer.header("Content-Length")).isEqualTo("5");
			assertThat(writer.body()).isEqualTo("hello");
			RawClient.Response next = client.send(get("/small")).read();
			assertThat(next.body()).isEqualTo("small body");
		}
	}

	@Test
	void aStreamedBodyPastItsDeclaredLengthIsCutThereAndTheConnectionLivesOn() throws Exception {
		excessFailure.set(null);
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/excess/streamed")).read();
			assertThat(response.header("Content-Length")).isEqualTo("10000");
			assertThat(response.body().length()).isEqualTo(10_000);
			assertThat(response.body()).isEqualTo("a".repeat(9_000) + "b".repeat(1_000));
			RawClient.Response next = client.send(get("/small")).read();
			assertThat(next).isNotNull();
			assertThat(next.body()).isEqualTo("small body");
		}
		// the application's excess is its own mistake, not a client that went away
		assertThat(excessFailure.get()).isNull();
	}

	@Test
	void aBufferedBodyShortOfItsDeclaredLengthGoesOutWithItsRealLength() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/short/buffered")).read();
			assertThat(response.header("Content-Length")).isEqualTo("10");
			assertThat(response.body()).isEqualTo("s".repeat(10));
			assertThat(client.send(get("/small")).read().body()).isEqualTo("small body");
		}
	}

	@Test
	void aStreamedBodyShortOfItsDeclaredLengthClosesTheConnection() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/short/streamed")).read();
			assertThat(response.header("Content-Length")).isEqualTo("20000");
			assertThat(response.body()).hasSize(10_000);
			assertThat(client.closedByServer(10_000)).isTrue();
		}
	}

	@Test
	void theLengthCannotChangeAfterCommitAndMinusOneClearsIt() throws Exception {
		ServletServer.RawResponse late = server.raw(get("/lengthAfterCommit").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
		assertThat(late.chunked()).isTrue();
		assertThat(late.body()).isEqualTo("abcdef");
		ServletServer.RawResponse cleared = server.raw(get("/lengthCleared").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
		assertThat(cleared.header("Content-Length")).isEqualTo("11");
		assertThat(cleared.body()).isEqualTo("hello world");
	}

	// --- bodyless statuses --------------------------------------------------------------------

	@Test
	void noContentAndNotModifiedCarryNoBodyAndNoFramingWhateverTheApplicationWrites() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			for (String target : List.of("/status?code=204&size=20000", "/status?code=204&size=10",
					"/status?code=304&size=20000", "/status?code=304&size=10")) {
				RawClient.Response response = client.send(get(target)).read();
				assertThat(response.status()).as(target).isIn(204, 304);
				assertThat(response.header("Content-Length")).as(target).isNull();
				assertThat(response.header("Transfer-Encoding")).as(target).isNull();
				// RFC 9110 §8.6: no Content-Length in a 204, nor a made-up one in a 304, for HEAD either
				RawClient.Response head = client.send(head(target)).readHeadResponse();
				assertThat(head.status()).as(target).isEqualTo(response.status());
				assertThat(head.header("Content-Length")).as("HEAD " + target).isNull();
			}
			RawClient.Response next = client.send(get("/small")).read();
			assertThat(next.body()).isEqualTo("small body");
		}
	}

	@Test
	void resetContentSendsAnEmptyBodyWhateverTheApplicationWrites() throws Exception {
		// RFC 9110 §15.3.6: no content in a 205, and the response says so (Tomcat sends length 0)
		try (RawClient client = new RawClient(server.port())) {
			for (String target : List.of("/status?code=205&size=10", "/status?code=205&size=20000")) {
				RawClient.Response response = client.send(get(target)).read();
				assertThat(response.status()).isEqualTo(205);
				assertThat(response.header("Content-Length")).as(target).isEqualTo("0");
				assertThat(response.header("Transfer-Encoding")).as(target).isNull();
			}
			RawClient.Response next = client.send(get("/small")).read();
			assertThat(next.body()).isEqualTo("small body");
		}
	}

	@Test
	void bodylessStatusesCarryNoContentTypeButHeadOfAGetDoes() throws Exception {
		// RFC 9110 §15.4.5 (a 304 SHOULD NOT send representation metadata beyond its list): no
		// Content-Type where there is no content, though the application set one, as Spring's
		// ResourceHttpRequestHandler and ShallowEtagHeaderFilter do before they answer 304 (Tomcat
		// drops it for 205 and 304, and keeps it on a 204); nor the Content-Language setLocale
		// makes (Tomcat writes that one only with content)
		try (RawClient client = new RawClient(server.port())) {
			for (String target : List.of("/status?code=204&size=0", "/status?code=204&size=20000",
					"/status?code=205&size=10", "/status?code=205&size=20000", "/status?code=304&size=0",
					"/status?code=304&size=20000")) {
				RawClient.Response response = client.send(get(target)).read();
				assertThat(response.status()).as(target).isIn(204, 205, 304);
				assertThat(response.header("Content-Type")).as(target).isNull();
				assertThat(response.header("Content-Language")).as(target).isNull();
				RawClient.Response head = client.send(head(target)).readHeadResponse();
				assertThat(head.status()).as("HEAD " + target).isEqualTo(response.status());
				assertThat(head.header("Content-Type")).as("HEAD " + target).isNull();
				assertThat(head.header("Content-Language")).as("HEAD " + target).isNull();
			}
			for (String target : List.of("/status?code=200&size=10", "/status?code=200&size=20000")) {
				RawClient.Response head = client.send(head(target)).readHeadResponse();
				assertThat(head.header("Content-Type")).as("HEAD " + target).isEqualTo("text/plain");
				assertThat(head.header("Content-Language")).as("HEAD " + target).isEqualTo("fr");
			}
			RawClient.Response next = client.send(get("/small")).read();
			assertThat(next.header("Content-Type")).isEqualTo("text/plain;charset=ISO-8859-1");
			assertThat(next.body()).isEqualTo("small body");
		}
	}

	@Test
	void theStatusAndHeadersCannotChangeAfterCommit() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/statusAfterCommit")).read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("X-Late")).isNull();
			assertThat(response.body()).isEqualTo("committed");
		}
	}

	// --- what is refused after commit and after writing ---------------------------------------

	@Test
	void afterCommitSendErrorRedirectResetAndBufferChangesAreRefused() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/afterCommit")).read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("Location")).isNull();
			assertThat(response.body()).isEqualTo("committed;sendError:IllegalStateException,"
					+ "sendRedirect:IllegalStateException,reset:IllegalStateException,"
					+ "resetBuffer:IllegalStateException,setBufferSize:IllegalStateException");
			assertThat(client.send(get("/small")).read().body()).isEqualTo("small body");
		}
	}

	@Test
	void setBufferSizeAfterContentIsWrittenIsRefused() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/bufferSizeAfterWrite")).read();
			assertThat(response.header("X-Result")).isEqualTo("setBufferSize:IllegalStateException");
		}
	}

	@Test
	void resetClearsStatusHeadersAndCookiesButKeepsTheNewSessionsCookie() throws Exception {
		// Starlet keeps the session's cookie across reset (Tomcat drops it, and the new session is
		// lost to the client); the application's own cookies and headers go, as the javadoc says
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/resetKeepsSession")).read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("X-Gone")).isNull();
			assertThat(response.headers("Set-Cookie")).hasSize(1);
			assertThat(response.header("Set-Cookie")).startsWith("JSESSIONID=");
			assertThat(response.body()).isEqualTo("after reset");
		}
	}

	// --- writer, output stream, content type and encoding -------------------------------------

	@Test
	void theWriterAndTheOutputStreamExcludeEachOther() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			assertThat(client.send(get("/streamThenWriter")).read().header("X-Result"))
				.isEqualTo("getWriter:IllegalStateException");
			assertThat(client.send(get("/writerThenStream")).read().header("X-Result"))
				.isEqualTo("getOutputStream:IllegalStateException");
		}
	}

	@Test
	void onceTheWriterIsTakenItsCharsetStays() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/charsetFixedByWriter")).read();
			assertThat(response.header("Content-Type")).isEqualTo("text/plain;charset=UTF-8");
			assertThat(response.header("X-Encoding")).isEqualTo("UTF-8");
			assertThat(response.header("Content-Language")).isEqualTo("ja");
			assertThat(response.body().getBytes(StandardCharsets.ISO_8859_1))
				.isEqualTo("é€".getBytes(StandardCharsets.UTF_8));
		}
	}

	@Test
	void aNullCharacterEncodingRemovesTheCharsetOfTheContentType() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/charsetCleared")).read();
			assertThat(response.header("X-Encoding")).isEqualTo("ISO-8859-1");
			assertThat(response.header("Content-Type")).isEqualTo("text/html;charset=ISO-8859-1");
		}
	}

	@Test
	void anOutputStreamResponseHasNoCharsetUnlessOneWasSet() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			assertThat(client.send(get("/streamOnly")).read().header("Content-Type")).isEqualTo("application/octet-stream");
		}
	}

	@Test
	void parametersOfTheContentTypeBesidesTheCharsetAreKept() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			assertThat(client.send(get("/typeParameters?type=multipart/x-mixed-replace;%20boundary=frame")).read()
				.header("Content-Type")).isEqualTo("multipart/x-mixed-replace;boundary=frame");
			assertThat(client.send(get("/typeParameters?type=text/plain;%20format=flowed;%20charset=UTF-8&writer"))
				.read()
				.header("Content-Type")).isEqualTo("text/plain;format=flowed;charset=UTF-8");
			assertThat(client.send(get("/typeParameters?type=application/json;%20v=%22a;b%22&writer")).read()
				.header("Content-Type")).isEqualTo("application/json;v=\"a;b\";charset=ISO-8859-1");
		}
	}

	@Test
	void aCharsetFromTheLocaleIsDeclaredForAnOutputStreamToo() throws Exception {
		// ServletResponse.getContentType: a charset set implicitly by setLocale is included
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/localeCharsetOnStream")).read();
			assertThat(response.header("Content-Type")).isEqualTo("text/plain;charset=Shift_JIS");
		}
	}

	// --- errors -------------------------------------------------------------------------------

	@Test
	void theDefaultErrorPageEscapesTheMessageAndNeverShowsAnException() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response error = client.send(get("/errorMessage")).read();
			assertThat(error.status()).isEqualTo(400);
			assertThat(error.body()).doesNotContain("<script>")
				.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;friends&quot;");
			RawClient.Response exception = client.send(get("/exception")).read();
			assertThat(exception.status()).isEqualTo(500);
			assertThat(exception.body()).doesNotContain("secret", "IllegalStateException", "at io.starlet");
		}
	}

	@Test
	void sendErrorAndResetInAnIncludeAreIgnored() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response error = client.send(get("/include/error")).read();
			assertThat(error.status()).isEqualTo(201);
			assertThat(error.body()).isEqualTo("before;inner;after");
			RawClient.Response reset = client.send(get("/include/reset")).read();
			assertThat(reset.status()).isEqualTo(201);
			assertThat(reset.header("X-Outer")).isEqualTo("kept");
			assertThat(reset.header("Content-Type")).isEqualTo("text/plain;charset=ISO-8859-1");
			assertThat(reset.body()).isEqualTo("before;inner;after");
		}
	}

	@Test
	void sendErrorInAForwardedRequestGetsTheErrorPage() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/forward/error")).read();
			assertThat(response.status()).isEqualTo(404);
			assertThat(response.body()).contains("404 Not Found", "forwarded &amp; gone");
		}
	}

	@Test
	void sendErrorDuringAnAsyncCycleGetsTheErrorPage() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response response = client.send(get("/async/error")).read();
			assertThat(response.status()).isEqualTo(503);
			assertThat(response.body()).contains("busy &lt;now&gt;");
			assertThat(client.send(get("/small")).read().body()).isEqualTo("small body");
		}
	}

	// --- a client that goes away --------------------------------------------------------------

	@Test
	void writesToAClientThatWentAwayFailAndTheWorkerIsFree() throws Exception {
		CompletableFuture<Throwable> failure = new CompletableFuture<>();
		try (ServletServer single = ServletServer.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(100),
				(container) -> {
					add(container.getServletContext(), "/endless", (request, response) -> {
						ServletOutputStream out = response.getOutputStream();
						byte[] chunk = bytes(64 * 1024, 'e');
						try {
							// bounded: 64 GiB is far more than any socket buffer takes
							for (int i = 0; i < 1_000_000; i++) {
								out.write(chunk);
							}
							failure.complete(null);
						}
						catch (IOException ex) {
							failure.complete(ex);
							throw ex;
						}
					});
					add(container.getServletContext(), "/small", (request, response) -> response.getWriter().write("ok"));
				})) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", single.port()), 2000);
				socket.setSoTimeout(10_000);
				OutputStream out = socket.getOutputStream();
				out.write(get("/endless").getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
				InputStream in = socket.getInputStream();
				assertThat(in.readNBytes(12)).isEqualTo("HTTP/1.1 200".getBytes(StandardCharsets.ISO_8859_1));
				// a reset, so the server's next write fails at once
				socket.setSoLinger(true, 0);
			}
			Throwable thrown = failure.get(Await.PATIENCE.toSeconds(), TimeUnit.SECONDS);
			assertThat(thrown).isInstanceOf(IOException.class);
			// the only worker serves the next client
			try (RawClient client = new RawClient(single.port())) {
				assertThat(client.send(get("/small")).read().body()).isEqualTo("ok");
			}
		}
	}

	// --- trailers -----------------------------------------------------------------------------

	@Test
	void trailersNeverFollowAResponseWithoutABody() throws Exception {
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response noContent = client.send(get("/trailers?code=204")).read();
			assertThat(noContent.status()).isEqualTo(204);
			assertThat(noContent.header("Transfer-Encoding")).isNull();
			RawClient.Response head = client.send(head("/trailers?code=200")).readHeadResponse();
			assertThat(head.status()).isEqualTo(200);
			// read to the end of the trailer section, which RawClient's chunked reading does not know
			String chunked = client.send(get("/trailers?code=200")).readUntil("\r\n0\r\nX-Checksum: abc\r\n\r\n");
			assertThat(chunked).startsWith("HTTP/1.1 200 ").contains("Transfer-Encoding: chunked\r\n", "\r\n\r\n4\r\nbody\r\n");
			assertThat(client.send(get("/small")).read().body()).isEqualTo("small body");
		}
	}

	// --- engine fields ------------------------------------------------------------------------

	@Test
	void everyResponseIsDatedAndHttp10WithoutKeepAliveIsClosed() throws Exception {
		ServletServer.RawResponse http10 = server.raw("GET /small HTTP/1.0\r\n\r\n");
		assertThat(http10.header("Date")).endsWith(" GMT");
		assertThat(http10.header("Connection")).isEqualTo("close");
		assertThat(http10.body()).isEqualTo("small body");
		try (RawClient client = new RawClient(server.port())) {
			RawClient.Response kept = client.send("GET /small HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
			assertThat(kept.header("Connection")).isEqualTo("keep-alive");
			assertThat(kept.header("Content-Length")).isEqualTo("10");
			assertThat(client.send("GET /small HTTP/1.0\r\n\r\n").read().body()).isEqualTo("small body");
			assertThat(client.closedByServer(10_000)).isTrue();
		}
	}

	// --- compression --------------------------------------------------------------------------

	static final String TEXT = "Starlet compresses text. ".repeat(100);

	static ServletServer compressing() throws Exception {
		return ServletServer.start((settings) -> settings.compression(true, List.of("text/plain"), 0, List.of()),
				(container) -> {
					ServletContext context = container.getServletContext();
					add(context, "/text", (request, response) -> {
						if (request.getParameter("code") != null) {
							response.setStatus(Integer.parseInt(request.getParameter("code")));
						}
						for (String vary : request.getParameterValues("vary") != null ? request.getParameterValues("vary")
								: new String[0]) {
							response.addHeader("Vary", vary);
						}
						if (request.getParameter("range") != null) {
							response.setHeader("Content-Range", "bytes 0-9/100");
						}
						if (request.getParameter("encoding") != null) {
							response.setHeader("Content-Encoding", request.getParameter("encoding"));
						}
						if (request.getParameter("etag") != null) {
							response.setHeader("ETag", "\"" + request.getParameter("etag") + "\"");
						}
						response.setContentType("text/plain");
						response.getOutputStream().write(TEXT.getBytes(StandardCharsets.UTF_8));
					});
				});
	}

	static String gunzip(String latin1) throws IOException {
		try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(latin1.getBytes(StandardCharsets.ISO_8859_1)))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static String gzipGet(String path) {
		return "GET " + path + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n";
	}

	private static List<String> varyTokens(RawClient.Response response) {
		List<String> tokens = new ArrayList<>();
		for (String value : response.headers("Vary")) {
			for (String token : value.split(",")) {
				tokens.add(token.trim().toLowerCase(Locale.ROOT));
			}
		}
		return tokens;
	}

	@Test
	void compressionAddsAcceptEncodingToEveryVaryFieldTheApplicationSet() throws Exception {
		try (ServletServer compressing = compressing(); RawClient client = new RawClient(compressing.port())) {
			// what Spring's CORS processing leaves: one Vary field per name
			RawClient.Response response = client
				.send(gzipGet("/text?vary=Origin&vary=Access-Control-Request-Method&vary=Access-Control-Request-Headers"))
				.read();
			assertThat(response.header("Content-Encoding")).isEqualTo("gzip");
			assertThat(varyTokens(response)).containsExactlyInAnyOrder("origin", "access-control-request-method",
					"access-control-request-headers", "accept-encoding");
			assertThat(gunzip(response.body())).isEqualTo(TEXT);
			RawClient.Response already = client.send(gzipGet("/text?vary=Origin&vary=accept-encoding")).read();
			assertThat(varyTokens(already)).containsExactlyInAnyOrder("origin", "accept-encoding");
			RawClient.Response star = client.send(gzipGet("/text?vary=*")).read();
			assertThat(varyTokens(star)).containsExactly("*");
		}
	}

	@Test
	void headOfACompressibleResponseVariesAsGetDoes() throws Exception {
		// HEAD goes out uncompressed (documented), but with the Vary its GET has
		try (ServletServer compressing = compressing(); RawClient client = new RawClient(compressing.port())) {
			RawClient.Response head = client
				.send("HEAD /text HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
				.readHeadResponse();
			assertThat(head.header("Content-Encoding")).isNull();
			assertThat(varyTokens(head)).containsExactly("accept-encoding");
			RawClient.Response next = client.send(gzipGet("/text")).read();
			assertThat(next.header("Content-Encoding")).isEqualTo("gzip");
			assertThat(gunzip(next.body())).isEqualTo(TEXT);
		}
	}

	@Test
	void bodylessRangedAndAlreadyEncodedResponsesAreNotCompressed() throws Exception {
		try (ServletServer compressing = compressing(); RawClient client = new RawClient(compressing.port())) {
			RawClient.Response notModified = client.send(gzipGet("/text?code=304")).read();
			assertThat(notModified.status()).isEqualTo(304);
			assertThat(notModified.header("Content-Encoding")).isNull();
			assertThat(notModified.header("Content-Length")).isNull();
			RawClient.Response noContent = client.send(gzipGet("/text?code=204")).read();
			assertThat(noContent.header("Content-Encoding")).isNull();
			RawClient.Response partial = client.send(gzipGet("/text?code=206&range")).read();
			assertThat(partial.header("Content-Encoding")).isNull();
			assertThat(partial.body()).isEqualTo(TEXT);
			RawClient.Response ranged = client.send(gzipGet("/text?range")).read();
			assertThat(ranged.header("Content-Encoding")).isNull();
			RawClient.Response encoded = client.send(gzipGet("/text?encoding=identity")).read();
			assertThat(encoded.header("Content-Encoding")).isEqualTo("identity");
			assertThat(encoded.body()).isEqualTo(TEXT);
			RawClient.Response etag = client.send(gzipGet("/text?etag=v1")).read();
			assertThat(etag.header("Content-Encoding")).isEqualTo("gzip");
			assertThat(etag.header("ETag")).isEqualTo("W/\"v1\"");
		}
	}

}
