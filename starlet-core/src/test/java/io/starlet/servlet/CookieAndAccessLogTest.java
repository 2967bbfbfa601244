package io.starlet.servlet;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Set-Cookie formatting with SameSite, and the access log. */
@Timeout(60)
class CookieAndAccessLogTest {

	static class CookieServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			Cookie plain = new Cookie("plain", "v1");
			plain.setPath("/");
			response.addCookie(plain);
			Cookie strict = new Cookie("strict", "v2");
			strict.setAttribute("SameSite", "Strict");
			strict.setSecure(true);
			strict.setHttpOnly(true);
			response.addCookie(strict);
			Cookie gone = new Cookie("gone", "");
			gone.setMaxAge(0);
			response.addCookie(gone);
			try {
				response.addCookie(new Cookie("bad", "a;b"));
				response.setHeader("X-Bad", "accepted");
			}
			catch (IllegalArgumentException ex) {
				response.setHeader("X-Bad", "refused");
			}
		}

	}

	@Test
	void cookiesAreWrittenPerRfc6265WithSameSiteFromTheResolver() throws Exception {
		try (ServletServer server = ServletServer.start((settings) -> settings.cookieSameSite((cookie) -> cookie.getName().equals("plain") ? "None" : null), (container) -> {
			container.getServletContext().addServlet("cookies", new CookieServlet()).addMapping("/cookies");
		})) {
			HttpResponse<String> response = server.get("/cookies");
			List<String> cookies = response.headers().allValues("Set-Cookie");
			assertThat(cookies).hasSize(3);
			assertThat(cookies.get(0)).isEqualTo("plain=v1; Path=/; SameSite=None");
			assertThat(cookies.get(1)).isEqualTo("strict=v2; HttpOnly; SameSite=Strict; Secure");
			assertThat(cookies.get(2)).isEqualTo("gone=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:10 GMT");
			assertThat(response.headers().firstValue("X-Bad")).hasValue("refused");
		}
	}

	@Test
	void theAccessLogWritesOneCombinedLinePerRequestWhenEnabled() throws Exception {
		Logger logger = (Logger) LoggerFactory.getLogger("starlet.access");
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender(appender);
		try {
			try (ServletServer server = ServletServer.start((settings) -> settings.accessLog(true), (container) -> {
				container.getServletContext().addServlet("cookies", new CookieServlet()).addMapping("/cookies");
			})) {
				server.raw("GET /cookies?x=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: test \"agent\"\r\n"
						+ "Referer: http://ref/\r\nConnection: close\r\n\r\n");
				server.raw("GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
			}
			assertThat(appender.list).hasSize(2);
			assertThat(appender.list.get(0).getFormattedMessage()).matches(
					"127\\.0\\.0\\.1 - - \\[[^]]+] \"GET /cookies\\?x=1 HTTP/1\\.1\" 200 - \"http://ref/\" \"test \\\\x22agent\\\\x22\" \\d+");
			assertThat(appender.list.get(1).getFormattedMessage()).contains("\"GET /missing HTTP/1.1\" 404 ");
			appender.list.clear();
			try (ServletServer quiet = ServletServer.start((container) -> container.getServletContext()
				.addServlet("cookies", new CookieServlet())
				.addMapping("/cookies"))) {
				quiet.get("/cookies");
			}
			assertThat(appender.list).isEmpty();
		}
		finally {
			logger.detachAppender(appender);
		}
	}

}
