package io.starlet.sample;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

import jakarta.servlet.ServletContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Settings that act when the application starts or stops, each observed on a sample application
 * started for the test alone: {@code spring.mvc.servlet.load-on-startup},
 * {@code server.servlet.register-default-servlet} and Actuator's {@code shutdown} endpoint.
 */
@Timeout(120)
class SampleLifecycleTests {

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@Test
	void byDefaultTheDispatcherServletStartsOnTheFirstRequestAndThereIsNoDefaultServlet() throws Exception {
		try (ConfigurableApplicationContext context = run()) {
			DispatcherServlet dispatcher = context.getBean(DispatcherServlet.class);
			assertThat(dispatcher.getHandlerMappings()).as("before any request").isNull();
			assertThat(servletContext(context).getNamedDispatcher("default")).isNull();
			assertThat(get(port(context), "/hello").body()).isEqualTo("Hello, World!");
			assertThat(dispatcher.getHandlerMappings()).isNotEmpty();
		}
	}

	@Test
	void loadOnStartupAndRegisterDefaultServletThenShutdownThroughActuator() throws Exception {
		ConfigurableApplicationContext context = run("--spring.mvc.servlet.load-on-startup=1",
				"--server.servlet.register-default-servlet=true",
				"--management.endpoints.web.exposure.include=health,shutdown",
				"--management.endpoint.shutdown.access=unrestricted");
		try {
			assertThat(context.getBean(DispatcherServlet.class).getHandlerMappings()).as("before any request")
				.isNotEmpty();
			assertThat(servletContext(context).getNamedDispatcher("default")).isNotNull();
			int port = port(context);
			HttpResponse<String> response = this.client.send(request(port, "/actuator/shutdown")
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).contains("Shutting down");
			await().atMost(Duration.ofSeconds(30)).until(() -> !context.isActive());
			assertThat(((WebServerApplicationContext) context).getWebServer().getPort()).isEqualTo(-1);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect(port));
		}
		finally {
			context.close();
		}
	}

	private static ConfigurableApplicationContext run(String... args) {
		String[] all = new String[args.length + 2];
		all[0] = "--server.port=0";
		all[1] = "--server.address=127.0.0.1";
		System.arraycopy(args, 0, all, 2, args.length);
		return new SpringApplicationBuilder(SampleApplication.class).run(all);
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static ServletContext servletContext(ConfigurableApplicationContext context) {
		return ((ServletWebServerApplicationContext) context).getServletContext();
	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		return this.client.send(request(port, path).GET().build(), BodyHandlers.ofString());
	}

	private static HttpRequest.Builder request(int port, String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
	}

	private static void connect(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
		}
	}

}
