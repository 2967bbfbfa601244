package io.starlet.worker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.starlet.Listen;
import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;
import io.starlet.testing.RawClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class ListenersTest {

	private StarletServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private void start(StarletConfig config) throws Exception {
		this.server = new StarletServer(config, exchange -> TestServer.text(exchange, "hello " + exchange.remoteAddress()));
		this.server.start();
	}

	@Test
	void servesAUnixDomainSocket(@TempDir Path dir) throws Exception {
		Path socketPath = dir.resolve("starlet.sock");
		start(StarletConfig.builder().listen(socketPath.toString()).build());
		assertThat(Files.exists(socketPath)).isTrue();
		assertThat(this.server.port()).isEqualTo(-1);
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(socketPath));
			channel.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
			ByteBuffer buffer = ByteBuffer.allocate(4096);
			while (channel.read(buffer) >= 0 && buffer.hasRemaining()) {
				// read until the server closes
			}
			String response = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
			assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: close").endsWith("hello ");
		}
		this.server.stop();
		assertThat(Files.exists(socketPath)).as("socket file removed on stop").isFalse();
	}

	@Test
	void servesSeveralTcpListenersAtOnce() throws Exception {
		start(StarletConfig.builder().listen("127.0.0.1", 0).listen("127.0.0.1:0").build());
		List<SocketAddress> addresses = this.server.boundAddresses();
		assertThat(addresses).hasSize(2);
		for (SocketAddress address : addresses) {
			try (RawClient client = new RawClient(((InetSocketAddress) address).getPort())) {
				assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).startsWith("hello /127.0.0.1:");
			}
		}
	}

	@Test
	void aBusyPortFailsStartWithBindException() throws Exception {
		start(StarletConfig.builder().listen("127.0.0.1", 0).build());
		StarletServer second = new StarletServer(StarletConfig.builder().listen("127.0.0.1", this.server.port()).build(),
				exchange -> { });
		assertThatThrownBy(second::start).isInstanceOf(java.net.BindException.class);
		assertThat(second.isRunning()).isFalse();
	}

	@Test
	void reusePortLetsTwoServersShareAPort() throws Exception {
		start(StarletConfig.builder().listen("127.0.0.1", 0).reusePort(true).build());
		try (StarletServer second = new StarletServer(
				StarletConfig.builder().listen("127.0.0.1", this.server.port()).reusePort(true).build(), exchange -> { })) {
			second.start();
			assertThat(second.port()).isEqualTo(this.server.port());
		}
	}

	@Test
	void listenSyntax() {
		assertThat(Listen.parse(":8080")).isEqualTo(Listen.tcp(null, 8080));
		assertThat(Listen.parse("127.0.0.1:80")).isEqualTo(Listen.tcp("127.0.0.1", 80));
		assertThat(Listen.parse("[::1]:8080")).isEqualTo(Listen.tcp("::1", 8080));
		assertThat(Listen.parse("/run/app.sock").isUnix()).isTrue();
		assertThatIllegalArgumentException().isThrownBy(() -> Listen.parse("8080")).withMessageContaining("host:port");
		assertThatIllegalArgumentException().isThrownBy(() -> Listen.parse("host:http")).withMessageContaining("numeric port");
		assertThatIllegalArgumentException().isThrownBy(() -> Listen.parse(":70000")).withMessageContaining("65535");
		assertThatIllegalArgumentException().isThrownBy(() -> Listen.parse("::1:80")).withMessageContaining("brackets");
	}

}
