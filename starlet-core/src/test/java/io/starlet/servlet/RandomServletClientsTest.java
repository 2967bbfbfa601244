package io.starlet.servlet;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.starlet.ServerStats;
import io.starlet.StarletConfig;
import io.starlet.testing.Await;
import io.starlet.testing.RandomTraffic;
import io.starlet.testing.RandomTraffic.Request;
import io.starlet.testing.RawClient;

import static io.starlet.testing.RandomTraffic.ascii;
import static io.starlet.testing.RandomTraffic.body;
import static io.starlet.testing.RandomTraffic.chunked;
import static io.starlet.testing.RandomTraffic.concat;
import static io.starlet.testing.RandomTraffic.digest;
import static io.starlet.testing.RandomTraffic.drop;
import static io.starlet.testing.RandomTraffic.expect;
import static io.starlet.testing.RandomTraffic.expectPattern;
import static io.starlet.testing.RandomTraffic.keepAliveSequence;
import static io.starlet.testing.RandomTraffic.openFiles;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link io.starlet.worker.RandomClientsTest}'s clients against the servlet container: bodies read
 * through {@code getInputStream} and as form parameters, async requests completed or dispatched
 * from a timer (some whose client has gone), text streamed through the writer, a servlet that
 * throws (the error page answers), {@code sendError}, a forward, sessions; and clients that drop
 * their connection in the middle of a body, of a response, or while their request is suspended.
 * Every answer is checked; afterwards the server must be back at rest, with no temporary file
 * open, nothing logged as an error but the servlet's own failure, and never more than
 * {@code max-workers} servlets running at once.
 */
@Timeout(180)
class RandomServletClientsTest {

	private static final int WORKERS = 3;

	private static final int CLIENTS = 10;

	private static final int SCRIPTS = 80;

	private static final String BOOM = "boom (RandomServletClientsTest)";

	@TempDir
	Path tempDir;

	private ServletServer server;

	private final AtomicInteger running = new AtomicInteger();

	private final AtomicInteger mostRunning = new AtomicInteger();

	private final ThreadLocal<Integer> nested = ThreadLocal.withInitial(() -> 0);

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stop() {
		this.timer.shutdownNow();
		if (this.server != null) {
			this.server.close();
		}
	}

	final class App extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response)
				throws ServletException, IOException {
			// a forward or an include comes back here on the same worker: counted once
			boolean outermost = nested.get() == 0;
			nested.set(nested.get() + 1);
			if (outermost) {
				mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
			}
			try {
				serve(request, response);
			}
			finally {
				nested.set(nested.get() - 1);
				if (outermost) {
					running.decrementAndGet();
				}
			}
		}

		private void serve(HttpServletRequest request, HttpServletResponse response)
				throws ServletException, IOException {
			response.setContentType("text/plain;charset=UTF-8");
			switch (request.getServletPath()) {
				case "/echo" -> response.getWriter()
					.write(request.getMethod() + " /echo " + digest(request.getInputStream().readAllBytes()));
				case "/form" -> response.getWriter()
					.write("a=" + request.getParameter("a") + " n=" + request.getParameterMap().size());
				case "/async" -> {
					AsyncContext async = request.startAsync();
					boolean dispatch = request.getParameter("dispatch") != null;
					timer.schedule(() -> {
						try {
							if (dispatch) {
								async.dispatch("/dispatched");
							}
							else {
								async.getResponse().getWriter().write("async");
								async.complete();
							}
						}
						catch (IOException | IllegalStateException ex) {
							// the client went away and the container ended the request: nothing to do
						}
					}, 1 + random(request) % 20, TimeUnit.MILLISECONDS);
				}
				case "/dispatched" -> response.getWriter().write("dispatched");
				case "/write" -> {
					int size = Integer.parseInt(request.getParameter("n"));
					PrintWriter writer = response.getWriter();
					char[] piece = new char[1000];
					for (int written = 0; written < size;) {
						int n = Math.min(piece.length, size - written);
						for (int i = 0; i < n; i++) {
							piece[i] = pattern(written + i);
						}
						writer.write(piece, 0, n);
						written += n;
						if (written % 10_000 == 0) {
							response.flushBuffer();
						}
					}
				}
				case "/fail" -> throw new ServletException(BOOM);
				case "/error" -> response.getWriter().write("error page");
				case "/teapot" -> response.sendError(418);
				case "/forward" -> request.getRequestDispatcher("/hello").forward(request, response);
				case "/session" -> {
					request.getSession().setAttribute("seen", Boolean.TRUE);
					response.getWriter().write("session");
				}
				default -> response.getWriter().write("hello");
			}
		}

	}

	@Test
	void theContainerAnswersEveryClientAndIsBackAtRestAfterwards() throws Exception {
		ListAppender<ILoggingEvent> events = RandomTraffic.captureLogs();
		try {
			this.server = ServletServer.start(StarletConfig.builder()
				.maxWorkers(WORKERS)
				.maxKeepaliveReqs(50)
				.timeout(Duration.ofSeconds(10))
				.keepaliveTimeout(Duration.ofSeconds(60)) // as in RandomClientsTest
				.requestBodyBufferSize(32 * 1024)
				.unsentResponseSize(16 * 1024)
				.unsentResponseFileSize(512 * 1024)
				.bodyTempDir(this.tempDir), (settings) -> settings.errorPage(500, "/error"), (container) -> {
					var app = container.getServletContext().addServlet("app", new App());
					app.setAsyncSupported(true);
					app.addMapping("/echo", "/form", "/async", "/dispatched", "/write", "/fail", "/error", "/teapot",
							"/forward", "/session", "/hello");
				});
			int port = this.server.port();
			RandomTraffic.Outcome run = RandomTraffic.run(CLIENTS, SCRIPTS, Duration.ofSeconds(20),
					(random, what) -> script(port, random, what), () -> this.server.server.stats(),
					(stats) -> stats.unsentResponseBytes() + stats.unsentResponseFileBytes(), ServerStats::suspendedRequests);
			assertThat(run.failures()).as("what clients saw go wrong").isEmpty();
			assertThat(run.most()).as("most held at once: response bytes (memory and file), suspended requests")
				.doesNotContain(0L);
			RandomTraffic.awaitRest(() -> this.server.server.stats());
			Await.until("every temporary file closed", () -> openFiles(this.tempDir).isEmpty());
			assertThat(this.server.server.stats().retirements().getOrDefault(ServerStats.RETIRED_ERROR, 0L))
				.as("workers lost to an error").isZero();
			assertThat(this.mostRunning.get()).as("servlets running at once").isLessThanOrEqualTo(WORKERS);
			try (RawClient last = new RawClient(port)) {
				expect(last.send("GET /forward HTTP/1.1\r\nHost: x\r\n\r\n").read(), 200, "hello");
			}
		}
		finally {
			assertThat(RandomTraffic.errors(events, BOOM)).as("errors logged").isEmpty();
		}
	}

	private void script(int port, Random random, String[] what) throws Exception {
		int pick = random.nextInt(100);
		int window = random.nextBoolean() || (pick >= 70 && pick < 80) ? 4096 + random.nextInt(60_000) : 0;
		try (RawClient client = new RawClient(port, window)) {
			if (pick < 60) {
				what[0] = "keep-alive sequence";
				keepAliveSequence(client, random, what, RandomServletClientsTest::request);
			}
			else if (pick < 70) {
				what[0] = "dropped in the body";
				client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
					.send(body(random, random.nextInt(100_000)));
				Await.until("the server read the body so far", () -> RandomTraffic.unread(client) <= 0);
				drop(client, random);
			}
			else if (pick < 80) {
				what[0] = "text dropped after part of it";
				client.send("GET /write?n=8000000 HTTP/1.1\r\nHost: x\r\n\r\n");
				RandomTraffic.awaitHeld(() -> this.server.server.stats());
				client.readSome(random.nextInt(50_000));
				drop(client, random);
			}
			else if (pick < 90) {
				what[0] = "gone while its request is suspended";
				client.send("GET /async" + (random.nextBoolean() ? "?dispatch=1" : "") + " HTTP/1.1\r\nHost: x\r\n\r\n");
				Await.until("the server read the request", () -> RandomTraffic.unread(client) <= 0);
				drop(client, random);
			}
			else if (pick < 95) {
				what[0] = "form trickled";
				byte[] form = ascii("a=" + "x".repeat(1500) + "&b=2&c=3");
				byte[] request = concat("POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
						+ "Content-Length: " + form.length + "\r\n\r\n", form);
				client.sendInPieces(request, new int[] { 30, 200, 1000 }, 5);
				expect(RandomTraffic.readFinal(client), 200, "a=" + "x".repeat(1500) + " n=3");
			}
			else {
				what[0] = "malformed";
				RawClient.Response response = client.send("GET /hello HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n").read();
				assertThat(response).isNotNull();
				assertThat(response.status()).isEqualTo(400);
			}
		}
	}

	private static Request request(Random random) {
		int pick = random.nextInt(100);
		if (pick < 15) {
			byte[] body = body(random, new int[] { 0, 10, 5_000, 50_000, 200_000 }[random.nextInt(5)]);
			boolean asChunks = random.nextBoolean();
			byte[] bytes = asChunks ? chunked(random, "POST", "/echo", body)
					: concat("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n", body);
			return new Request("POST /echo " + body.length + (asChunks ? " chunked" : ""), bytes,
					(r) -> expect(r, 200, "POST /echo " + digest(body)));
		}
		if (pick < 25) {
			String value = Integer.toString(random.nextInt(1_000_000));
			byte[] form = ascii("a=" + value + "&b=%20&c");
			return new Request("POST /form", concat("POST /form HTTP/1.1\r\nHost: x\r\n"
					+ "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length + "\r\n\r\n", form),
					(r) -> expect(r, 200, "a=" + value + " n=3"));
		}
		if (pick < 40) {
			boolean dispatch = random.nextBoolean();
			return new Request("GET /async" + (dispatch ? " dispatched" : ""),
					ascii("GET /async" + (dispatch ? "?dispatch=1" : "") + " HTTP/1.1\r\nHost: x\r\n\r\n"),
					(r) -> expect(r, 200, dispatch ? "dispatched" : "async"));
		}
		if (pick < 55) {
			int size = new int[] { 1, 9_000, 100_000, 1_000_000, 5_000_000 }[random.nextInt(5)];
			return new Request("GET /write?n=" + size, ascii("GET /write?n=" + size + " HTTP/1.1\r\nHost: x\r\n\r\n"),
					(r) -> expectPattern(r, size, RandomServletClientsTest::pattern));
		}
		if (pick < 62) {
			return new Request("GET /fail", ascii("GET /fail HTTP/1.1\r\nHost: x\r\n\r\n"),
					(r) -> expect(r, 500, "error page"));
		}
		if (pick < 69) {
			return new Request("GET /teapot", ascii("GET /teapot HTTP/1.1\r\nHost: x\r\n\r\n"), (r) -> {
				assertThat(r).isNotNull();
				assertThat(r.status()).isEqualTo(418);
			});
		}
		if (pick < 78) {
			return new Request("GET /forward", ascii("GET /forward HTTP/1.1\r\nHost: x\r\n\r\n"),
					(r) -> expect(r, 200, "hello"));
		}
		if (pick < 88) {
			return new Request("GET /session", ascii("GET /session HTTP/1.1\r\nHost: x\r\n\r\n"),
					(r) -> expect(r, 200, "session"));
		}
		return new Request("GET /hello", ascii("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), (r) -> expect(r, 200, "hello"));
	}

	private static char pattern(int i) {
		return (char) ('a' + i % 26);
	}

	/** A number that differs from request to request, for the timer's delay. */
	private static int random(HttpServletRequest request) {
		return Math.floorMod(System.identityHashCode(request), 1000);
	}

}
