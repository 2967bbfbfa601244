package io.starlet.servlet;

import java.io.IOException;
import java.util.EnumSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Filter chains: order, URL-pattern vs servlet-name mappings, isMatchAfter, dispatcher types, wrapping. */
@Timeout(60)
class FilterTest {

	static ServletServer server;

	/** Appends its name to the X-Trace request attribute, then continues the chain. */
	static final class Tracing implements Filter {

		private String name;

		@Override
		public void init(FilterConfig config) {
			this.name = config.getInitParameter("label");
		}

		@Override
		public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
				throws IOException, ServletException {
			Object trace = request.getAttribute("trace");
			request.setAttribute("trace", ((trace != null) ? trace + "," : "") + this.name + ":"
					+ request.getDispatcherType());
			chain.doFilter(request, response);
		}

	}

	static final class TraceServlet extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			if (request.getParameter("forward") != null && request.getDispatcherType() == DispatcherType.REQUEST) {
				try {
					request.getRequestDispatcher("/api/forwarded").forward(request, response);
				}
				catch (ServletException ex) {
					throw new IOException(ex);
				}
				return;
			}
			response.getWriter().write(request.getAttribute("trace") + "|" + request.getHeader("X-Wrapped"));
		}

	}

	static void addTracing(ServletContext context, String name, EnumSet<DispatcherType> types, boolean after,
			String... patterns) {
		var registration = context.addFilter(name, new Tracing());
		registration.setInitParameter("label", name);
		registration.addMappingForUrlPatterns(types, after, patterns);
	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			context.addServlet("api", new TraceServlet()).addMapping("/api/*");
			context.addServlet("other", new TraceServlet()).addMapping("*.txt");
			addTracing(context, "all", null, true, "/*");
			addTracing(context, "apiOnly", null, true, "/api/*");
			addTracing(context, "txt", null, true, "*.txt");
			addTracing(context, "first", null, false, "/*");
			var byName = context.addFilter("byName", new Tracing());
			byName.setInitParameter("label", "byName");
			byName.addMappingForServletNames(null, true, "api");
			addTracing(context, "forwardOnly", EnumSet.of(DispatcherType.FORWARD), true, "/*");
			context.addFilter("wrapper", new Filter() {
				@Override
				public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
						throws IOException, ServletException {
					chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) request) {
						@Override
						public String getHeader(String name) {
							return "X-Wrapped".equals(name) ? "yes" : super.getHeader(name);
						}
					}, response);
				}
			}).addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/api/wrapped");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void urlPatternFiltersRunBeforeServletNameFiltersAndMatchBeforeComesFirst() throws Exception {
		assertThat(server.get("/api/x").body())
			.isEqualTo("first:REQUEST,all:REQUEST,apiOnly:REQUEST,byName:REQUEST|null");
	}

	@Test
	void extensionPatternsSelectTheirFilters() throws Exception {
		assertThat(server.get("/docs/readme.txt").body()).isEqualTo("first:REQUEST,all:REQUEST,txt:REQUEST|null");
	}

	@Test
	void forwardRunsOnlyTheFiltersMappedForForward() throws Exception {
		assertThat(server.get("/docs/a.txt?forward=1").body())
			.isEqualTo("first:REQUEST,all:REQUEST,txt:REQUEST,forwardOnly:FORWARD|null");
	}

	@Test
	void aRequestWrapperFromAFilterReachesTheServlet() throws Exception {
		assertThat(server.get("/api/wrapped").body()).endsWith("|yes");
	}

}
