package io.starlet.boot;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.starlet.StarletConfig;

import org.springframework.boot.web.error.ErrorPage;
import org.springframework.boot.web.server.Cookie.SameSite;
import org.springframework.boot.web.server.GracefulShutdownResult;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerException;
import org.springframework.boot.web.server.servlet.CookieSameSiteSupplier;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The servlet web server factory contract, as Spring Boot's own factory test suite states it,
 * checked over real sockets.
 */
@Timeout(120)
class StarletServletWebServerFactoryTests {

	/** How long an effect on another thread may take: far more than a loaded machine needs. */
	private static final Duration PATIENCE = Duration.ofSeconds(20);

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final List<WebServer> servers = new ArrayList<>();

	@AfterEach
	void destroyServers() {
		for (WebServer server : this.servers) {
			server.destroy();
		}
	}

	private StarletServletWebServerFactory factory() {
		StarletServletWebServerFactory factory = new StarletServletWebServerFactory(0);
		factory.setAddress(InetAddress.getLoopbackAddress());
		factory.addServerCustomizers((config) -> config.maxWorkers(4));
		return factory;
	}

	private StarletWebServer server(StarletServletWebServerFactory factory, ServletContextInitializer... initializers) {
		StarletWebServer server = (StarletWebServer) factory.getWebServer(initializers);
		this.servers.add(server);
		return server;
	}

	private StarletWebServer started(StarletServletWebServerFactory factory, ServletContextInitializer... initializers) {
		StarletWebServer server = server(factory, initializers);
		server.start();
		return server;
	}

	// --- lifecycle --------------------------------------------------------------------------

	@Test
	void unboundUntilStarted() throws Exception {
		StarletWebServer server = server(factory(), hello());
		assertThat(server.getPort()).isEqualTo(-1);
		server.start();
		assertThat(server.getPort()).isPositive();
		assertThat(get(server, "/hello").body()).isEqualTo("Hello");
	}

	@Test
	void startTwiceIsHarmless() throws Exception {
		StarletWebServer server = started(factory(), hello());
		int port = server.getPort();
		server.start();
		assertThat(server.getPort()).isEqualTo(port);
		assertThat(get(server, "/hello").statusCode()).isEqualTo(200);
	}

	@Test
	void stopTwiceIsHarmlessAndPortIsMinusOneAfterStop() {
		StarletWebServer server = started(factory(), hello());
		server.stop();
		assertThat(server.getPort()).isEqualTo(-1);
		server.stop();
		assertThat(server.getPort()).isEqualTo(-1);
	}

	@Test
	void restartAfterStopServesAgain() throws Exception {
		AtomicInteger initCalls = new AtomicInteger();
		StarletWebServer server = started(factory(), hello(), (context) -> {
			ServletRegistration.Dynamic registration = context.addServlet("counting", new HttpServlet() {

				@Override
				public void init() {
					initCalls.incrementAndGet();
				}

			});
			registration.addMapping("/counting");
			registration.setLoadOnStartup(1);
		});
		server.stop();
		server.start();
		assertThat(server.getPort()).isPositive();
		assertThat(get(server, "/hello").body()).isEqualTo("Hello");
		assertThat(initCalls).hasValue(1);
	}

	@Test
	void specificPort() throws Exception {
		int port = freePort();
		StarletServletWebServerFactory factory = factory();
		factory.setPort(port);
		StarletWebServer server = started(factory, hello());
		assertThat(server.getPort()).isEqualTo(port);
		assertThat(get(server, "/hello").body()).isEqualTo("Hello");
	}

	@Test
	void portClashIsAPortInUseException() throws Exception {
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			StarletServletWebServerFactory factory = factory();
			factory.setPort(taken.getLocalPort());
			StarletWebServer server = server(factory, hello());
			assertThatExceptionOfType(PortInUseException.class).isThrownBy(server::start)
				.satisfies((ex) -> assertThat(ex.getPort()).isEqualTo(taken.getLocalPort()));
			assertThat(server.getPort()).isEqualTo(-1);
		}
	}

	@Test
	void addressNotOnThisHostFailsToStartButIsNotAPortClash() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setAddress(InetAddress.getByAddress(new byte[] { (byte) 192, 0, 2, 1 }));
		StarletWebServer server = server(factory, hello());
		assertThatExceptionOfType(WebServerException.class).isThrownBy(server::start)
			.isNotInstanceOf(PortInUseException.class);
	}

	@Test
	void negativePortMeansNoListenerAndNoFailure() {
		StarletServletWebServerFactory factory = factory();
		factory.setPort(-1);
		AtomicInteger initCalls = new AtomicInteger();
		StarletWebServer server = server(factory, (context) -> {
			ServletRegistration.Dynamic registration = context.addServlet("eager", new HttpServlet() {

				@Override
				public void init() {
					initCalls.incrementAndGet();
				}

			});
			registration.addMapping("/eager");
			registration.setLoadOnStartup(1);
		});
		server.start();
		assertThat(server.getPort()).isEqualTo(-1);
		assertThat(initCalls).hasValue(1);
		server.stop();
	}

	@Test
	void underServerStarterTheInheritedSocketReplacesTheServerPortListener() {
		StarletServletWebServerFactory factory = factory();
		factory.setPort(8080);
		factory.addServerCustomizers((config) -> config.listen("127.0.0.1:9090"));
		assertThat(factory.createStarletConfig().inheritedChannel()).isFalse();
		factory.setEnvironment((name) -> name.equals("SERVER_STARTER_PORT") ? "127.0.0.1:8080=3" : null);
		StarletConfig config = factory.createStarletConfig();
		assertThat(config.inheritedChannel()).isTrue();
		assertThat(config.listen()).containsExactly(io.starlet.Listen.tcp("127.0.0.1", 9090));
	}

	@Test
	void aNonDaemonThreadKeepsTheJvmAliveWhileRunning() {
		StarletWebServer server = started(factory(), hello());
		assertThat(nonDaemonStarletThreads()).isNotEmpty();
		server.stop();
		await().atMost(PATIENCE).until(() -> nonDaemonStarletThreads().isEmpty());
	}

	private static List<Thread> nonDaemonStarletThreads() {
		return Thread.getAllStackTraces().keySet().stream()
			.filter((thread) -> thread.isAlive() && !thread.isDaemon() && thread.getName().startsWith("starlet-keep-alive"))
			.toList();
	}

	@Test
	void contextDestroyedOnlyOnDestroy() {
		AtomicInteger destroyed = new AtomicInteger();
		StarletWebServer server = started(factory(), hello(), (context) -> context.addListener(new ServletContextListener() {

			@Override
			public void contextDestroyed(ServletContextEvent event) {
				destroyed.incrementAndGet();
			}

		}));
		server.stop();
		assertThat(destroyed).hasValue(0);
		server.destroy();
		assertThat(destroyed).hasValue(1);
		server.destroy();
		assertThat(destroyed).hasValue(1);
	}

	@Test
	void startedLogMessageNamesPortContextPathAndWorkers() {
		StarletServletWebServerFactory factory = factory();
		factory.setContextPath("/app");
		StarletWebServer server = started(factory, hello());
		assertThat(server.startedLogMessage()).isEqualTo(
				"Starlet started on port " + server.getPort() + " (http/1.1) with context path '/app' and 4 workers");
	}

	// --- the servlet context ----------------------------------------------------------------

	@Test
	void contextPath() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setContextPath("/app");
		StarletWebServer server = started(factory, hello());
		assertThat(get(server, "/app/hello").body()).isEqualTo("Hello");
		assertThat(get(server, "/hello").statusCode()).isEqualTo(404);
	}

	@Test
	void contextPathIsValidated() {
		assertThatIllegalArgumentException().isThrownBy(() -> factory().setContextPath("app"));
		assertThatIllegalArgumentException().isThrownBy(() -> factory().setContextPath("/app/"));
	}

	@Test
	void servletAndFilter() throws Exception {
		StarletWebServer server = started(factory(), hello(), (context) -> context.addFilter("header", new Filter() {

			@Override
			public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
					throws IOException, ServletException {
				((HttpServletResponse) response).setHeader("X-Filtered", "yes");
				chain.doFilter(request, response);
			}

		}).addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*"));
		HttpResponse<String> response = get(server, "/hello");
		assertThat(response.body()).isEqualTo("Hello");
		assertThat(response.headers().firstValue("X-Filtered")).hasValue("yes");
	}

	@Test
	void loadOnStartupServletsAreInitialisedByStartNotBefore() {
		AtomicInteger initCalls = new AtomicInteger();
		StarletWebServer server = server(factory(), (context) -> {
			ServletRegistration.Dynamic registration = context.addServlet("eager", new HttpServlet() {

				@Override
				public void init() {
					initCalls.incrementAndGet();
				}

			});
			registration.addMapping("/eager");
			registration.setLoadOnStartup(1);
		});
		assertThat(initCalls).hasValue(0);
		server.start();
		assertThat(initCalls).hasValue(1);
	}

	@Test
	void faultyFilterFailsTheServer() {
		assertThatExceptionOfType(WebServerException.class).isThrownBy(() -> started(factory(), hello(),
				(context) -> context.addFilter("faulty", new Filter() {

					@Override
					public void init(FilterConfig config) throws ServletException {
						throw new ServletException("Faulty filter");
					}

					@Override
					public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {
					}

				}).addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*")));
	}

	@Test
	void faultyLoadOnStartupServletFailsStart() {
		StarletWebServer server = server(factory(), (context) -> {
			ServletRegistration.Dynamic registration = context.addServlet("faulty", new HttpServlet() {

				@Override
				public void init() throws ServletException {
					throw new ServletException("Faulty servlet");
				}

			});
			registration.addMapping("/faulty");
			registration.setLoadOnStartup(1);
		});
		assertThatExceptionOfType(WebServerException.class).isThrownBy(server::start);
		assertThat(server.getPort()).isEqualTo(-1);
	}

	@Test
	void webListenersAreRegisteredByClassName() {
		RecordingListener.initialized.set(0);
		StarletServletWebServerFactory factory = factory();
		factory.addWebListeners(RecordingListener.class.getName());
		server(factory, hello());
		assertThat(RecordingListener.initialized).hasValue(1);
	}

	public static class RecordingListener implements ServletContextListener {

		static final AtomicInteger initialized = new AtomicInteger();

		@Override
		public void contextInitialized(ServletContextEvent event) {
			initialized.incrementAndGet();
		}

	}

	@Test
	void partitionedSessionCookie() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().getCookie().setPartitioned(true);
		factory.getSettings().getSession().getCookie().setSecure(true);
		StarletWebServer server = started(factory, (context) -> context.addServlet("session", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) {
				request.getSession(true);
			}

		}).addMapping("/session"));
		assertThat(get(server, "/session").headers().firstValue("Set-Cookie")).hasValueSatisfying(
				(cookie) -> assertThat(cookie).containsIgnoringCase("Partitioned").containsIgnoringCase("Secure"));
	}

	@Test
	void initializersRunInTheOrderBootGivesThemAfterInitParameters() {
		StarletServletWebServerFactory factory = factory();
		factory.setInitParameters(Map.of("greeting", "hi"));
		List<String> order = new ArrayList<>();
		factory.addInitializers((context) -> order.add("settings"));
		server(factory, (context) -> order.add("first:" + context.getInitParameter("greeting")),
				(context) -> order.add("second"));
		assertThat(order).containsExactly("first:hi", "second", "settings");
	}

	@Test
	void errorPageForGetAndPut() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.addErrorPages(new ErrorPage(HttpStatus.INTERNAL_SERVER_ERROR, "/error-page"));
		StarletWebServer server = started(factory, (context) -> {
			context.addServlet("bang", new HttpServlet() {

				@Override
				protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException {
					throw new ServletException("bang");
				}

			}).addMapping("/bang");
			context.addServlet("errorPage", new HttpServlet() {

				@Override
				protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
					response.setContentType("text/plain");
					response.getWriter().print("error page for " + request.getMethod() + " status "
							+ request.getAttribute("jakarta.servlet.error.status_code"));
				}

			}).addMapping("/error-page");
		});
		HttpResponse<String> get = get(server, "/bang");
		assertThat(get.statusCode()).isEqualTo(500);
		assertThat(get.body()).isEqualTo("error page for GET status 500");
		HttpResponse<String> put = this.client.send(request(server, "/bang").PUT(BodyPublishers.ofString("x")).build(),
				BodyHandlers.ofString());
		assertThat(put.statusCode()).isEqualTo(500);
		assertThat(put.body()).isEqualTo("error page for PUT status 500");
	}

	@Test
	void globalErrorPageForAStatus() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.addErrorPages(new ErrorPage("/error-page"));
		StarletWebServer server = started(factory, (context) -> {
			context.addServlet("teapot", new HttpServlet() {

				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
					response.sendError(418);
				}

			}).addMapping("/teapot");
			context.addServlet("errorPage", new HttpServlet() {

				@Override
				protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
					response.getWriter().print("global " + request.getAttribute("jakarta.servlet.error.status_code"));
				}

			}).addMapping("/error-page");
		});
		HttpResponse<String> response = get(server, "/teapot");
		assertThat(response.statusCode()).isEqualTo(418);
		assertThat(response.body()).isEqualTo("global 418");
	}

	@Test
	void serverHeaderIsAbsentByDefault() throws Exception {
		StarletWebServer server = started(factory(), hello());
		assertThat(get(server, "/hello").headers().firstValue("Server")).isEmpty();
	}

	@Test
	void customServerHeader() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setServerHeader("Starlet");
		StarletWebServer server = started(factory, hello());
		assertThat(get(server, "/hello").headers().firstValue("Server")).hasValue("Starlet");
	}

	@Test
	void localeCharsetMappings() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setLocaleCharsetMappings(Map.of(Locale.JAPANESE, StandardCharsets.UTF_16));
		StarletWebServer server = started(factory, (context) -> context.addServlet("locale", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.setContentType("text/plain");
				response.setLocale(Locale.JAPANESE);
				response.getWriter().print(response.getCharacterEncoding());
			}

		}).addMapping("/locale"));
		HttpResponse<String> response = get(server, "/locale");
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type.toLowerCase(Locale.ROOT)).contains("charset=utf-16"));
		assertThat(response.body()).isEqualTo("UTF-16");
	}

	@Test
	void sessionTimeoutAndCookieName() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().setTimeout(Duration.ofMinutes(3));
		factory.getSettings().getSession().getCookie().setName("STARLETSESSION");
		StarletWebServer server = started(factory, (context) -> context.addServlet("session", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.getWriter().print(request.getSession(true).getMaxInactiveInterval());
			}

		}).addMapping("/session"));
		HttpResponse<String> response = get(server, "/session");
		assertThat(response.body()).isEqualTo("180");
		assertThat(response.headers().firstValue("Set-Cookie")).hasValueSatisfying(
				(cookie) -> assertThat(cookie).startsWith("STARLETSESSION="));
	}

	@Test
	void sameSiteSuppliersAndSessionCookieSameSite() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().getCookie().setSameSite(SameSite.STRICT);
		factory.addCookieSameSiteSuppliers(CookieSameSiteSupplier.ofLax().whenHasName("lax"));
		StarletWebServer server = started(factory, (context) -> context.addServlet("cookies", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) {
				request.getSession(true);
				response.addCookie(new Cookie("lax", "1"));
				response.addCookie(new Cookie("plain", "2"));
			}

		}).addMapping("/cookies"));
		List<String> cookies = get(server, "/cookies").headers().allValues("Set-Cookie");
		assertThat(cookies).anySatisfy((cookie) -> assertThat(cookie).startsWith("JSESSIONID=").containsIgnoringCase("SameSite=Strict"));
		assertThat(cookies).anySatisfy((cookie) -> assertThat(cookie).startsWith("lax=").containsIgnoringCase("SameSite=Lax"));
		assertThat(cookies).anySatisfy((cookie) -> assertThat(cookie).startsWith("plain=").doesNotContainIgnoringCase("SameSite"));
	}

	@Test
	void mimeMappings() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getMimeMappings().add("starlet", "application/x-starlet");
		StarletWebServer server = started(factory, (context) -> context.addServlet("mime", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.getWriter().print(request.getServletContext().getMimeType("file.starlet") + " "
						+ request.getServletContext().getMimeType("file.html"));
			}

		}).addMapping("/mime"));
		assertThat(get(server, "/mime").body()).isEqualTo("application/x-starlet text/html");
	}

	@Test
	void documentRootIsServedWithMimeMappings(@TempDir Path root) throws Exception {
		Files.writeString(root.resolve("hello.txt"), "Hello from a file");
		Files.writeString(root.resolve("data.starlet"), "{}");
		StarletServletWebServerFactory factory = factory();
		factory.setDocumentRoot(root.toFile());
		factory.setRegisterDefaultServlet(true);
		factory.getSettings().getMimeMappings().add("starlet", "application/x-starlet");
		StarletWebServer server = started(factory);
		HttpResponse<String> text = get(server, "/hello.txt");
		assertThat(text.statusCode()).isEqualTo(200);
		assertThat(text.body()).isEqualTo("Hello from a file");
		assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/plain"));
		assertThat(get(server, "/data.starlet").headers().firstValue("Content-Type"))
			.hasValue("application/x-starlet");
		assertThat(get(server, "/missing.txt").statusCode()).isEqualTo(404);
	}

	// --- compression ------------------------------------------------------------------------

	@Test
	void compressesLargeTextForClientsThatAcceptGzip() throws Exception {
		StarletWebServer server = started(compressing(), text("text/plain", 4096));
		HttpResponse<byte[]> response = getBytes(server, "/text", "gzip", null);
		assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
		assertThat(new String(gunzip(response.body()), StandardCharsets.UTF_8)).isEqualTo("x".repeat(4096));
		assertThat(response.headers().allValues("Vary").toString()).contains("Accept-Encoding");
	}

	@Test
	void compressesPostResponsesToo() throws Exception {
		StarletWebServer server = started(compressing(), text("text/plain", 4096));
		HttpResponse<byte[]> response = this.client.send(request(server, "/text").header("Accept-Encoding", "gzip")
			.POST(BodyPublishers.ofString("body")).build(), BodyHandlers.ofByteArray());
		assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
		assertThat(new String(gunzip(response.body()), StandardCharsets.UTF_8)).isEqualTo("x".repeat(4096));
	}

	@Test
	void doesNotCompressBelowTheMinimumSize() throws Exception {
		StarletWebServer server = started(compressing(), text("text/plain", 100));
		HttpResponse<byte[]> response = getBytes(server, "/text", "gzip", null);
		assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
		assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("x".repeat(100));
	}

	@Test
	void doesNotCompressOtherMimeTypes() throws Exception {
		StarletWebServer server = started(compressing(), text("image/png", 4096));
		assertThat(getBytes(server, "/text", "gzip", null).headers().firstValue("Content-Encoding")).isEmpty();
	}

	@Test
	void doesNotCompressForExcludedUserAgents() throws Exception {
		StarletServletWebServerFactory factory = compressing();
		factory.getCompression().setExcludedUserAgents(new String[] { ".*OldBrowser.*" });
		StarletWebServer server = started(factory, text("text/plain", 4096));
		assertThat(getBytes(server, "/text", "gzip", "OldBrowser/1.0").headers().firstValue("Content-Encoding"))
			.isEmpty();
		assertThat(getBytes(server, "/text", "gzip", "NewBrowser/2.0").headers().firstValue("Content-Encoding"))
			.hasValue("gzip");
	}

	@Test
	void doesNotCompressForClientsThatDoNotAcceptGzip() throws Exception {
		StarletWebServer server = started(compressing(), text("text/plain", 4096));
		HttpResponse<byte[]> response = getBytes(server, "/text", null, null);
		assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
		assertThat(response.body()).hasSize(4096);
	}

	@Test
	void compressesResponsesWithoutAContentLength() throws Exception {
		StarletWebServer server = started(compressing(), (context) -> context.addServlet("stream", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.setContentType("text/plain");
				for (int i = 0; i < 64; i++) {
					response.getWriter().print("y".repeat(1024));
					response.flushBuffer();
				}
			}

		}).addMapping("/stream"));
		HttpResponse<byte[]> response = getBytes(server, "/stream", "gzip", null);
		assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
		assertThat(new String(gunzip(response.body()), StandardCharsets.UTF_8)).isEqualTo("y".repeat(64 * 1024));
	}

	private StarletServletWebServerFactory compressing() {
		StarletServletWebServerFactory factory = factory();
		org.springframework.boot.web.server.Compression compression = new org.springframework.boot.web.server.Compression();
		compression.setEnabled(true);
		factory.setCompression(compression);
		return factory;
	}

	private static ServletContextInitializer text(String contentType, int length) {
		return (context) -> context.addServlet("text", new HttpServlet() {

			@Override
			protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.setContentType(contentType);
				response.getOutputStream().write("x".repeat(length).getBytes(StandardCharsets.UTF_8));
			}

		}).addMapping("/text");
	}

	private HttpResponse<byte[]> getBytes(WebServer server, String path, String acceptEncoding, String userAgent)
			throws Exception {
		HttpRequest.Builder request = request(server, path).GET();
		if (acceptEncoding != null) {
			request.header("Accept-Encoding", acceptEncoding);
		}
		if (userAgent != null) {
			request.header("User-Agent", userAgent);
		}
		return this.client.send(request.build(), BodyHandlers.ofByteArray());
	}

	private static byte[] gunzip(byte[] body) throws IOException {
		try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
			return in.readAllBytes();
		}
	}

	// --- forwarded headers ------------------------------------------------------------------

	@Test
	void forwardedHeadersFromATrustedProxyAreUsedWhenEnabled() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setUseForwardHeaders(true);
		StarletWebServer server = started(factory, remote());
		HttpResponse<String> response = this.client.send(request(server, "/remote").header("X-Forwarded-For", "203.0.113.9")
			.header("X-Forwarded-Proto", "https").GET().build(), BodyHandlers.ofString());
		assertThat(response.body()).isEqualTo("203.0.113.9 https true");
	}

	@Test
	void forwardedHeadersAreIgnoredByDefault() throws Exception {
		StarletWebServer server = started(factory(), remote());
		HttpResponse<String> response = this.client.send(request(server, "/remote").header("X-Forwarded-For", "203.0.113.9")
			.header("X-Forwarded-Proto", "https").GET().build(), BodyHandlers.ofString());
		assertThat(response.body()).isEqualTo("127.0.0.1 http false");
	}

	@Test
	void forwardedHeadersFromAnUntrustedPeerAreIgnored() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setUseForwardHeaders(true);
		factory.setTrustedProxies((address) -> false);
		StarletWebServer server = started(factory, remote());
		HttpResponse<String> response = this.client.send(request(server, "/remote").header("X-Forwarded-For", "203.0.113.9")
			.GET().build(), BodyHandlers.ofString());
		assertThat(response.body()).startsWith("127.0.0.1 ");
	}

	private static ServletContextInitializer remote() {
		return (context) -> context.addServlet("remote", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.getWriter().print(request.getRemoteAddr() + " " + request.getScheme() + " " + request.isSecure());
			}

		}).addMapping("/remote");
	}

	// --- graceful shutdown ------------------------------------------------------------------

	@Test
	void gracefulShutdownOfAnIdleServerIsIdle() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setShutdown(Shutdown.GRACEFUL);
		StarletWebServer server = started(factory, hello());
		AtomicReference<GracefulShutdownResult> result = new AtomicReference<>();
		server.shutDownGracefully(result::set);
		await().atMost(PATIENCE).until(() -> result.get() != null);
		assertThat(result).hasValue(GracefulShutdownResult.IDLE);
		server.stop();
	}

	@Test
	void immediateShutdownReportsImmediate() {
		StarletServletWebServerFactory factory = factory();
		factory.setShutdown(Shutdown.IMMEDIATE);
		StarletWebServer server = started(factory, hello());
		AtomicReference<GracefulShutdownResult> result = new AtomicReference<>();
		server.shutDownGracefully(result::set);
		assertThat(result).hasValue(GracefulShutdownResult.IMMEDIATE);
	}

	@Test
	void gracefulShutdownLetsTheRequestInFlightFinishFirst() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setShutdown(Shutdown.GRACEFUL);
		Blocking blocking = new Blocking();
		StarletWebServer server = started(factory, blocking);
		int port = server.getPort();
		CompletableFuture<HttpResponse<String>> inFlight = this.client.sendAsync(request(server, "/block").build(),
				BodyHandlers.ofString());
		assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();
		AtomicReference<GracefulShutdownResult> result = new AtomicReference<>();
		server.shutDownGracefully(result::set);
		// The drain has begun once the listener is closed; the request in flight holds it open.
		await().atMost(PATIENCE).until(() -> !listening(port));
		assertThat(result.get()).isNull();
		assertThat(connects(port)).as("accepting new connections while draining").isFalse();
		blocking.release.countDown();
		HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("done");
		assertThat(response.headers().firstValue("Connection")).hasValue("close");
		await().atMost(PATIENCE).until(() -> result.get() != null);
		assertThat(result).hasValue(GracefulShutdownResult.IDLE);
		server.stop();
	}

	@Test
	void gracefulShutdownWaitsForAnAsyncRequestToComplete() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setShutdown(Shutdown.GRACEFUL);
		CountDownLatch started = new CountDownLatch(1);
		AtomicReference<jakarta.servlet.AsyncContext> async = new AtomicReference<>();
		StarletWebServer server = started(factory, (context) -> {
			ServletRegistration.Dynamic registration = context.addServlet("async", new HttpServlet() {

				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) {
					async.set(request.startAsync());
					async.get().setTimeout(30_000);
					started.countDown();
				}

			});
			registration.setAsyncSupported(true);
			registration.addMapping("/async");
		});
		CompletableFuture<HttpResponse<String>> inFlight = this.client.sendAsync(request(server, "/async").build(),
				BodyHandlers.ofString());
		assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
		int port = server.getPort();
		AtomicReference<GracefulShutdownResult> result = new AtomicReference<>();
		server.shutDownGracefully(result::set);
		await().atMost(PATIENCE).until(() -> !listening(port));
		assertThat(result.get()).as("completed while an async request was pending").isNull();
		jakarta.servlet.AsyncContext context = async.get();
		context.getResponse().getWriter().print("async done");
		context.complete();
		HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
		assertThat(response.body()).isEqualTo("async done");
		await().atMost(PATIENCE).until(() -> result.get() != null);
		assertThat(result).hasValue(GracefulShutdownResult.IDLE);
		server.stop();
	}

	@Test
	void stopDuringTheDrainReturnsAndReportsRequestsActive() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setShutdown(Shutdown.GRACEFUL);
		Blocking blocking = new Blocking();
		try {
			StarletWebServer server = started(factory, blocking);
			this.client.sendAsync(request(server, "/block").build(), BodyHandlers.ofString());
			assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();
			AtomicReference<GracefulShutdownResult> result = new AtomicReference<>();
			server.shutDownGracefully(result::set);
			long start = System.nanoTime();
			server.stop();
			// Without waiting for the blocked request, which ends only after the test: the wide
			// margin is for a loaded machine, and below the test's timeout to name the fault.
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
			assertThat(result).hasValue(GracefulShutdownResult.REQUESTS_ACTIVE);
			assertThat(server.getPort()).isEqualTo(-1);
		}
		finally {
			blocking.release.countDown();
		}
	}

	/** A servlet at /block that waits for the test to release it. */
	private static final class Blocking implements ServletContextInitializer {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@Override
		public void onStartup(jakarta.servlet.ServletContext context) {
			context.addServlet("block", new HttpServlet() {

				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
					Blocking.this.entered.countDown();
					try {
						Blocking.this.release.await(30, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						return;
					}
					response.getWriter().print("done");
				}

			}).addMapping("/block");
		}

	}

	// --- helpers ----------------------------------------------------------------------------

	private static ServletContextInitializer hello() {
		return (context) -> context.addServlet("hello", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.setContentType("text/plain");
				response.getWriter().print("Hello");
			}

		}).addMapping("/hello");
	}

	private HttpResponse<String> get(WebServer server, String path) throws Exception {
		return this.client.send(request(server, path).GET().build(), BodyHandlers.ofString());
	}

	private static HttpRequest.Builder request(WebServer server, String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
			.timeout(Duration.ofSeconds(10));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/** Whether a new connection gets an HTTP response (a closed listener refuses or resets it). */
	/** Whether the port still accepts a connection (without sending a request on it). */
	private static boolean listening(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean connects(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("GET /block HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
				.readLine();
			return statusLine != null && statusLine.startsWith("HTTP/1.1 2");
		}
		catch (IOException ex) {
			return false;
		}
	}

}
