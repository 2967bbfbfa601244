package io.starlet.websocket;

import java.net.URI;
import java.util.Map;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** addEndpoint checks endpoints at startup, with a message that says what is wrong; paths match as the spec orders them. */
class DeploymentTest {

	final StarletServerContainer container = new StarletServerContainer();

	public static class NotAnnotated {

	}

	@ServerEndpoint("/two")
	public static class TwoTextHandlers {

		@OnMessage
		public void a(String text) {
		}

		@OnMessage
		public void b(java.io.Reader text) {
		}

	}

	@ServerEndpoint("/unknown")
	public static class UnknownType {

		@OnMessage
		public void a(java.util.Date date) {
		}

	}

	@ServerEndpoint("/error")
	public static class ErrorWithoutThrowable {

		@OnError
		public void a(Session session) {
		}

	}

	@ServerEndpoint("no-slash")
	public static class NoSlash {

	}

	@ServerEndpoint("/hidden")
	static class NotPublic {

	}

	@ServerEndpoint("/partial")
	public static class PartialReader {

		@OnMessage
		public void a(java.io.Reader reader, boolean last) {
		}

	}

	public static class Plain extends Endpoint {

		@Override
		public void onOpen(Session session, EndpointConfig config) {
		}

	}

	@Test
	void invalidEndpointsAreRefusedWithAClearMessage() {
		assertThatThrownBy(() -> this.container.addEndpoint(NotAnnotated.class)).isInstanceOf(DeploymentException.class)
			.hasMessageContaining("not annotated with @ServerEndpoint");
		assertThatThrownBy(() -> this.container.addEndpoint(TwoTextHandlers.class))
			.hasMessageContaining("two @OnMessage methods for text messages");
		assertThatThrownBy(() -> this.container.addEndpoint(UnknownType.class))
			.hasMessageContaining("java.util.Date (is a decoder missing?)");
		assertThatThrownBy(() -> this.container.addEndpoint(ErrorWithoutThrowable.class))
			.hasMessageContaining("an @OnError method needs a Throwable parameter");
		assertThatThrownBy(() -> this.container.addEndpoint(NoSlash.class)).hasMessageContaining("must start with '/'");
		assertThatThrownBy(() -> this.container.addEndpoint(NotPublic.class)).hasMessageContaining("public");
		assertThatThrownBy(() -> this.container.addEndpoint(PartialReader.class))
			.hasMessageContaining("partial messages");
		assertThatThrownBy(() -> this.container.addEndpoint(ServerEndpointConfig.Builder.create(Plain.class, "/a{b}").build()))
			.hasMessageContaining("whole segment");
	}

	@Test
	void twoEndpointsForTheSamePathsAreRefused() throws Exception {
		this.container.addEndpoint(ServerEndpointConfig.Builder.create(Plain.class, "/rooms/{a}").build());
		assertThatThrownBy(
				() -> this.container.addEndpoint(ServerEndpointConfig.Builder.create(Plain.class, "/rooms/{b}").build()))
			.isInstanceOf(DeploymentException.class)
			.hasMessageContaining("Two endpoints for path /rooms/{b}");
	}

	@Test
	void exactPathsBeatTemplatesAndLiteralsBeatVariablesFromTheLeft() throws Exception {
		for (String path : new String[] { "/a/{x}/c", "/a/b/{y}", "/a/b/c", "/{p}/{q}/{r}", "/a/{x}" }) {
			this.container.addEndpoint(ServerEndpointConfig.Builder.create(Plain.class, path).build());
		}
		assertThat(matched("/a/b/c")).isEqualTo("/a/b/c {}");
		assertThat(matched("/a/b/d")).isEqualTo("/a/b/{y} {y=d}");
		assertThat(matched("/a/z/c")).isEqualTo("/a/{x}/c {x=z}");
		assertThat(matched("/z/b/c")).isEqualTo("/{p}/{q}/{r} {p=z, q=b, r=c}");
		assertThat(matched("/a/q")).isEqualTo("/a/{x} {x=q}");
		assertThat(this.container.match("/a/")).isNull();
		assertThat(this.container.match("/a/b/c/d")).isNull();
	}

	private String matched(String path) {
		StarletServerContainer.Match match = this.container.match(path);
		return match.registration().path() + " " + match.pathParameters();
	}

	@Test
	void theContainerIsNotAClient() {
		assertThatThrownBy(() -> this.container.connectToServer(new Plain(), null, URI.create("ws://127.0.0.1:1/")))
			.isInstanceOf(DeploymentException.class)
			.hasMessageContaining("has no client");
		assertThat(this.container.getInstalledExtensions()).extracting(Extension::getName)
			.containsExactly("permessage-deflate");
		assertThat(Map.of("text", this.container.getDefaultMaxTextMessageBufferSize(), "binary",
				this.container.getDefaultMaxBinaryMessageBufferSize()))
			.containsEntry("text", 65536)
			.containsEntry("binary", 65536);
	}

}
