package io.starlet.servlet;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.StarletConfig;
import io.starlet.WorkerInfo;
import io.starlet.testing.Await;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The worker behind a request, seen from a servlet: which one, and harakiri. */
@Timeout(60)
class WorkerAttributesTest {

	static class WorkerServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			WorkerInfo worker = (WorkerInfo) request.getAttribute(ServletContainer.WORKER_ATTRIBUTE);
			if (request.getParameter("retire") != null) {
				request.setAttribute(ServletContainer.HARAKIRI_ATTRIBUTE, Boolean.TRUE);
			}
			response.getWriter().write(worker.name());
		}

	}

	@Test
	void aServletSeesItsWorkerAndCanRetireIt() throws Exception {
		try (ServletServer server = ServletServer.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(100),
				(container) -> container.getServletContext().addServlet("w", new WorkerServlet()).addMapping("/w"))) {
			ServletServer.RawResponse plain = server.raw("GET /w HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
			assertThat(plain.body()).startsWith("starlet-worker-");
			ServletServer.RawResponse retired = server.raw("GET /w?retire HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(retired.header("Connection")).isEqualTo("close");
			Await.until("the harakiri retirement", () -> server.server.stats().retirements().containsKey("harakiri"));
			assertThat(server.server.stats().retirements()).containsEntry("harakiri", 1L);
			ServletServer.RawResponse next = server.raw("GET /w HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
			assertThat(next.body()).startsWith("starlet-worker-").isNotEqualTo(plain.body());
		}
	}

}
