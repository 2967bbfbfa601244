package io.starlet.servlet;

import java.io.IOException;
import java.net.InetAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** X-Forwarded-* and Forwarded are honoured from trusted proxies only. */
@Timeout(60)
class ForwardedHeadersTest {

	static class WhoServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.getWriter().write(request.getRemoteAddr() + "|" + request.getScheme() + "|"
					+ request.getServerName() + "|" + request.getServerPort() + "|" + request.isSecure() + "|"
					+ request.getRequestURL());
		}

	}

	static ServletServer start(boolean enabled, java.util.function.Predicate<InetAddress> trusted) throws Exception {
		return ServletServer.start((settings) -> settings.forwardedHeaders(enabled, trusted), (container) -> {
			container.getServletContext().addServlet("who", new WhoServlet()).addMapping("/who");
		});
	}

	static String who(ServletServer server, String headers) throws IOException {
		return server.raw("GET /who HTTP/1.1\r\nHost: internal:8080\r\n" + headers + "Connection: close\r\n\r\n").body();
	}

	@Test
	void xForwardedHeadersFromATrustedProxy() throws Exception {
		try (ServletServer server = start(true, null)) {
			assertThat(who(server, "X-Forwarded-For: 203.0.113.7, 10.0.0.2\r\nX-Forwarded-Proto: https\r\n"
					+ "X-Forwarded-Host: shop.example.com\r\n"))
				.isEqualTo("203.0.113.7|https|shop.example.com|443|true|https://shop.example.com/who");
			assertThat(who(server, "X-Forwarded-Proto: http\r\nX-Forwarded-Host: shop.example.com\r\n"
					+ "X-Forwarded-Port: 8443\r\n")).endsWith("|http|shop.example.com|8443|false|http://shop.example.com:8443/who");
		}
	}

	@Test
	void forwardedHeaderFromATrustedProxy() throws Exception {
		try (ServletServer server = start(true, null)) {
			assertThat(who(server, "Forwarded: for=\"[2001:db8::1]:4711\";proto=https;host=api.example.com, for=10.1.2.3\r\n"))
				.isEqualTo("2001:db8::1|https|api.example.com|443|true|https://api.example.com/who");
		}
	}

	@Test
	void headersFromAnUntrustedPeerAreIgnored() throws Exception {
		try (ServletServer server = start(true, (address) -> false)) {
			assertThat(who(server, "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n"))
				.isEqualTo("127.0.0.1|http|internal|8080|false|http://internal:8080/who");
		}
	}

	@Test
	void disabledByDefault() throws Exception {
		try (ServletServer server = ServletServer.start((container) -> container.getServletContext()
			.addServlet("who", new WhoServlet())
			.addMapping("/who"))) {
			assertThat(who(server, "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n"))
				.isEqualTo("127.0.0.1|http|internal|8080|false|http://internal:8080/who");
		}
	}

}
