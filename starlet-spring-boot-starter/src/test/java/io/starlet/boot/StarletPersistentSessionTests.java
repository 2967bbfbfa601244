package io.starlet.boot;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.system.ApplicationTemp;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code server.servlet.session.persistent} through the factory, as Boot's factory contract tests
 * state it: sessions written when a server is destroyed, joined over HTTP on the next server the
 * factory makes, in {@code server.servlet.session.store-dir} or Boot's default directory.
 */
@Timeout(120)
class StarletPersistentSessionTests {

	/** Keeps the session cookie across servers, as a browser does (cookies do not depend on the port). */
	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.cookieHandler(new CookieManager())
		.build();

	private final List<WebServer> servers = new ArrayList<>();

	@TempDir
	File tempDir;

	@AfterEach
	void destroyServers() {
		for (WebServer server : this.servers) {
			server.destroy();
		}
	}

	private StarletServletWebServerFactory factory() {
		StarletServletWebServerFactory factory = new StarletServletWebServerFactory(0);
		factory.setAddress(InetAddress.getLoopbackAddress());
		factory.addServerCustomizers((config) -> config.maxWorkers(2));
		factory.getSettings().getSession().setPersistent(true);
		return factory;
	}

	private WebServer started(StarletServletWebServerFactory factory) {
		WebServer server = factory.getWebServer(counterServlet());
		this.servers.add(server);
		server.start();
		return server;
	}

	@Test
	void sessionsSurviveDestroyAndTheNextServerFromTheSameFactory() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().setStoreDir(this.tempDir);
		WebServer first = started(factory);
		assertThat(get(first, "/count")).isEqualTo("1");
		assertThat(get(first, "/count")).isEqualTo("2");
		first.destroy();
		File store = new File(this.tempDir, StarletServletWebServerFactory.SESSION_STORE_FILE);
		assertThat(store).isFile();
		WebServer second = started(factory);
		assertThat(store).doesNotExist();
		assertThat(get(second, "/count")).isEqualTo("3");
	}

	@Test
	void stopAloneKeepsTheSessionsInMemoryForTheNextStart() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().setStoreDir(this.tempDir);
		WebServer server = started(factory);
		assertThat(get(server, "/count")).isEqualTo("1");
		server.stop();
		assertThat(this.tempDir.listFiles()).isEmpty();
		server.start();
		assertThat(get(server, "/count")).isEqualTo("2");
	}

	@Test
	void withoutAStoreDirTheSessionsGoToBootsApplicationTempDirectory() throws Exception {
		File store = new File(new ApplicationTemp().getDir("servlet-sessions"),
				StarletServletWebServerFactory.SESSION_STORE_FILE);
		Files.deleteIfExists(store.toPath());
		StarletServletWebServerFactory factory = factory();
		WebServer first = started(factory);
		assertThat(get(first, "/count")).isEqualTo("1");
		first.destroy();
		assertThat(store).isFile();
		WebServer second = started(factory);
		assertThat(store).doesNotExist();
		assertThat(get(second, "/count")).isEqualTo("2");
		second.destroy();
		Files.delete(store.toPath());
	}

	@Test
	void aStoreDirThatDoesNotExistYetIsCreated() throws Exception {
		StarletServletWebServerFactory factory = factory();
		File storeDir = new File(this.tempDir, "sessions/nested");
		factory.getSettings().getSession().setStoreDir(storeDir);
		WebServer server = started(factory);
		assertThat(storeDir).isDirectory();
		get(server, "/count");
		server.destroy();
		assertThat(storeDir.list()).containsExactly(StarletServletWebServerFactory.SESSION_STORE_FILE);
	}

	@Test
	void withoutPersistenceNothingIsWrittenAndSessionsEndWithTheServer() throws Exception {
		StarletServletWebServerFactory factory = factory();
		factory.getSettings().getSession().setPersistent(false);
		factory.getSettings().getSession().setStoreDir(this.tempDir);
		WebServer first = started(factory);
		assertThat(get(first, "/count")).isEqualTo("1");
		first.destroy();
		assertThat(this.tempDir.listFiles()).isEmpty();
		assertThat(get(started(factory), "/count")).isEqualTo("1");
	}

	private String get(WebServer server, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.client.send(request, BodyHandlers.ofString()).body();
	}

	private static ServletContextInitializer counterServlet() {
		return new ServletRegistrationBean<>(new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				HttpSession session = request.getSession();
				Counter counter = (Counter) session.getAttribute("counter");
				if (counter == null) {
					counter = new Counter();
				}
				counter.count++;
				session.setAttribute("counter", counter);
				response.getWriter().print(counter.count);
			}

		}, "/count");
	}

	static class Counter implements Serializable {

		private static final long serialVersionUID = 1L;

		int count;

	}

}
