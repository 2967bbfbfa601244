package io.starlet.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestAttributeEvent;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.starlet.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The context lifecycle: registration rules, listeners, filter and servlet init/destroy. */
@Timeout(60)
class LifecycleTest {

	static final List<String> events = Collections.synchronizedList(new ArrayList<>());

	static class RecordingServlet extends HttpServlet {

		@Override
		public void init(ServletConfig config) throws ServletException {
			super.init(config);
			events.add("init " + config.getServletName() + " " + config.getInitParameter("p"));
		}

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.getWriter().write(getServletName());
		}

		@Override
		public void destroy() {
			events.add("destroy " + getServletName());
		}

	}

	static class RecordingFilter implements Filter {

		@Override
		public void init(FilterConfig config) {
			events.add("filter init " + config.getFilterName());
		}

		@Override
		public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
				throws IOException, ServletException {
			chain.doFilter(request, response);
		}

		@Override
		public void destroy() {
			events.add("filter destroy");
		}

	}

	static class RecordingListener implements ServletContextListener, ServletRequestListener,
			ServletContextAttributeListener {

		@Override
		public void contextInitialized(ServletContextEvent event) {
			events.add("contextInitialized " + event.getServletContext().getInitParameter("greeting"));
		}

		@Override
		public void contextDestroyed(ServletContextEvent event) {
			events.add("contextDestroyed");
		}

		@Override
		public void requestInitialized(ServletRequestEvent event) {
			events.add("requestInitialized " + ((HttpServletRequest) event.getServletRequest()).getRequestURI());
		}

		@Override
		public void requestDestroyed(ServletRequestEvent event) {
			events.add("requestDestroyed");
		}

		@Override
		public void attributeAdded(ServletContextAttributeEvent event) {
			events.add("attributeAdded " + event.getName());
		}

	}

	@Test
	void lifecycleRunsInOrderAndContextDestroyedOnlyOnDestroy() throws Exception {
		events.clear();
		ServletServer server = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			context.setInitParameter("greeting", "hi");
			context.addListener(new RecordingListener());
			ServletRegistration.Dynamic second = context.addServlet("second", new RecordingServlet());
			second.setLoadOnStartup(2);
			second.addMapping("/second");
			ServletRegistration.Dynamic first = context.addServlet("first", RecordingServlet.class);
			first.setLoadOnStartup(1);
			first.setInitParameter("p", "v");
			first.addMapping("/first");
			context.addServlet("lazy", RecordingServlet.class.getName()).addMapping("/lazy");
			context.addFilter("filter", RecordingFilter.class).addMappingForUrlPatterns(null, true, "/*");
			context.setAttribute("attr", "x");
		});
		try {
			assertThat(events).containsExactly("attributeAdded attr", "contextInitialized hi", "filter init filter",
					"init first v", "init second null");
			events.clear();
			assertThat(server.get("/lazy").body()).isEqualTo("lazy");
			assertThat(server.get("/lazy").body()).isEqualTo("lazy");
			// requestDestroyed runs after the response has left: the client may see it first
			Await.until("the second requestDestroyed", () -> events.size() >= 5);
			assertThat(events).containsExactly("requestInitialized /lazy", "init lazy null", "requestDestroyed",
					"requestInitialized /lazy", "requestDestroyed");
			events.clear();
			server.server.stop();
			assertThat(events).isEmpty();
		}
		finally {
			server.close();
		}
		assertThat(events).containsExactly("destroy lazy", "destroy second", "destroy first", "filter destroy",
				"contextDestroyed");
	}

	@Test
	void requestAttributeListenersHearAddsReplacesAndRemovesButNotNoOps() throws Exception {
		List<String> heard = Collections.synchronizedList(new ArrayList<>());
		try (ServletServer server = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			context.addListener(new ServletRequestAttributeListener() {
				@Override
				public void attributeAdded(ServletRequestAttributeEvent event) {
					heard.add("added " + event.getName() + "=" + event.getValue());
				}

				@Override
				public void attributeReplaced(ServletRequestAttributeEvent event) {
					heard.add("replaced " + event.getName() + "=" + event.getValue());
				}

				@Override
				public void attributeRemoved(ServletRequestAttributeEvent event) {
					heard.add("removed " + event.getName() + "=" + event.getValue());
				}
			});
			context.addServlet("attributes", new HttpServlet() {
				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
					request.setAttribute("row", "1");
					request.setAttribute("row", "2");
					request.removeAttribute("row");
					request.removeAttribute("never-set");
					request.setAttribute("row", "3");
					request.setAttribute("row", null);
					response.getWriter().write("done");
				}
			}).addMapping("/attributes");
		})) {
			assertThat(server.get("/attributes").body()).isEqualTo("done");
			// the values are the new one for an add, the old one for a replace or a removal
			assertThat(heard).filteredOn((event) -> event.contains("row") || event.contains("never"))
				.containsExactly("added row=1", "replaced row=1", "removed row=2", "added row=3", "removed row=3");
		}
	}

	@Test
	void registrationRulesFollowTheSpecification() throws Exception {
		ServletContainer container = new ServletContainer();
		ServletContext context = container.getServletContext();
		assertThat(context.getMajorVersion()).isEqualTo(6);
		assertThat(context.getMinorVersion()).isEqualTo(1);
		ServletRegistration.Dynamic registration = context.addServlet("one", new RecordingServlet());
		assertThat(registration).isNotNull();
		assertThat(context.addServlet("one", new RecordingServlet())).isNull();
		assertThat(context.addFilter("f", new RecordingFilter())).isNotNull();
		assertThat(context.addFilter("f", new RecordingFilter())).isNull();
		assertThat(registration.addMapping("/a", "/b")).isEmpty();
		assertThat(context.addServlet("two", new RecordingServlet()).addMapping("/b", "/c")).containsExactly("/b");
		assertThat(context.getServletRegistrations()).containsOnlyKeys("one", "two");
		assertThat(context.getServletRegistration("one").getMappings()).containsExactly("/a", "/b");
		assertThat(context.setInitParameter("k", "v")).isTrue();
		assertThat(context.setInitParameter("k", "w")).isFalse();
		assertThat(context.getInitParameter("k")).isEqualTo("v");
		assertThatIllegalArgumentException().isThrownBy(() -> registration.addMapping("/a*b"));
		assertThatIllegalArgumentException().isThrownBy(() -> context.addListener(new Object() {
		}.getClass().getName()));
		assertThatIllegalArgumentException().isThrownBy(() -> ContainerSettings.builder().contextPath("/trailing/"));
		container.startContext();
		assertThatIllegalStateException().isThrownBy(() -> context.addServlet("late", new RecordingServlet()));
		assertThatIllegalStateException().isThrownBy(() -> context.addFilter("late", new RecordingFilter()));
		assertThatIllegalStateException().isThrownBy(() -> context.addListener(new RecordingListener()));
		assertThatIllegalStateException().isThrownBy(() -> registration.addMapping("/late"));
		assertThatIllegalStateException().isThrownBy(() -> context.setInitParameter("late", "x"));
		assertThatIllegalStateException().isThrownBy(() -> context.getSessionCookieConfig().setName("X"));
		container.initServlets();
		container.initServlets();
		container.destroy();
	}

	@Test
	void lazyInitialisationHappensOnceUnderConcurrency() throws Exception {
		AtomicInteger inits = new AtomicInteger();
		CountDownLatch slowInit = new CountDownLatch(1);
		try (ServletServer server = ServletServer.start((container) -> container.getServletContext()
			.addServlet("slow", new HttpServlet() {
				@Override
				public void init() throws ServletException {
					inits.incrementAndGet();
					try {
						slowInit.await(200, TimeUnit.MILLISECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}

				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
					response.getWriter().write("ok");
				}
			})
			.addMapping("/slow"))) {
			ExecutorService pool = Executors.newFixedThreadPool(4);
			try {
				List<Future<String>> results = new ArrayList<>();
				for (int i = 0; i < 4; i++) {
					results.add(pool.submit(() -> server.get("/slow").body()));
				}
				for (Future<String> result : results) {
					assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
				}
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(inits).hasValue(1);
		}
	}

	@Test
	void beforeStartTheContainerAnswers503() throws Exception {
		ServletContainer container = new ServletContainer();
		io.starlet.server.StarletServer server = new io.starlet.server.StarletServer(
				io.starlet.StarletConfig.builder().listen("127.0.0.1", 0).build(), container);
		server.start();
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
			socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
			socket.setSoTimeout(5000);
			String text = new String(socket.getInputStream().readAllBytes());
			assertThat(text).startsWith("HTTP/1.1 503");
		}
		finally {
			server.stop();
		}
	}

}
