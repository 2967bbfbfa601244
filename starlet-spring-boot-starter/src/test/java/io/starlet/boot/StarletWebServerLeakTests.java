package io.starlet.boot;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restarting leaves nothing behind: after twenty cycles of {@code stop()}/{@code start()} on one
 * server, and twenty of {@code destroy()} and a new server from the same factory (what a DevTools
 * restart does, with persistent sessions), there are no more {@code starlet-*} threads and no more
 * open file descriptors (listeners, connections, selectors, session store files) than after the
 * first cycle.
 */
@Timeout(120)
class StarletWebServerLeakTests {

	private static final int CYCLES = 20;

	private static final Path FDS = Path.of("/proc/self/fd");

	@TempDir
	File storeDir;

	private StarletServletWebServerFactory factory() {
		StarletServletWebServerFactory factory = new StarletServletWebServerFactory(0);
		factory.setAddress(InetAddress.getLoopbackAddress());
		factory.addServerCustomizers((config) -> config.maxWorkers(3).maxKeepaliveReqs(10));
		factory.getSettings().getSession().setPersistent(true);
		factory.getSettings().getSession().setStoreDir(this.storeDir);
		return factory;
	}

	private static ServletRegistrationBean<HttpServlet> sessionServlet() {
		return new ServletRegistrationBean<>(new HttpServlet() {

			@Override
			protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
				request.getSession().setAttribute("seen", Boolean.TRUE);
				response.getWriter().print("ok");
			}

		}, "/s");
	}

	@Test
	void stopAndStartTwentyTimesLeaksNothing() throws Exception {
		WebServer server = factory().getWebServer(sessionServlet());
		try {
			server.start();
			request(server);
			server.stop();
			Set<Thread> baselineThreads = starletThreads();
			long baselineFds = openFds();
			for (int i = 0; i < CYCLES; i++) {
				server.start();
				request(server);
				request(server);
				server.stop();
			}
			assertNoLeak(baselineThreads, baselineFds);
		}
		finally {
			server.destroy();
		}
	}

	@Test
	void destroyAndANewServerTwentyTimesLeaksNothing() throws Exception {
		StarletServletWebServerFactory factory = factory();
		WebServer first = factory.getWebServer(sessionServlet());
		first.start();
		request(first);
		first.destroy();
		Set<Thread> baselineThreads = starletThreads();
		long baselineFds = openFds();
		for (int i = 0; i < CYCLES; i++) {
			WebServer server = factory.getWebServer(sessionServlet());
			server.start();
			request(server);
			server.destroy();
		}
		assertThat(this.storeDir.list()).containsExactly(StarletServletWebServerFactory.SESSION_STORE_FILE);
		assertNoLeak(baselineThreads, baselineFds);
	}

	/**
	 * Every {@code starlet-*} thread alive now was alive at the baseline. Other test classes' Spring
	 * contexts stay cached with their servers running, so threads are told apart by identity: theirs
	 * may end meanwhile, ours must not outlive the cycles.
	 */
	private static void assertNoLeak(Set<Thread> baselineThreads, long baselineFds) throws InterruptedException {
		Set<Thread> leaked = starletThreads();
		leaked.removeAll(baselineThreads);
		for (Thread thread : leaked) {
			// A thread on its way out is not a leak; one still alive after this is.
			thread.join(10_000);
		}
		leaked.removeIf((thread) -> !thread.isAlive());
		assertThat(names(leaked)).as("starlet threads started by the cycles and still alive").isEmpty();
		if (Files.isDirectory(FDS)) {
			assertThat(openFds()).isLessThanOrEqualTo(baselineFds);
		}
	}

	/** One request on its own connection, closed by the server ({@code Connection: close}). */
	private static void request(WebServer server) throws IOException {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getPort())) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write("GET /s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
			assertThat(response).startsWith("HTTP/1.1 200").endsWith("ok");
		}
	}

	private static Set<Thread> starletThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("starlet-"))
			.collect(Collectors.toSet());
	}

	private static List<String> names(Set<Thread> threads) {
		return threads.stream().map(Thread::getName).sorted().toList();
	}

	private static long openFds() {
		if (!Files.isDirectory(FDS)) {
			return -1;
		}
		try (Stream<Path> fds = Files.list(FDS)) {
			return fds.count();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
