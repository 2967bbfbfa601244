package io.starlet.servlet;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.StarletConfig;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Response splitting, from the application's side: a servlet that puts random text (CR, LF, NUL,
 * colons, non-ASCII, long runs) into header names and values, the content type and charset, a
 * redirect's location, an error's message, and then writes a body. Whatever it does, what goes on
 * the wire is one well-formed response (a status line, field lines that are a token, a colon and
 * a value without line breaks or other controls, a body framed as its head says), and the
 * response to the next request on the same connection is intact. Each case is the seed in the
 * query, so a failure names the case that reproduces it.
 */
@Timeout(120)
class ResponseHeadersFuzzTest {

	private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 [1-5][0-9][0-9] [^\\x00-\\x08\\x0a-\\x1f\\x7f]*");

	private static final Pattern FIELD_LINE = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+: ?[^\\x00-\\x08\\x0a-\\x1f\\x7f]*");

	private static final String PIECES = "\r\n\u0000\t :;,=\"<>/\\é€\u00ff\u007faZ09-";

	/** Does, for the seed in its query, random things to its response that an application may do. */
	static class RandomHeaders extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			if (request.getQueryString() == null) {
				response.getWriter().write("plain");
				return;
			}
			SplittableRandom random = new SplittableRandom(Long.parseLong(request.getQueryString()));
			for (int i = random.nextInt(6); i > 0; i--) {
				tolerant(() -> {
					if (random.nextBoolean()) {
						response.setHeader(text(random), text(random));
					}
					else {
						response.addHeader("X-" + text(random), text(random));
					}
				});
			}
			switch (random.nextInt(5)) {
				case 0 -> tolerant(() -> response.setContentType("text/" + text(random) + "; charset=" + text(random)));
				case 1 -> tolerant(() -> response.setCharacterEncoding(text(random)));
				case 2 -> tolerant(() -> response.setDateHeader(text(random), random.nextLong()));
				case 3 -> tolerant(() -> response.setIntHeader(text(random), random.nextInt()));
				default -> tolerant(() -> response.setLocale(java.util.Locale.forLanguageTag(text(random))));
			}
			switch (random.nextInt(4)) {
				case 0 -> tolerant(() -> response.sendRedirect("/next" + text(random)));
				case 1 -> tolerant(() -> response.sendError(400 + random.nextInt(100), text(random)));
				default -> tolerant(() -> response.getOutputStream().write(("body " + text(random))
					.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
			}
		}

		interface Call {

			void run() throws IOException;

		}

		/** An API may refuse a value with an exception it documents; the response goes on. */
		private static void tolerant(Call call) throws IOException {
			try {
				call.run();
			}
			catch (IllegalArgumentException | IllegalStateException ex) {
				// refused: nothing was added
			}
		}

		private static String text(SplittableRandom random) {
			StringBuilder text = new StringBuilder();
			for (int n = random.nextInt(12); n > 0; n--) {
				text.append(PIECES.charAt(random.nextInt(PIECES.length())));
			}
			if (random.nextInt(50) == 0) {
				text.append("x".repeat(10_000));
			}
			return text.toString();
		}

	}

	@Test
	void whateverTheApplicationPutsInItsHeadTheWireCarriesOneWellFormedResponse() throws Exception {
		try (ServletServer server = ServletServer.start(StarletConfig.builder().maxWorkers(4).maxKeepaliveReqs(1000),
				(container) -> container.getServletContext().addServlet("random", new RandomHeaders()).addMapping("/*"))) {
			int errors = 0;
			for (int seed = 0; seed < 1000; seed++) {
				try (RawClient client = new RawClient(server.port())) {
					RawClient.Response response = client.send("GET /?" + seed + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
					assertThat(response).as("case %d answered", seed).isNotNull();
					String[] lines = response.head().split("\r\n");
					assertThat(lines[0]).as("case %d status line", seed).matches(STATUS_LINE);
					for (int i = 1; i < lines.length; i++) {
						assertThat(lines[i]).as("case %d field line", seed).matches(FIELD_LINE);
					}
					errors += (response.status() >= 500) ? 1 : 0;
					if (!"close".equalsIgnoreCase(response.header("Connection"))) {
						// the next response on the connection is intact: nothing was split or left over
						RawClient.Response next = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
						assertThat(next).as("case %d: the next response", seed).isNotNull();
						assertThat(next.status()).as("case %d: the next response", seed).isEqualTo(200);
						assertThat(next.body()).as("case %d: the next response", seed).isEqualTo("plain");
					}
				}
			}
			// a servlet that only uses the API as documented never fails its request
			assertThat(errors).isZero();
		}
	}

}
