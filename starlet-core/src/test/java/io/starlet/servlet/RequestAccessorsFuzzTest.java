package io.starlet.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.StarletConfig;
import io.starlet.testing.Mutations;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Everything an application reads from a request, on randomly damaged requests from a trusted
 * proxy: the target (path parameters, percent-escapes, the query), cookies, locales, the
 * forwarded client, scheme, host and port, the requested session, the body's charset and a form
 * body. The engine or the container refuses what it cannot read with a 4xx that names the
 * problem; whatever it lets through, the servlet API answers without throwing, so no application
 * sees an exception it was never told to expect (a 500). The seed is fixed, so a failure prints a
 * request that reproduces it.
 */
@Timeout(120)
class RequestAccessorsFuzzTest {

	/** Reads everything; 200 if nothing threw. */
	static class ReadEverything extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			StringBuilder seen = new StringBuilder();
			seen.append(request.getMethod()).append(request.getRequestURI()).append(request.getRequestURL())
				.append(request.getQueryString()).append(request.getServletPath()).append(request.getPathInfo())
				.append(request.getContextPath()).append(request.getPathTranslated())
				.append(request.getRemoteAddr()).append(request.getRemoteHost()).append(request.getRemotePort())
				.append(request.getScheme()).append(request.isSecure()).append(request.getServerName())
				.append(request.getServerPort()).append(request.getLocalAddr()).append(request.getLocalPort())
				.append(request.getProtocol()).append(request.getCharacterEncoding()).append(request.getContentType())
				.append(request.getContentLengthLong()).append(request.getLocale())
				.append(Collections.list(request.getLocales())).append(request.getRequestedSessionId())
				.append(request.isRequestedSessionIdValid()).append(request.getSession(false));
			Cookie[] cookies = request.getCookies();
			if (cookies != null) {
				for (Cookie cookie : cookies) {
					seen.append(cookie.getName()).append('=').append(cookie.getValue());
				}
			}
			for (String name : Collections.list(request.getHeaderNames())) {
				seen.append(name).append(Collections.list(request.getHeaders(name)));
			}
			for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
				seen.append(parameter.getKey()).append(String.join(",", parameter.getValue()));
			}
			response.setContentType("text/plain;charset=UTF-8");
			response.getWriter().write(Integer.toString(seen.length()));
		}

	}

	private static final String[] SEEDS = {
		"GET /app/a/b;jsessionid=1;x=y/c%20d?q=%20&r=%C3%A9&s&=t&u=v=w HTTP/1.1\r\nHost: example.com:8080\r\n"
				+ "Cookie: a=b; c=\"d e\"; $Version=1; f=\r\nAccept-Language: fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5\r\n"
				+ "X-Forwarded-For: 203.0.113.7, 10.0.0.2\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example.com\r\n"
				+ "X-Forwarded-Port: 8443\r\n\r\n",
		"GET /app/%2e%2e/x/./y/../z?a=%zz&b=%E9&c=%&d=%2 HTTP/1.1\r\nHost: [::1]:8080\r\n"
				+ "Forwarded: for=\"[2001:db8::1]:4711\";proto=https;host=api.example.com, for=10.1.2.3\r\n"
				+ "Accept-Language: de\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n",
		"POST /app/form?x=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded; charset=ISO-8859-1\r\n"
				+ "Cookie: JSESSIONID=abc; theme=dark\r\nContent-Length: 28\r\n\r\na=1&b=%zz&c=%E9&d&e=%C3%A9+f",
	};

	private static final byte[] INTERESTING = "%;/.?&=+\"\\,: \t[]*\u00e9\u00ff0".getBytes(StandardCharsets.ISO_8859_1);

	/** Whether the head never ended, or the body is shorter than its Content-Length says. */
	private static boolean cutShort(byte[] request) {
		String text = new String(request, StandardCharsets.ISO_8859_1);
		int crlf = text.indexOf("\r\n\r\n");
		int lf = text.indexOf("\n\n");
		if (crlf < 0 && lf < 0) {
			return true;
		}
		int headEnd = (crlf >= 0 && (lf < 0 || crlf + 2 < lf)) ? crlf + 4 : lf + 2;
		java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)\ncontent-length: *([0-9]+)")
			.matcher(text.substring(0, headEnd));
		return length.find() && Long.parseLong(length.group(1)) > request.length - headEnd;
	}

	@Test
	void damagedRequestsGetA4xxOrAreReadWithoutAnException() throws Exception {
		try (ServletServer server = ServletServer.start(StarletConfig.builder().maxWorkers(4),
				(settings) -> settings.forwardedHeaders(true, (address) -> true), (container) -> {
					container.getServletContext().addServlet("all", new ReadEverything()).addMapping("/*");
				})) {
			SplittableRandom random = new SplittableRandom(12_05);
			Map<Integer, Integer> statuses = new TreeMap<>();
			for (int round = 0; round < 1500; round++) {
				byte[] request = Mutations.edited(SEEDS[round % SEEDS.length].getBytes(StandardCharsets.ISO_8859_1),
						INTERESTING, 3, random);
				RawClient.Response response;
				try (RawClient client = new RawClient(server.port())) {
					// a damaged head may leave the server waiting for more: the end of input says there is none
					response = client.send(request).shutdownOutput().read();
				}
				String shown = Mutations.literal(request);
				if (response == null) {
					// closing without an answer is right only for a message the client cut short
					assertThat(cutShort(request)).as("an answer to %s", shown).isTrue();
					statuses.merge(0, 1, Integer::sum);
					continue;
				}
				assertThat(response.status()).as("%s: %s", shown, response.body()).isLessThan(500);
				if (response.status() >= 400) {
					assertThat(response.body()).as(shown).doesNotContain("Exception").doesNotContain("\tat ");
				}
				statuses.merge(response.status(), 1, Integer::sum);
			}
			// the damage must reach both sides, or this test proves nothing
			assertThat(statuses.get(200)).as("%s", statuses).isGreaterThan(300);
			assertThat(statuses.get(400)).as("%s", statuses).isGreaterThan(100);
		}
	}

}
