package io.starlet.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.starlet.Listen;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.Http2;
import org.springframework.boot.web.server.MimeMappings;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerException;
import org.springframework.boot.web.server.servlet.Session.SessionTrackingMode;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.ApplicationContextException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The settings of {@code ConfigurableServletWebServerFactory} and {@code ServletWebServerSettings}
 * that {@link StarletServletWebServerFactoryTests} does not already cover, one test per setting:
 * each is set on the factory, the server is started and the effect is observed over HTTP as
 * Tomcat's factory shows it, or the setting is rejected with the failure analyzer's message.
 */
@Timeout(120)
class StarletServletWebServerFactoryContractTests {

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

	// --- mime mappings ------------------------------------------------------------------------

	@Test
	void mimeMappingsAreBootsDefaultsAndNothingElse() throws Exception {
		StarletWebServer server = started(factory(), probe());
		Map<String, String> expected = new HashMap<>();
		MimeMappings.DEFAULT.forEach((mapping) -> expected.put(mapping.getExtension(), mapping.getMimeType()));
		assertThat(server.getServletContainer().settings().mimeMappings()).isEqualTo(expected);
		assertThat(get(server, "/probe?mime=x.html").body()).isEqualTo("text/html");
		for (String extension : List.of("yaml", "yml", "jsp", "webmanifest", "map", "md", "properties")) {
			assertThat(get(server, "/probe?mime=x." + extension).body()).as(extension).isEqualTo("null");
		}
	}

	@Test
	void setMimeMappingsReplacesTheTable(@TempDir Path root) throws Exception {
		Files.writeString(root.resolve("test.xxcss"), "test");
		StarletServletWebServerFactory factory = factory();
		factory.setRegisterDefaultServlet(true);
		factory.setDocumentRoot(root.toFile());
		MimeMappings mappings = new MimeMappings();
		mappings.add("xxcss", "text/css");
		factory.setMimeMappings(mappings);
		StarletWebServer server = started(factory, probe());
		assertThat(get(server, "/test.xxcss").headers().firstValue("Content-Type")).hasValue("text/css");
		assertThat(get(server, "/probe?mime=x.html").body()).isEqualTo("null");
		assertThat(server.getServletContainer().settings().mimeMappings()).containsOnly(Map.entry("xxcss", "text/css"));
	}

	@Test
	void addMimeMappingsAddsToBootsDefaults() throws Exception {
		StarletServletWebServerFactory factory = factory();
		MimeMappings added = new MimeMappings();
		added.add("a", "alpha");
		factory.addMimeMappings(added);
		StarletWebServer server = started(factory, probe());
		assertThat(get(server, "/probe?mime=x.a").body()).isEqualTo("alpha");
		assertThat(get(server, "/probe?mime=x.css").body()).isEqualTo("text/css");
		assertThat(server.getServletContainer().settings().mimeMappings()).hasSize(MimeMappings.DEFAULT.getAll().size() + 1);
	}

	// --- ports --------------------------------------------------------------------------------

	@Test
	void portInUseOfAnExtraListenerNamesThatPort() throws Exception {
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			StarletServletWebServerFactory factory = factory();
			factory.setPort(freePort());
			factory.addServerCustomizers((config) -> config.listen(Listen.tcp("127.0.0.1", taken.getLocalPort())));
			StarletWebServer server = server(factory, probe());
			assertThatExceptionOfType(PortInUseException.class).isThrownBy(server::start)
				.satisfies((ex) -> assertThat(ex.getPort()).isEqualTo(taken.getLocalPort()));
			assertThat(server.getPort()).isEqualTo(-1);
		}
	}

	@Test
	void aUnixSocketPathInUseIsNotAPortClash(@TempDir Path directory) throws Exception {
		// a regular file at the path makes bind fail "in use"; Starlet only ever replaces a stale socket
		Path path = directory.resolve("taken.sock");
		Files.writeString(path, "not a socket");
		StarletServletWebServerFactory factory = factory();
		factory.addServerCustomizers((config) -> config.listen(Listen.unix(path)));
		StarletWebServer server = server(factory, probe());
		assertThatExceptionOfType(WebServerException.class).isThrownBy(server::start)
			.isNotInstanceOf(PortInUseException.class)
			.withMessageContaining(path.toString());
	}

	// --- redirects ----------------------------------------------------------------------------

	@Test
	void relativeRedirectsAreSentAbsoluteByDefault() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setContextPath("/app");
		StarletWebServer server = started(factory, redirect());
		HttpResponse<String> response = get(server, "/app/dir/redirect");
		assertThat(response.statusCode()).isEqualTo(302);
		assertThat(response.headers().firstValue("Location"))
			.hasValue("http://127.0.0.1:" + server.getPort() + "/app/dir/target?a=1");
	}

	@Test
	void useRelativeRedirectsSendsTheLocationAsGiven() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setUseRelativeRedirects(true);
		StarletWebServer server = started(factory, redirect());
		assertThat(get(server, "/dir/redirect").headers().firstValue("Location")).hasValue("target?a=1");
	}

	// --- sessions -----------------------------------------------------------------------------

	@Test
	void sessionTrackingModesDefaultToCookieAndUrlAsOnTomcat() throws Exception {
		StarletWebServer server = started(factory(), session());
		HttpResponse<String> response = get(server, "/session");
		String id = sessionId(response, "JSESSIONID");
		assertThat(response.body()).isEqualTo("[COOKIE, URL] [COOKIE, URL] /next;jsessionid=" + id);
	}

	@Test
	void sessionTrackingModesUrlOnly() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().setTrackingModes(EnumSet.of(SessionTrackingMode.URL));
		StarletWebServer server = started(factory, session());
		HttpResponse<String> response = get(server, "/session");
		assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
		assertThat(response.body()).startsWith("[URL] [COOKIE, URL] /next;jsessionid=");
	}

	@Test
	void sessionTrackingModesCookieOnly() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().setTrackingModes(EnumSet.of(SessionTrackingMode.COOKIE));
		StarletWebServer server = started(factory, session());
		HttpResponse<String> response = get(server, "/session");
		assertThat(response.headers().firstValue("Set-Cookie")).isPresent();
		assertThat(response.body()).isEqualTo("[COOKIE] [COOKIE, URL] /next");
	}

	@Test
	void sslSessionTrackingIsRejected() {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().setTrackingModes(EnumSet.of(SessionTrackingMode.SSL));
		assertRejected(factory, "Starlet does not support server.servlet.session.tracking-modes=ssl.",
				"terminate TLS at the proxy");
	}

	@Test
	void sessionCookieSettings() throws Exception {
		StarletServletWebServerFactory factory = factory();
		org.springframework.boot.web.server.Cookie cookie = factory.getSettings().getSession().getCookie();
		cookie.setName("SID");
		cookie.setDomain("example.org");
		cookie.setPath("/custom");
		cookie.setHttpOnly(false);
		cookie.setSecure(true);
		cookie.setMaxAge(Duration.ofMinutes(1));
		StarletWebServer server = started(factory, session());
		String setCookie = get(server, "/session").headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(setCookie).startsWith("SID=")
			.contains("; Domain=example.org", "; Path=/custom", "; Max-Age=60", "; Secure")
			.doesNotContainIgnoringCase("HttpOnly");
	}

	// --- the servlet context ------------------------------------------------------------------

	@Test
	void displayNameIsTheServletContextName() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setDisplayName("my-app");
		StarletWebServer server = started(factory, probe());
		assertThat(get(server, "/probe?contextName").body()).isEqualTo("my-app");
	}

	@Test
	void initParametersAreContextInitParameters() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setInitParameters(Map.of("greeting", "hi"));
		StarletWebServer server = started(factory, probe());
		assertThat(get(server, "/probe?init=greeting").body()).isEqualTo("hi");
	}

	@Test
	void theDefaultServletIsNotRegisteredByDefault(@TempDir Path root) throws Exception {
		Files.writeString(root.resolve("test.txt"), "test");
		StarletServletWebServerFactory factory = factory();
		factory.setDocumentRoot(root.toFile());
		StarletWebServer server = started(factory, probe());
		assertThat(get(server, "/test.txt").statusCode()).isEqualTo(404);
		assertThat(get(server, "/probe?default").body()).isEqualTo("false");
	}

	@Test
	void registerDefaultServletServesTheDocumentRoot(@TempDir Path root) throws Exception {
		Files.writeString(root.resolve("test.txt"), "test");
		StarletServletWebServerFactory factory = factory();
		factory.setDocumentRoot(root.toFile());
		factory.setRegisterDefaultServlet(true);
		StarletWebServer server = started(factory, probe());
		HttpResponse<String> file = get(server, "/test.txt");
		assertThat(file.statusCode()).isEqualTo(200);
		assertThat(file.body()).isEqualTo("test");
		assertThat(get(server, "/probe?default").body()).isEqualTo("true");
	}

	@Test
	void classPathFilesAreNotServedEvenWithTheDefaultServlet() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setRegisterDefaultServlet(true);
		StarletWebServer server = started(factory, probe());
		assertThat(get(server, "/org/springframework/boot/SpringApplication.class").statusCode()).isEqualTo(404);
	}

	@Test
	void theResourceLoadersClassLoaderIsTheApplicationsClassLoader() throws Exception {
		ClassLoader applicationLoader = new java.net.URLClassLoader(new java.net.URL[0], getClass().getClassLoader());
		StarletServletWebServerFactory factory = factory();
		factory.setResourceLoader(new org.springframework.core.io.DefaultResourceLoader(applicationLoader));
		StarletWebServer server = started(factory, (context) -> context.addServlet("loader", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.getWriter().print((request.getServletContext().getClassLoader() == applicationLoader) + " "
						+ (Thread.currentThread().getContextClassLoader() == applicationLoader));
			}

		}).addMapping("/loader"));
		assertThat(get(server, "/loader").body()).isEqualTo("true true");
	}

	// --- rejected settings --------------------------------------------------------------------

	@Test
	void sslIsRejected() {
		StarletServletWebServerFactory factory = factory();
		Ssl ssl = new Ssl();
		ssl.setEnabled(true);
		factory.setSsl(ssl);
		assertRejected(factory, "Starlet does not support server.ssl.enabled=true.", "terminate TLS at the proxy");
	}

	@Test
	void http2IsRejected() {
		StarletServletWebServerFactory factory = factory();
		Http2 http2 = new Http2();
		http2.setEnabled(true);
		factory.setHttp2(http2);
		assertRejected(factory, "Starlet does not support server.http2.enabled=true.", "HTTP/1.1 only");
	}

	@Test
	void aRegisteredJspServletOnTheClassPathIsRejected() {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getJsp().setClassName(JspLikeServlet.class.getName());
		assertRejected(factory, "Starlet does not support server.servlet.jsp.registered=true with "
				+ JspLikeServlet.class.getName() + " on the class path.", "server.servlet.jsp.registered=false");
	}

	@Test
	void aJspServletThatIsNotOnTheClassPathIsIgnoredAsOnTomcat() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getJsp().setClassName("org.apache.jasper.servlet.JspServlet");
		StarletWebServer server = started(factory, probe());
		assertThat(get(server, "/probe?contextName").statusCode()).isEqualTo(200);
	}

	@Test
	void sslBundlesWithoutSslAreIgnoredAsOnTomcat() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.setSslBundles(new org.springframework.boot.ssl.DefaultSslBundleRegistry());
		StarletWebServer server = started(factory, probe());
		assertThat(get(server, "/probe?contextName").statusCode()).isEqualTo(200);
	}

	static class JspLikeServlet extends HttpServlet {

	}

	private static void assertRejected(StarletServletWebServerFactory factory, String description, String action) {
		StarletConfigurationException failure = catchThrowableOfType(StarletConfigurationException.class,
				factory::getWebServer);
		assertThat(failure).as("rejected at startup").isNotNull();
		FailureAnalysis analysis = new StarletConfigurationFailureAnalyzer()
			.analyze(new ApplicationContextException("Unable to start web server", failure));
		assertThat(analysis.getDescription()).isEqualTo(description);
		assertThat(analysis.getAction()).contains(action);
	}

	// --- helpers ------------------------------------------------------------------------------

	private StarletServletWebServerFactory factory() {
		StarletServletWebServerFactory factory = new StarletServletWebServerFactory(0);
		factory.setAddress(InetAddress.getLoopbackAddress());
		factory.addServerCustomizers((config) -> config.maxWorkers(2));
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

	/** Answers questions about the servlet context: {@code ?mime=name}, {@code ?init=name}, ... */
	private static ServletContextInitializer probe() {
		return (context) -> context.addServlet("probe", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				ServletContext servletContext = request.getServletContext();
				String answer;
				if (request.getParameter("mime") != null) {
					answer = String.valueOf(servletContext.getMimeType(request.getParameter("mime")));
				}
				else if (request.getParameter("init") != null) {
					answer = servletContext.getInitParameter(request.getParameter("init"));
				}
				else if (request.getParameter("default") != null) {
					answer = String.valueOf(servletContext.getNamedDispatcher("default") != null);
				}
				else {
					answer = servletContext.getServletContextName();
				}
				response.getWriter().print(answer);
			}

		}).addMapping("/probe");
	}

	private static ServletContextInitializer redirect() {
		return (context) -> context.addServlet("redirect", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				response.sendRedirect("target?a=1");
			}

		}).addMapping("/dir/redirect");
	}

	/** Creates a session and reports the effective and default tracking modes and an encoded URL. */
	private static ServletContextInitializer session() {
		return (context) -> context.addServlet("session", new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				request.getSession(true);
				ServletContext servletContext = request.getServletContext();
				response.getWriter().print(new java.util.TreeSet<>(servletContext.getEffectiveSessionTrackingModes())
						+ " " + new java.util.TreeSet<>(servletContext.getDefaultSessionTrackingModes()) + " "
						+ response.encodeURL("/next"));
			}

		}).addMapping("/session");
	}

	private static String sessionId(HttpResponse<String> response, String cookieName) {
		String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(setCookie).startsWith(cookieName + "=");
		return setCookie.substring(cookieName.length() + 1, setCookie.indexOf(';'));
	}

	private HttpResponse<String> get(WebServer server, String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		return this.client.send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
