package io.starlet.servlet;

import java.io.IOException;
import java.io.Serializable;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionActivationListener;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions kept across a restart of the container ({@link ServletContainer#setSessionStore}): each
 * test serves a session from one container, destroys it, and joins the session on a second
 * container over HTTP.
 */
@Timeout(60)
class PersistentSessionTest {

	static final List<String> events = Collections.synchronizedList(new ArrayList<>());

	@TempDir
	Path directory;

	Path store;

	ListAppender<ILoggingEvent> log;

	@BeforeEach
	void setUp() {
		this.store = this.directory.resolve("sessions.bin");
		events.clear();
		this.log = new ListAppender<>();
		this.log.start();
		((Logger) LoggerFactory.getLogger(SessionStore.class)).addAppender(this.log);
	}

	@AfterEach
	void tearDown() {
		((Logger) LoggerFactory.getLogger(SessionStore.class)).detachAppender(this.log);
	}

	/** Records what the listeners are told, so a test can tell a restore from a new session. */
	static class Listener implements HttpSessionListener, HttpSessionAttributeListener {

		@Override
		public void sessionCreated(HttpSessionEvent event) {
			events.add("created");
		}

		@Override
		public void sessionDestroyed(HttpSessionEvent event) {
			events.add("destroyed");
		}

		@Override
		public void attributeAdded(HttpSessionBindingEvent event) {
			events.add("added " + event.getName());
		}

	}

	/** A serializable attribute that records activation and binding. */
	static class Tracked implements Serializable, HttpSessionActivationListener, HttpSessionBindingListener {

		private static final long serialVersionUID = 1L;

		@Override
		public void sessionWillPassivate(HttpSessionEvent event) {
			events.add("passivate " + event.getSession().getAttribute("count"));
		}

		@Override
		public void sessionDidActivate(HttpSessionEvent event) {
			events.add("activate " + event.getSession().getAttribute("count"));
		}

		@Override
		public void valueBound(HttpSessionBindingEvent event) {
			events.add("bound");
		}

		@Override
		public void valueUnbound(HttpSessionBindingEvent event) {
			events.add("unbound");
		}

	}

	/** Serializable by its type, but it holds a field that is not. */
	static class Holder implements Serializable {

		private static final long serialVersionUID = 1L;

		@SuppressWarnings({ "unused", "serial" })
		private final Object thing = new Object();

	}

	static class SessionServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			String command = request.getPathInfo();
			HttpSession session = request.getSession(!command.equals("/peek"));
			if (session == null) {
				response.getWriter().write("none");
				return;
			}
			switch (command) {
				case "/tracked" -> session.setAttribute("tracked", new Tracked());
				case "/unserializable" -> {
					session.setAttribute("thread", Thread.currentThread());
					session.setAttribute("holder", new Holder());
				}
				case "/interval" -> session.setMaxInactiveInterval(1234);
				default -> {
				}
			}
			Integer count = (Integer) session.getAttribute("count");
			session.setAttribute("count", (count != null) ? count + 1 : 1);
			response.getWriter()
				.write("id=" + session.getId() + " count=" + session.getAttribute("count") + " created="
						+ session.getCreationTime() + " last=" + session.getLastAccessedTime() + " interval="
						+ session.getMaxInactiveInterval() + " names="
						+ Collections.list(session.getAttributeNames()).stream().sorted().toList());
		}

	}

	private ServletServer start() throws Exception {
		return ServletServer.start((settings) -> settings.sessionStore(this.store), (container) -> {
			container.getServletContext().addListener(new Listener());
			container.getServletContext().addServlet("session", new SessionServlet()).addMapping("/s/*");
		});
	}

	private static String cookieOf(HttpResponse<String> response) {
		String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
		return setCookie.substring(0, setCookie.indexOf(';'));
	}

	private static String field(String body, String name) {
		for (String part : body.split(" ")) {
			if (part.startsWith(name + "=")) {
				return part.substring(name.length() + 1);
			}
		}
		throw new AssertionError(name + " not in " + body);
	}

	private List<String> warnings() {
		return this.log.list.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	@Test
	void aSessionSurvivesARestartWithItsIdTimesIntervalAndAttributes() throws Exception {
		String cookie;
		String before;
		try (ServletServer first = start()) {
			HttpResponse<String> created = first.get("/s/interval");
			cookie = cookieOf(created);
			before = first.get("/s/count", "Cookie", cookie).body();
			assertThat(before).contains("count=2", "interval=1234");
		}
		assertThat(this.store).isRegularFile();
		assertThat(events).containsExactly("created", "added count");
		events.clear();
		try (ServletServer second = start()) {
			assertThat(this.store).doesNotExist();
			HttpResponse<String> joined = second.get("/s/count", "Cookie", cookie);
			assertThat(joined.headers().firstValue("Set-Cookie")).isEmpty();
			String after = joined.body();
			assertThat(field(after, "id")).isEqualTo(field(before, "id"));
			assertThat(field(after, "count")).isEqualTo("3");
			assertThat(field(after, "created")).isEqualTo(field(before, "created"));
			// The previous request's access, made on the first server, is this one's last access.
			assertThat(Long.parseLong(field(after, "last"))).isGreaterThanOrEqualTo(Long.parseLong(field(before, "last")));
			assertThat(field(after, "interval")).isEqualTo("1234");
		}
		assertThat(events).doesNotContain("created");
		assertThat(warnings()).isEmpty();
	}

	@Test
	void theStoreIsReadOnceThenDeleted() throws Exception {
		String cookie;
		try (ServletServer first = start()) {
			cookie = cookieOf(first.get("/s/count"));
		}
		try (ServletServer second = start()) {
			assertThat(this.store).doesNotExist();
		}
		// The second server served no request for the session, yet stored it again on the way out.
		assertThat(this.store).isRegularFile();
		Files.delete(this.store);
		try (ServletServer third = start()) {
			assertThat(third.get("/s/peek", "Cookie", cookie).body()).isEqualTo("none");
		}
	}

	@Test
	void activationListenersArePassivatedOnStopAndActivatedOnStartWithoutBindingEvents() throws Exception {
		String cookie;
		try (ServletServer first = start()) {
			cookie = cookieOf(first.get("/s/tracked"));
		}
		assertThat(events).containsExactly("created", "bound", "added tracked", "added count", "passivate 1");
		events.clear();
		try (ServletServer second = start()) {
			assertThat(events).containsExactly("activate 1");
			assertThat(second.get("/s/peek", "Cookie", cookie).body()).contains("count=2", "names=[count, tracked]");
		}
	}

	@Test
	void unserializableAttributesAreLeftOutWithOneWarningEachAndTheRestSurvives() throws Exception {
		String cookie1;
		String cookie2;
		try (ServletServer first = start()) {
			cookie1 = cookieOf(first.get("/s/unserializable"));
			cookie2 = cookieOf(first.get("/s/unserializable"));
		}
		assertThat(warnings()).hasSize(2);
		assertThat(warnings()).anySatisfy((warning) -> assertThat(warning).contains("'thread'", "java.lang.Thread",
				"2 stored session(s)"));
		assertThat(warnings()).anySatisfy((warning) -> assertThat(warning).contains("'holder'",
				Holder.class.getName(), "java.lang.Object"));
		try (ServletServer second = start()) {
			assertThat(second.get("/s/peek", "Cookie", cookie1).body()).contains("count=2", "names=[count]");
			assertThat(second.get("/s/peek", "Cookie", cookie2).body()).contains("count=2", "names=[count]");
		}
	}

	@Test
	void aDamagedStoreIsLoggedAndIgnoredAndTheServerStarts() throws Exception {
		try (ServletServer first = start()) {
			first.get("/s/count");
		}
		byte[] content = Files.readAllBytes(this.store);
		Files.write(this.store, java.util.Arrays.copyOf(content, content.length - 3));
		try (ServletServer second = start()) {
			assertThat(second.get("/s/count").body()).contains("count=1");
		}
		assertThat(warnings()).singleElement().asString().contains("Ignoring the session store", "damaged");
		this.log.list.clear();
		Files.writeString(this.store, "this is not a session store");
		try (ServletServer third = start()) {
			assertThat(this.store).doesNotExist();
			assertThat(third.get("/s/count").body()).contains("count=1");
		}
		assertThat(warnings()).singleElement().asString().contains("not a Starlet session store");
	}

	@Test
	void aStoreThatIsADirectoryIsLoggedAndIgnored() throws Exception {
		// Non-empty, so that writing the store cannot replace it either.
		Files.createDirectories(this.store.resolve("occupied"));
		try (ServletServer server = start()) {
			assertThat(server.get("/s/count").body()).contains("count=1");
		}
		assertThat(warnings()).singleElement().asString().contains("not a regular file");
		assertThat(this.log.list).anySatisfy((event) -> {
			assertThat(event.getLevel()).isEqualTo(Level.ERROR);
			assertThat(event.getFormattedMessage()).contains("Could not store 1 session(s)");
		});
		// The session could not be stored, so it ended here: listeners are told.
		assertThat(events).contains("destroyed");
	}

	@Test
	void expiredSessionsAreNeitherStoredNorRestored() {
		SessionStore sessions = new SessionStore(this.store);
		long now = 1_000_000_000L;
		SessionStore.StoredSession live = new SessionStore.StoredSession("live", now - 5000, now - 3000, now - 2000,
				10, false, Map.of("a", 1));
		SessionStore.StoredSession expired = new SessionStore.StoredSession("expired", now - 5000, now - 3000,
				now - 2000, 1, false, Map.of("a", 2));
		SessionStore.StoredSession immortal = new SessionStore.StoredSession("immortal", 0, 0, 0, 0, true,
				Map.of("a", 3));
		assertThat(sessions.save(List.of(live, expired, immortal), now)).isTrue();
		assertThat(sessions.load(getClass().getClassLoader(), now + 8000)).extracting(SessionStore.StoredSession::id)
			.containsExactly("live", "immortal");
		assertThat(sessions.save(List.of(live, immortal), now)).isTrue();
		List<SessionStore.StoredSession> later = sessions.load(getClass().getClassLoader(), now + 8001);
		assertThat(later).singleElement().satisfies((session) -> {
			assertThat(session.id()).isEqualTo("immortal");
			assertThat(session.isNew()).isTrue();
			assertThat(session.attributes()).containsExactly(Map.entry("a", 3));
		});
	}

	/**
	 * Under DevTools each restart loads the application's classes in a new class loader; the
	 * values must be read back as instances of the new loader's classes, not of the loader that
	 * Starlet was loaded by.
	 */
	@Test
	void attributesAreReadInTheApplicationsClassLoader() throws Exception {
		URL classes = Path.of(Counter.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toUri().toURL();
		String cookie;
		try (URLClassLoader before = new URLClassLoader(new URL[] { classes }, ClassLoader.getPlatformClassLoader());
				ServletServer first = startWith(before)) {
			cookie = cookieOf(first.get("/counter"));
			assertThat(first.get("/counter", "Cookie", cookie).body()).isEqualTo("2 " + before.hashCode());
		}
		try (URLClassLoader after = new URLClassLoader(new URL[] { classes }, ClassLoader.getPlatformClassLoader());
				ServletServer second = startWith(after)) {
			assertThat(second.get("/counter", "Cookie", cookie).body()).isEqualTo("3 " + after.hashCode());
		}
		assertThat(warnings()).isEmpty();
	}

	private ServletServer startWith(ClassLoader applicationClassLoader) throws Exception {
		return ServletServer.start((settings) -> settings.classLoader(applicationClassLoader).sessionStore(this.store), (container) -> {
			container.getServletContext().addServlet("counter", new HttpServlet() {

				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
					try {
						Class<?> type = Class.forName(Counter.class.getName(), true, applicationClassLoader);
						HttpSession session = request.getSession();
						Object counter = session.getAttribute("counter");
						if (counter == null) {
							counter = type.getConstructor().newInstance();
							session.setAttribute("counter", counter);
						}
						// A value of the old loader's class would fail this cast.
						Object count = type.getMethod("increment").invoke(type.cast(counter));
						response.getWriter().write(count + " " + counter.getClass().getClassLoader().hashCode());
					}
					catch (ReflectiveOperationException ex) {
						throw new IOException(ex);
					}
				}

			}).addMapping("/counter");
		});
	}

	/** Loaded by a test's own class loader, standing in for an application class under DevTools. */
	public static class Counter implements Serializable {

		private static final long serialVersionUID = 1L;

		private int count;

		public int increment() {
			return ++this.count;
		}

	}

}
