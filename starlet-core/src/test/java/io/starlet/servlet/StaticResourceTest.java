package io.starlet.servlet;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import jakarta.servlet.ServletContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Static files from the document root and META-INF/resources, MIME types, conditional GET, resources API. */
@Timeout(60)
class StaticResourceTest {

	@TempDir
	static Path root;

	static ServletServer server;

	@BeforeAll
	static void start() throws Exception {
		Files.writeString(root.resolve("index.html"), "<h1>home</h1>");
		Files.createDirectories(root.resolve("docs"));
		Files.writeString(root.resolve("docs/notes.starlet"), "custom type");
		Files.writeString(root.resolve("docs/data.json"), "{\"a\":1}");
		Files.createDirectories(root.resolve("WEB-INF"));
		Files.writeString(root.resolve("WEB-INF/secret.txt"), "secret");
		Path outside = Files.createTempFile("starlet-outside", ".txt");
		outside.toFile().deleteOnExit();
		Files.writeString(outside, "outside the root");
		Files.createSymbolicLink(root.resolve("link.txt"), outside);
		server = ServletServer.start((settings) -> settings.documentRoot(root).mimeMapping("starlet", "application/x-starlet"), (container) -> {
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void filesFromTheDocumentRootWithTheirMimeType() throws Exception {
		HttpResponse<String> html = server.get("/index.html");
		assertThat(html.statusCode()).isEqualTo(200);
		assertThat(html.headers().firstValue("Content-Type")).hasValue("text/html");
		assertThat(html.body()).isEqualTo("<h1>home</h1>");
		assertThat(server.get("/docs/data.json").headers().firstValue("Content-Type")).hasValue("application/json");
		HttpResponse<String> custom = server.get("/docs/notes.starlet");
		assertThat(custom.headers().firstValue("Content-Type")).hasValue("application/x-starlet");
		assertThat(custom.headers().firstValue("Content-Length")).hasValue("11");
	}

	@Test
	void filesFromMetaInfResourcesOnTheClassPath() throws Exception {
		HttpResponse<String> css = server.get("/assets/site.css");
		assertThat(css.statusCode()).isEqualTo(200);
		assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css");
		assertThat(css.body()).isEqualTo("body { color: red; }\n");
	}

	@Test
	void conditionalGetAnswers304() throws Exception {
		String lastModified = server.get("/index.html").headers().firstValue("Last-Modified").orElseThrow();
		HttpResponse<String> notModified = server.get("/index.html", "If-Modified-Since", lastModified);
		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.body()).isEmpty();
	}

	@Test
	void directoriesHiddenFoldersAndTraversalAreNotServed() throws Exception {
		assertThat(server.get("/docs/").statusCode()).isEqualTo(404);
		assertThat(server.get("/docs").statusCode()).isEqualTo(404);
		assertThat(server.get("/WEB-INF/secret.txt").statusCode()).isEqualTo(404);
		assertThat(server.get("/missing.txt").statusCode()).isEqualTo(404);
		assertThat(server.get("/link.txt").statusCode()).as("symlink out of the root").isEqualTo(404);
		ServletServer.RawResponse traversal = server
			.raw("GET /docs/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(traversal.status()).isIn(400, 404);
		assertThat(server.send(server.request("/index.html").POST(java.net.http.HttpRequest.BodyPublishers.noBody()))
			.statusCode()).isEqualTo(405);
	}

	@Test
	void theResourcesApiSeesTheDocumentRootAndTheClassPath() throws Exception {
		ServletContext context = server.container.getServletContext();
		assertThat(context.getResource("/")).isNotNull();
		assertThat(context.getResource("/index.html")).isNotNull();
		assertThat(context.getResource("/assets/site.css")).isNotNull();
		assertThat(context.getResource("/nothing")).isNull();
		assertThat(context.getResourcePaths("/")).contains("/index.html", "/docs/", "/assets/");
		assertThat(context.getRealPath("/docs/data.json")).isEqualTo(root.resolve("docs/data.json").toString());
		try (var in = context.getResourceAsStream("/docs/data.json")) {
			assertThat(new String(in.readAllBytes())).isEqualTo("{\"a\":1}");
		}
		assertThat(context.getMimeType("x.PNG")).isEqualTo("image/png");
	}

	@Test
	void withoutADocumentRootGetResourceOfTheRootIsStillADirectory() throws Exception {
		ServletContainer container = new ServletContainer();
		assertThat(container.getServletContext().getResource("/")).isNotNull();
		container.startContext();
		container.destroy();
	}

	@Test
	void setMimeMappingsReplacesTheWholeTable() throws Exception {
		Files.writeString(root.resolve("replaced.yml"), "a: 1");
		Files.writeString(root.resolve("replaced.custom"), "custom");
		try (ServletServer replaced = ServletServer.start((settings) -> settings.documentRoot(root).mimeMappings(java.util.Map.of("custom", "text/x-custom", "HTML", "text/html")), (container) -> {
		})) {
			assertThat(replaced.container.settings().mimeMappings())
				.containsOnly(java.util.Map.entry("custom", "text/x-custom"), java.util.Map.entry("html", "text/html"));
			assertThat(replaced.get("/replaced.custom").headers().firstValue("Content-Type")).hasValue("text/x-custom");
			assertThat(replaced.get("/replaced.yml").headers().firstValue("Content-Type"))
				.as("a built-in entry no longer in the table").hasValue("application/octet-stream");
			assertThat(replaced.container.getServletContext().getMimeType("x.yaml")).isNull();
		}
		assertThat(server.container.getServletContext().getMimeType("x.yaml")).as("the built-in table")
			.isEqualTo("application/yaml");
	}

	@Test
	void withoutTheDefaultServletNothingIsServedAndThereIsNoDefaultServlet() throws Exception {
		try (ServletServer bare = ServletServer.start((settings) -> settings.documentRoot(root).defaultServletEnabled(false), (container) -> {
		})) {
			assertThat(bare.get("/index.html").statusCode()).isEqualTo(404);
			assertThat(bare.get("/assets/site.css").statusCode()).isEqualTo(404);
			assertThat(bare.send(bare.request("/index.html").POST(java.net.http.HttpRequest.BodyPublishers.noBody()))
				.statusCode()).isEqualTo(404);
			assertThat(bare.container.getServletContext().getNamedDispatcher("default")).isNull();
		}
		assertThat(server.container.getServletContext().getNamedDispatcher("default")).isNotNull();
	}

}
