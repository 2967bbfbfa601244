package io.starlet.servlet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Gzip compression: by media type, size, Accept-Encoding and User-Agent; buffered and streamed. */
@Timeout(60)
class CompressionTest {

	static ServletServer server;

	static final String TEXT = "Starlet compresses text. ".repeat(200);

	static class TextServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.setContentType(request.getParameter("type"));
			int repeat = Integer.parseInt(request.getParameter("repeat"));
			for (int i = 0; i < repeat; i++) {
				response.getOutputStream().write(TEXT.getBytes(StandardCharsets.UTF_8));
			}
		}

	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((settings) -> settings.compression(true, List.of("text/html", "text/plain", "application/json"), 2048, List.of(".*MSIE 6.*")), (container) -> {
			ServletContext context = container.getServletContext();
			context.addServlet("text", new TextServlet()).addMapping("/text");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	static String gunzip(byte[] bytes) throws IOException {
		try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	static HttpResponse<byte[]> get(String query, String... headers) throws Exception {
		var builder = server.request("/text?" + query).GET();
		for (int i = 0; i < headers.length; i += 2) {
			builder.header(headers[i], headers[i + 1]);
		}
		return server.sendForBytes(builder);
	}

	@Test
	void aBufferedResponseIsCompressedWithItsCompressedLength() throws Exception {
		HttpResponse<byte[]> response = get("type=text/plain&repeat=1", "Accept-Encoding", "gzip, deflate");
		assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
		assertThat(response.headers().firstValue("Vary")).hasValue("Accept-Encoding");
		assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(response.body().length));
		assertThat(response.body().length).isLessThan(TEXT.length() / 4);
		assertThat(gunzip(response.body())).isEqualTo(TEXT);
	}

	@Test
	void aStreamedResponseIsCompressedAndChunked() throws Exception {
		HttpResponse<byte[]> response = get("type=application/json&repeat=20", "Accept-Encoding", "gzip");
		assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
		assertThat(response.headers().firstValue("Content-Length")).isEmpty();
		assertThat(gunzip(response.body())).isEqualTo(TEXT.repeat(20));
	}

	@Test
	void notCompressedWithoutAcceptEncodingButStillVaries() throws Exception {
		HttpResponse<byte[]> response = get("type=text/plain&repeat=1");
		assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
		assertThat(response.headers().firstValue("Vary")).hasValue("Accept-Encoding");
		assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
		HttpResponse<byte[]> refused = get("type=text/plain&repeat=1", "Accept-Encoding", "gzip;q=0, identity");
		assertThat(refused.headers().firstValue("Content-Encoding")).isEmpty();
	}

	@Test
	void notCompressedForOtherTypesSmallBodiesOrExcludedAgents() throws Exception {
		assertThat(get("type=image/png&repeat=1", "Accept-Encoding", "gzip").headers().firstValue("Content-Encoding"))
			.isEmpty();
		HttpResponse<byte[]> small = server.sendForBytes(server.request("/text?type=text/plain&repeat=0")
			.header("Accept-Encoding", "gzip")
			.GET());
		assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
		assertThat(get("type=text/plain&repeat=1", "Accept-Encoding", "gzip", "User-Agent",
				"Mozilla/4.0 (compatible; MSIE 6.0)").headers().firstValue("Content-Encoding")).isEmpty();
	}

	@Test
	void disabledCompressionDoesNothing() throws Exception {
		try (ServletServer plain = ServletServer.start((settings) -> settings.compression(false, List.of("text/plain"), 0, List.of()), (container) -> {
			container.getServletContext().addServlet("text", new TextServlet()).addMapping("/text");
		})) {
			HttpResponse<byte[]> response = plain.sendForBytes(plain.request("/text?type=text/plain&repeat=1")
				.header("Accept-Encoding", "gzip")
				.GET());
			assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
			assertThat(response.headers().firstValue("Vary")).isEmpty();
		}
	}

}
