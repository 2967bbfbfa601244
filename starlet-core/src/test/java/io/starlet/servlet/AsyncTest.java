package io.starlet.servlet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Async: complete and dispatch from other threads, timeouts, listeners, streaming while async. */
@Timeout(60)
class AsyncTest {

	static ServletServer server;

	static final List<String> events = Collections.synchronizedList(new ArrayList<>());

	static final CountDownLatch firstEventRead = new CountDownLatch(1);

	static class Recorder implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			events.add("complete");
		}

		@Override
		public void onTimeout(AsyncEvent event) throws IOException {
			events.add("timeout");
			if ("answer".equals(event.getSuppliedRequest().getParameter("onTimeout"))) {
				event.getSuppliedResponse().getWriter().write("timed out, answered by listener");
				event.getAsyncContext().complete();
			}
		}

		@Override
		public void onError(AsyncEvent event) {
			events.add("error");
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			events.add("startAsync");
		}

	}

	static class AsyncServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			String mode = request.getPathInfo();
			if (request.getDispatcherType() == DispatcherType.ASYNC) {
				response.getWriter().write("dispatched: " + request.getAttribute("result") + " type="
						+ request.getDispatcherType() + " uri=" + request.getRequestURI()
						+ ((request.getAttribute("startedAfterDispatch") != null)
								? " startedAfterDispatch=" + request.getAttribute("startedAfterDispatch") : ""));
				return;
			}
			AsyncContext async = request.startAsync();
			async.addListener(new Recorder());
			// The application thread acts once this dispatch has returned, the usual order (the
			// immediate case below tests the other one).
			CountDownLatch returned = new CountDownLatch(1);
			try {
				begin(mode, request, response, async, returned);
			}
			finally {
				returned.countDown();
			}
		}

		private void begin(String mode, HttpServletRequest request, HttpServletResponse response, AsyncContext async,
				CountDownLatch returned) {
			switch (mode) {
				case "/complete" -> new Thread(() -> {
					awaitReturn(returned);
					try {
						async.getResponse().getWriter().write("completed by " + Thread.currentThread().getName());
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
					async.complete();
				}, "app-thread").start();
				case "/dispatch" -> new Thread(() -> {
					awaitReturn(returned);
					async.getRequest().setAttribute("result", 42);
					async.dispatch();
				}).start();
				case "/dispatchPath" -> async.start(() -> {
					async.getRequest().setAttribute("result", "via start");
					async.dispatch("/other");
				});
				case "/immediate" -> {
					// dispatch before this dispatch returns: the request stays in async mode until it does
					request.setAttribute("result", "now");
					async.dispatch();
					request.setAttribute("startedAfterDispatch", request.isAsyncStarted());
				}
				case "/timeout" -> async.setTimeout(200);
				case "/stream" -> {
					response.setContentType("text/event-stream");
					new Thread(() -> {
						try {
							var writer = async.getResponse().getWriter();
							writer.write("data: one\n\n");
							writer.flush();
							boolean read = firstEventRead.await(20, TimeUnit.SECONDS);
							writer.write("data: two (first read: " + read + ")\n\n");
							writer.flush();
						}
						catch (IOException | InterruptedException ex) {
							events.add("stream failed " + ex);
						}
						async.complete();
					}).start();
				}
				default -> async.complete();
			}
		}

		private static void awaitReturn(CountDownLatch returned) {
			try {
				returned.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	static class OtherServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.getWriter().write("other: " + request.getAttribute("result") + " " + request.getDispatcherType());
		}

	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			var async = context.addServlet("async", new AsyncServlet());
			async.setAsyncSupported(true);
			async.addMapping("/async/*");
			var other = context.addServlet("other", new OtherServlet());
			other.setAsyncSupported(true);
			other.addMapping("/other");
			context.addServlet("notAsync", new AsyncServlet()).addMapping("/sync/*");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void completeFromAnotherThreadFinishesTheResponse() throws Exception {
		events.clear();
		HttpResponse<String> response = server.get("/async/complete");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("completed by app-thread");
		assertThat(response.headers().firstValue("Content-Length")).hasValue("23");
		assertThat(events).containsExactly("complete");
	}

	@Test
	void dispatchRunsTheServletAgainWithDispatcherTypeAsync() throws Exception {
		HttpResponse<String> response = server.get("/async/dispatch");
		assertThat(response.body()).isEqualTo("dispatched: 42 type=ASYNC uri=/async/dispatch");
	}

	@Test
	void dispatchBeforeTheDispatchReturnsTakesEffectAfterwards() throws Exception {
		assertThat(server.get("/async/immediate").body())
			.isEqualTo("dispatched: now type=ASYNC uri=/async/immediate startedAfterDispatch=true");
	}

	@Test
	void dispatchToAPathFromAContainerThread() throws Exception {
		assertThat(server.get("/async/dispatchPath").body()).isEqualTo("other: via start ASYNC");
	}

	@Test
	void anUnansweredTimeoutEndsIn500() throws Exception {
		events.clear();
		long start = System.nanoTime();
		HttpResponse<String> response = server.get("/async/timeout");
		assertThat(response.statusCode()).isEqualTo(500);
		// The request's own 200 ms, not the container's 30 s default: not before it, and far
		// below the default (the wide margin is for a loaded machine).
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(150L, 15_000L);
		assertThat(events).containsExactly("timeout", "complete");
	}

	@Test
	void aTimeoutListenerMayAnswer() throws Exception {
		HttpResponse<String> response = server.get("/async/timeout?onTimeout=answer");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("timed out, answered by listener");
	}

	@Test
	void streamedEventsReachTheClientBeforeTheCycleCompletes() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", server.port())) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write("GET /async/stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			List<String> lines = new ArrayList<>();
			String line;
			while ((line = in.readLine()) != null) {
				lines.add(line);
				if (line.equals("data: one")) {
					firstEventRead.countDown();
				}
			}
			assertThat(lines).contains("Transfer-Encoding: chunked", "Content-Type: text/event-stream;charset=ISO-8859-1",
					"data: one", "data: two (first read: true)");
		}
	}

	@Test
	void aWriteAfterCompletionNeverReachesTheNextResponse() throws Exception {
		CountDownLatch lateWriteDone = new CountDownLatch(1);
		CountDownLatch lateWriteTried = new CountDownLatch(1);
		try (ServletServer single = ServletServer.start(
				io.starlet.StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(100), (container) -> {
					var late = container.getServletContext().addServlet("late", new HttpServlet() {
						@Override
						protected void doGet(HttpServletRequest request, HttpServletResponse response)
								throws IOException {
							if (request.getParameter("second") != null) {
								lateWriteDone.countDown();
								response.getWriter().write("second");
								return;
							}
							AsyncContext async = request.startAsync();
							var out = response.getOutputStream();
							new Thread(() -> {
								async.complete();
								try {
									// write once the next request is being served on this connection
									lateWriteDone.await(10, TimeUnit.SECONDS);
									out.write("LATE".getBytes());
									out.flush();
								}
								catch (IOException | InterruptedException ex) {
									events.add("late write failed " + ex);
								}
								finally {
									lateWriteTried.countDown();
								}
							}).start();
						}
					});
					late.setAsyncSupported(true);
					late.addMapping("/late");
				})) {
			try (Socket socket = new Socket("127.0.0.1", single.port())) {
				socket.setSoTimeout(5000);
				OutputStream out = socket.getOutputStream();
				var in = socket.getInputStream();
				out.write("GET /late HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
				out.flush();
				String first = readResponse(in);
				assertThat(first).startsWith("HTTP/1.1 200").contains("Content-Length: 0");
				out.write("GET /late?second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
				out.flush();
				assertThat(lateWriteDone.await(20, TimeUnit.SECONDS)).isTrue();
				assertThat(lateWriteTried.await(10, TimeUnit.SECONDS)).isTrue();
				String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
				assertThat(rest).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nsecond").doesNotContain("LATE");
			}
		}
	}

	@Test
	void aStreamKeptPastItsResponseNeverWritesIntoTheNextResponsesBuffer() throws Exception {
		// The worker lends its response buffer to its next response: a stream an application
		// keeps after its response completed must never reach that buffer.
		CountDownLatch lateWritesStarted = new CountDownLatch(1);
		CountDownLatch secondBuffering = new CountDownLatch(1);
		CountDownLatch lateWritesDone = new CountDownLatch(1);
		try (ServletServer single = ServletServer.start(
				io.starlet.StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(100), (container) -> {
					container.getServletContext().addServlet("kept", new HttpServlet() {
						@Override
						protected void doGet(HttpServletRequest request, HttpServletResponse response)
								throws IOException {
							if (request.getParameter("second") != null) {
								var out = response.getOutputStream();
								out.write("sec".getBytes());
								secondBuffering.countDown();
								try {
									lateWritesDone.await(20, TimeUnit.SECONDS);
								}
								catch (InterruptedException ex) {
									Thread.currentThread().interrupt();
								}
								out.write("ond".getBytes());
								return;
							}
							var kept = response.getOutputStream();
							kept.write("first".getBytes());
							new Thread(() -> {
								try {
									lateWritesStarted.countDown();
									secondBuffering.await(20, TimeUnit.SECONDS);
									for (int i = 0; i < 1000; i++) {
										kept.write("LATE".getBytes());
									}
								}
								catch (IOException | InterruptedException ex) {
									events.add("late write failed " + ex);
								}
								finally {
									lateWritesDone.countDown();
								}
							}).start();
						}
					}).addMapping("/kept");
				})) {
			try (Socket socket = new Socket("127.0.0.1", single.port())) {
				socket.setSoTimeout(5000);
				OutputStream out = socket.getOutputStream();
				var in = socket.getInputStream();
				out.write("GET /kept HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
				out.flush();
				assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("Content-Length: 5");
				assertThat(new String(in.readNBytes(5), StandardCharsets.ISO_8859_1)).isEqualTo("first");
				assertThat(lateWritesStarted.await(20, TimeUnit.SECONDS)).isTrue();
				out.write("GET /kept?second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
				out.flush();
				String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
				assertThat(lateWritesDone.getCount()).isZero();
				assertThat(rest).startsWith("HTTP/1.1 200").contains("Content-Length: 6").endsWith("\r\n\r\nsecond");
			}
		}
	}

	private static String readResponse(java.io.InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			head.append((char) b);
		}
		return head.toString();
	}

	@Test
	void startAsyncOnAServletWithoutAsyncSupportFails() throws Exception {
		HttpResponse<String> response = server.get("/sync/complete");
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.body()).doesNotContain("IllegalStateException");
	}

}
