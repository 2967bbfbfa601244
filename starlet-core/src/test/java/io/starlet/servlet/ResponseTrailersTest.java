package io.starlet.servlet;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code setTrailerFields}: trailers go out after a chunked body, never to HTTP/1.0. */
@Timeout(60)
class ResponseTrailersTest {

	private static ServletServer start() throws Exception {
		return ServletServer.start((container) -> container.getServletContext()
			.addServlet("trailers", new HttpServlet() {
				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
					response.setContentType("text/plain");
					response.setTrailerFields(() -> Map.of("X-Checksum", "abc123", "Content-Length", "99"));
					response.getWriter().write("body");
				}
			})
			.addMapping("/trailers"));
	}

	@Test
	void trailersFollowTheLastChunk() throws Exception {
		try (ServletServer server = start()) {
			ServletServer.RawResponse response = server.raw("GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.chunked()).isTrue();
			assertThat(response.header("Content-Length")).isNull();
			assertThat(response.body()).isEqualTo("body");
			// A framing field in a trailer is never sent.
			assertThat(response.text()).endsWith("\r\n0\r\nX-Checksum: abc123\r\n\r\n");
		}
	}

	@Test
	void anHttp10ClientGetsTheBodyWithoutTrailers() throws Exception {
		try (ServletServer server = start()) {
			ServletServer.RawResponse response = server.raw("GET /trailers HTTP/1.0\r\n\r\n");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.text()).endsWith("\r\n\r\nbody").doesNotContain("X-Checksum");
		}
	}

}
