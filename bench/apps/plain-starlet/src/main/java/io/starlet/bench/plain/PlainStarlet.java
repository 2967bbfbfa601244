package io.starlet.bench.plain;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import io.starlet.Exchange;
import io.starlet.Handler;
import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;
import io.starlet.servlet.ServletContainer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The benchmark endpoints on {@code starlet-core} alone, without Spring: plain {@link HttpServlet}s
 * in Starlet's {@link ServletContainer}, so the difference to the Spring MVC variant is what Spring
 * costs, and the difference to {@code --bench.handler=raw} (a bare {@link Handler}, no servlet
 * container) is what the container costs. Takes the same {@code --server.port=}/{@code --starlet.*=}
 * arguments as the Spring variants so that bench/run starts every server the same way.
 */
public final class PlainStarlet {

	private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] JSON = "{\"id\":1,\"message\":\"Hello, World!\",\"from\":\"starlet-bench\",\"ok\":true}"
		.getBytes(StandardCharsets.US_ASCII);

	private static final byte[] HEALTH = "{\"status\":\"UP\"}".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] NOT_FOUND = "Not Found\n".getBytes(StandardCharsets.US_ASCII);

	private PlainStarlet() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = parse(args);
		StarletConfig config = StarletConfig.builder()
			.listen(options.getOrDefault("server.address", "127.0.0.1"),
					Integer.parseInt(options.getOrDefault("server.port", "8080")))
			.maxWorkers(Integer.parseInt(options.getOrDefault("starlet.max-workers", "10")))
			.maxKeepaliveReqs(Integer.parseInt(options.getOrDefault("starlet.max-keepalive-reqs", "1")))
			.maxReqsPerChild(Integer.parseInt(options.getOrDefault("starlet.max-reqs-per-child", "100")))
			.build();
		Handler handler = "raw".equals(options.get("bench.handler")) ? new BenchHandler() : servletContainer();
		StarletServer server = new StarletServer(config, handler);
		Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "plain-starlet-shutdown"));
		server.start();
		System.out.println("Plain Starlet started on port " + server.port() + " with " + config.maxWorkers() + " workers");
	}

	private static ServletContainer servletContainer() throws ServletException {
		ServletContainer container = new ServletContainer();
		ServletContext context = container.getServletContext();
		context.addServlet("hello", new BytesServlet("text/plain;charset=UTF-8", HELLO)).addMapping("/hello");
		context.addServlet("json", new BytesServlet("application/json", JSON)).addMapping("/json");
		context.addServlet("health", new BytesServlet("application/json", HEALTH)).addMapping("/actuator/health");
		context.addServlet("echo", new EchoServlet()).addMapping("/echo");
		container.startContext();
		container.initServlets();
		return container;
	}

	/** A fixed body, as a hello-world servlet writes it. */
	static final class BytesServlet extends HttpServlet {

		private final String contentType;

		private final byte[] body;

		BytesServlet(String contentType, byte[] body) {
			this.contentType = contentType;
			this.body = body;
		}

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.setContentType(this.contentType);
			response.setContentLength(this.body.length);
			response.getOutputStream().write(this.body);
		}

	}

	/** The request body back, streamed. */
	static final class EchoServlet extends HttpServlet {

		@Override
		protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.setContentType("application/octet-stream");
			long length = request.getContentLengthLong();
			if (length >= 0) {
				response.setContentLengthLong(length);
			}
			request.getInputStream().transferTo(response.getOutputStream());
		}

	}

	private static Map<String, String> parse(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (String arg : args) {
			int eq = arg.indexOf('=');
			if (!arg.startsWith("--") || eq < 0) {
				throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
			}
			options.put(arg.substring(2, eq), arg.substring(eq + 1));
		}
		return options;
	}

	/** The same endpoints as a bare engine {@link Handler}: routes by exact path, no servlet API. */
	static final class BenchHandler implements Handler {

		@Override
		public void handle(Exchange exchange) throws IOException {
			String path = exchange.path();
			String method = exchange.method();
			if ("/hello".equals(path) && isGet(method)) {
				send(exchange, "text/plain;charset=UTF-8", HELLO);
			}
			else if ("/json".equals(path) && isGet(method)) {
				send(exchange, "application/json", JSON);
			}
			else if ("/actuator/health".equals(path) && isGet(method)) {
				send(exchange, "application/json", HEALTH);
			}
			else if ("/echo".equals(path) && "POST".equals(method)) {
				echo(exchange);
			}
			else {
				exchange.setStatus(404);
				send(exchange, "text/plain;charset=UTF-8", NOT_FOUND);
			}
		}

		private static boolean isGet(String method) {
			return "GET".equals(method) || "HEAD".equals(method);
		}

		private static void send(Exchange exchange, String contentType, byte[] body) throws IOException {
			exchange.responseHeaders().set("Content-Type", contentType);
			exchange.commit(body.length);
			exchange.responseBody().write(body);
		}

		private static void echo(Exchange exchange) throws IOException {
			exchange.responseHeaders().set("Content-Type", "application/octet-stream");
			long length = exchange.requestContentLength();
			InputStream in = exchange.requestBody();
			OutputStream out = exchange.responseBody();
			if (length >= 0) {
				exchange.commit(length);
			}
			byte[] buffer = new byte[16 * 1024];
			for (int n; (n = in.read(buffer)) != -1;) {
				out.write(buffer, 0, n);
			}
		}

	}

}
