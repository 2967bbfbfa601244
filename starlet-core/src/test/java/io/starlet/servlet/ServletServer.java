package io.starlet.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.starlet.Clock;
import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;

/**
 * Test fixture: a {@link ServletContainer} configured by the test, served by a real
 * {@link StarletServer} on 127.0.0.1 and an ephemeral port, plus a JDK HttpClient and a raw
 * socket client to talk to it. A clock set in the container's settings (a test's
 * {@code ManualClock}) is the server's too.
 */
final class ServletServer implements AutoCloseable {

	interface Configurer {

		void configure(ServletContainer container) throws Exception;

	}

	/** Sets what the container is built with. */
	interface Settings {

		void configure(ContainerSettings.Builder settings) throws Exception;

	}

	private static final HttpClient CLIENT = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	final ServletContainer container;

	final StarletServer server;

	private ServletServer(ServletContainer container, StarletServer server) {
		this.container = container;
		this.server = server;
	}

	static ServletServer start(Configurer configurer) throws Exception {
		return start((settings) -> {
		}, configurer);
	}

	static ServletServer start(Settings settings, Configurer configurer) throws Exception {
		return start(StarletConfig.builder().maxWorkers(4).maxKeepaliveReqs(100), settings, configurer);
	}

	static ServletServer start(StarletConfig.Builder config, Configurer configurer) throws Exception {
		return start(config, (settings) -> {
		}, configurer);
	}

	static ServletServer start(StarletConfig.Builder config, Settings settings, Configurer configurer) throws Exception {
		ContainerSettings.Builder builder = ContainerSettings.builder();
		settings.configure(builder);
		ContainerSettings built = builder.build();
		ServletContainer container = new ServletContainer(built);
		configurer.configure(container);
		container.startContext();
		container.initServlets();
		if (built.clock() != Clock.SYSTEM) {
			// one clock for the container and the server, as in production
			config.clock(built.clock());
		}
		StarletServer server = new StarletServer(config.listen("127.0.0.1", 0).build(), container);
		server.start();
		return new ServletServer(container, server);
	}

	int port() {
		return this.server.port();
	}

	URI uri(String pathAndQuery) {
		return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
	}

	HttpRequest.Builder request(String pathAndQuery) {
		return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10));
	}

	HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
		HttpRequest.Builder builder = request(pathAndQuery).GET();
		for (int i = 0; i < headers.length; i += 2) {
			builder.header(headers[i], headers[i + 1]);
		}
		return send(builder);
	}

	HttpResponse<String> send(HttpRequest.Builder builder) throws Exception {
		return CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	HttpResponse<byte[]> sendForBytes(HttpRequest.Builder builder) throws Exception {
		return CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	/** Sends raw bytes on a new connection and reads until the server closes it (5 s at most). */
	RawResponse raw(String request) throws IOException {
		return raw(request.getBytes(StandardCharsets.ISO_8859_1));
	}

	RawResponse raw(byte[] request) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port()), 2000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(request);
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			byte[] buffer = new byte[8192];
			long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
			int n;
			while (System.nanoTime() < deadline && (n = in.read(buffer)) >= 0) {
				all.write(buffer, 0, n);
			}
			return RawResponse.parse(all.toByteArray());
		}
	}

	@Override
	public void close() {
		this.server.stop();
		this.container.destroy();
	}

	/** A response read off the wire: status, headers (first value per name) and de-chunked body. */
	record RawResponse(String text, int status, Map<String, String> headers, String body, boolean chunked) {

		static RawResponse parse(byte[] bytes) {
			String text = new String(bytes, StandardCharsets.ISO_8859_1);
			int end = text.indexOf("\r\n\r\n");
			if (end < 0) {
				return new RawResponse(text, -1, Map.of(), "", false);
			}
			String[] lines = text.substring(0, end).split("\r\n");
			int status = Integer.parseInt(lines[0].split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
						lines[i].substring(colon + 1).trim());
			}
			String rest = text.substring(end + 4);
			boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
			String body = chunked ? dechunk(rest) : rest;
			return new RawResponse(text, status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1),
					StandardCharsets.UTF_8), chunked);
		}

		private static String dechunk(String chunked) {
			StringBuilder body = new StringBuilder();
			int pos = 0;
			while (pos < chunked.length()) {
				int lineEnd = chunked.indexOf("\r\n", pos);
				if (lineEnd < 0) {
					break;
				}
				int size = Integer.parseInt(chunked.substring(pos, lineEnd).split(";")[0].trim(), 16);
				if (size == 0) {
					break;
				}
				body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
				pos = lineEnd + 2 + size + 2;
			}
			return body.toString();
		}

		String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

}
