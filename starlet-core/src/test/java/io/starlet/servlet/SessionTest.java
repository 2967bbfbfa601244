package io.starlet.servlet;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.ServletContext;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

import io.starlet.testing.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

/** In-memory sessions: cookie, reuse, change of id, invalidation, expiry and the listeners. */
@Timeout(60)
class SessionTest {

	static ServletServer server;

	/** Session times and expiry are this clock's: a test steps past a timeout instead of sleeping. */
	static final ManualClock clock = new ManualClock();

	static final List<String> events = Collections.synchronizedList(new ArrayList<>());

	static class Listener implements HttpSessionListener, HttpSessionIdListener, HttpSessionAttributeListener {

		@Override
		public void sessionCreated(HttpSessionEvent event) {
			events.add("created");
		}

		@Override
		public void sessionDestroyed(HttpSessionEvent event) {
			events.add("destroyed " + event.getSession().getAttribute("count"));
		}

		@Override
		public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
			events.add("idChanged " + !oldSessionId.equals(event.getSession().getId()));
		}

		@Override
		public void attributeAdded(HttpSessionBindingEvent event) {
			events.add("added " + event.getName());
		}

	}

	static class SessionServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			String command = request.getPathInfo();
			HttpSession session = request.getSession(!command.equals("/peek"));
			if (session == null) {
				response.getWriter().write("none valid=" + request.isRequestedSessionIdValid());
				return;
			}
			switch (command) {
				case "/change" -> request.changeSessionId();
				case "/invalidate" -> {
					session.invalidate();
					response.getWriter().write("invalidated");
					return;
				}
				case "/short" -> session.setMaxInactiveInterval(1);
				case "/encode" -> {
					response.getWriter().write(response.encodeURL("/next") + " " + response.encodeURL("next?a=1") + " "
							+ response.encodeRedirectURL("https://example.org/next") + " "
							+ response.encodeURL("http://127.0.0.1:1/next"));
					return;
				}
				default -> {
				}
			}
			Integer count = (Integer) session.getAttribute("count");
			session.setAttribute("count", (count != null) ? count + 1 : 1);
			response.getWriter().write("id=" + session.getId() + " new=" + session.isNew() + " count="
					+ session.getAttribute("count") + " fromCookie=" + request.isRequestedSessionIdFromCookie());
		}

	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((settings) -> settings.cookieSameSite((cookie) -> "Lax").clock(clock), (container) -> {
			ServletContext context = container.getServletContext();
			context.addListener(new Listener());
			context.addServlet("session", new SessionServlet()).addMapping("/s/*");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@BeforeEach
	void clear() {
		events.clear();
	}

	private static String cookieOf(HttpResponse<String> response) {
		String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
		return setCookie.substring(0, setCookie.indexOf(';'));
	}

	@Test
	void aSessionIsCreatedWithACookieAndJoinedByTheNextRequest() throws Exception {
		HttpResponse<String> first = server.get("/s/create");
		String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(setCookie).matches("JSESSIONID=[A-Za-z0-9_-]{24}; HttpOnly; Path=/; SameSite=Lax");
		assertThat(first.body()).contains("new=true count=1");
		String cookie = cookieOf(first);
		HttpResponse<String> second = server.get("/s/create", "Cookie", cookie);
		assertThat(second.headers().firstValue("Set-Cookie")).isEmpty();
		assertThat(second.body()).isEqualTo("id=" + cookie.substring("JSESSIONID=".length())
				+ " new=false count=2 fromCookie=true");
		assertThat(events).containsExactly("created", "added count");
	}

	@Test
	void changeSessionIdKeepsTheAttributesUnderANewId() throws Exception {
		String cookie = cookieOf(server.get("/s/create"));
		HttpResponse<String> changed = server.get("/s/change", "Cookie", cookie);
		String newCookie = cookieOf(changed);
		assertThat(newCookie).isNotEqualTo(cookie);
		assertThat(changed.body()).contains("count=2");
		assertThat(server.get("/s/peek", "Cookie", cookie).body()).isEqualTo("none valid=false");
		assertThat(server.get("/s/peek", "Cookie", newCookie).body()).contains("count=3");
		assertThat(events).contains("idChanged true");
	}

	@Test
	void invalidateEndsTheSessionAndTellsTheListeners() throws Exception {
		String cookie = cookieOf(server.get("/s/create"));
		assertThat(server.get("/s/invalidate", "Cookie", cookie).body()).isEqualTo("invalidated");
		assertThat(events).contains("destroyed 1");
		assertThat(server.get("/s/peek", "Cookie", cookie).body()).isEqualTo("none valid=false");
	}

	@Test
	void anInactiveSessionExpires() throws Exception {
		String cookie = cookieOf(server.get("/s/short"));
		clock.advance(Duration.ofSeconds(1));
		assertThat(server.get("/s/peek", "Cookie", cookie).body()).as("inactive for exactly its 1 s: still live")
			.contains("count=2");
		clock.advance(Duration.ofMillis(1001));
		assertThat(server.get("/s/peek", "Cookie", cookie).body()).as("inactive for longer than 1 s")
			.isEqualTo("none valid=false");
		assertThat(events).contains("destroyed 2");
	}

	@Test
	void theSessionCookieFollowsTheCookieConfig() throws Exception {
		try (ServletServer app = ServletServer.start((settings) -> settings.contextPath("/app").clock(clock), (container) -> {
			SessionCookieConfig config = container.getServletContext().getSessionCookieConfig();
			config.setName("SID");
			config.setSecure(true);
			config.setMaxAge(600);
			config.setDomain("Example.org");
			config.setAttribute("Partitioned", "");
			container.getServletContext().addServlet("session", new SessionServlet()).addMapping("/s/*");
		})) {
			String setCookie = app.get("/app/s/create").headers().firstValue("Set-Cookie").orElseThrow();
			assertThat(setCookie).startsWith("SID=")
				.contains("; Domain=example.org", "; HttpOnly", "; Max-Age=600", "; Partitioned", "; Path=/app",
						"; Secure")
				.doesNotContain("SameSite");
			// Expires is Max-Age from now, on the container's clock
			assertThat(setCookie).contains("; Expires=" + HttpDates.format(clock.currentTimeMillis() + 600_000));
		}
	}

	@Test
	void effectiveTrackingModesAreTheDefaultsUntilTheApplicationSetsSome() throws Exception {
		ServletContainer container = new ServletContainer();
		ServletContext context = container.getServletContext();
		assertThat(context.getDefaultSessionTrackingModes())
			.containsExactlyInAnyOrder(jakarta.servlet.SessionTrackingMode.COOKIE, jakarta.servlet.SessionTrackingMode.URL);
		assertThat(context.getEffectiveSessionTrackingModes()).isEqualTo(context.getDefaultSessionTrackingModes());
		context.setSessionTrackingModes(java.util.EnumSet.of(jakarta.servlet.SessionTrackingMode.COOKIE));
		assertThat(context.getEffectiveSessionTrackingModes()).containsExactly(jakarta.servlet.SessionTrackingMode.COOKIE);
		container.destroy();
	}

	@Test
	void byDefaultANewSessionsIdIsAddedToEncodedUrlsAndReadFromThePath() throws Exception {
		HttpResponse<String> created = server.get("/s/encode");
		String id = cookieOf(created).substring("JSESSIONID=".length());
		assertThat(created.body()).as("only URLs into this context carry the id").isEqualTo("/next;jsessionid=" + id
				+ " next;jsessionid=" + id + "?a=1 https://example.org/next http://127.0.0.1:1/next");
		String cookie = cookieOf(created);
		assertThat(server.get("/s/encode", "Cookie", cookie).body()).as("the client sends the cookie back")
			.startsWith("/next next?a=1 ");
		assertThat(server.get("/s/peek;jsessionid=" + id).body()).isEqualTo("id=" + id + " new=false count=1 fromCookie=false");
	}

}
