package io.starlet.servlet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.server.StarletServer;
import io.starlet.servlet.example.HelloStarlet;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/embedding.md shows exactly HelloStarlet, and HelloStarlet works. */
@Timeout(60)
class EmbeddingExampleTest {

	@Test
	void theDocumentedExampleIsThisSourceAndItServes() throws Exception {
		Path module = Path.of("").toAbsolutePath();
		Path doc = module.resolveSibling("docs").resolve("embedding.md");
		if (!Files.exists(doc)) {
			doc = module.resolve("docs").resolve("embedding.md");
		}
		String markdown = Files.readString(doc);
		String source = Files.readString(module.resolve("src/test/java/io/starlet/servlet/example/HelloStarlet.java"));
		int start = markdown.indexOf("```java\n") + "```java\n".length();
		int end = markdown.indexOf("```", start);
		assertThat(markdown.substring(start, end)).isEqualTo(source);

		StarletServer server = HelloStarlet.start(0);
		try {
			HttpResponse<String> response = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.build()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/hello?name=Starlet"))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("Hello, Starlet!");
		}
		finally {
			server.stop();
		}
	}

}
