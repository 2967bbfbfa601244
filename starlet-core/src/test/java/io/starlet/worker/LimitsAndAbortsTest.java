package io.starlet.worker;

import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import io.starlet.testing.Await;
import io.starlet.testing.RawClient;
import io.starlet.Handler;
import io.starlet.StarletConfig;

import static org.assertj.core.api.Assertions.assertThat;

/** Configurable protocol limits, and clients that leave in the middle of a request. */
@Timeout(60)
class LimitsAndAbortsTest {

	@RegisterExtension
	final TestServer server = new TestServer();

	private static final Handler READ_BODY = exchange -> {
		exchange.requestBody().readAllBytes();
		TestServer.HELLO.handle(exchange);
	};

	@Test
	void maxRequestFieldsIsConfigurable() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxRequestFields(3), TestServer.HELLO);
		try (RawClient client = new RawClient(port)) {
			assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n").read().status()).isEqualTo(200);
		}
		try (RawClient client = new RawClient(port)) {
			RawClient.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n").read();
			assertThat(response.status()).isEqualTo(431);
			assertThat(response.header("Connection")).isEqualTo("close");
		}
	}

	@Test
	void maxChunkLineSizeIsConfigurable() throws Exception {
		int port = this.server.start(StarletConfig.builder().maxChunkLineSize(32), READ_BODY);
		try (RawClient client = new RawClient(port)) {
			String ok = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\n\r\n";
			assertThat(client.send(ok).read().status()).isEqualTo(200);
		}
		try (RawClient client = new RawClient(port)) {
			String tooLong = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;" + "x".repeat(40)
					+ "\r\nhello\r\n0\r\n\r\n";
			RawClient.Response response = client.send(tooLong).read();
			assertThat(response.status()).isEqualTo(400);
			assertThat(response.header("Connection")).isEqualTo("close");
		}
	}

	@Test
	void aClientThatLeavesMidBodyIsNotAnApplicationError() throws Exception {
		Logger logger = (Logger) LoggerFactory.getLogger(ServerExchange.class);
		ListAppender<ILoggingEvent> events = new ListAppender<>();
		events.start();
		logger.addAppender(events);
		try {
			int port = this.server.start(StarletConfig.builder().maxWorkers(1).timeout(Duration.ofSeconds(5)), READ_BODY);
			try (RawClient leaving = new RawClient(port)) {
				// Larger than a connection's own buffer, so the body is being collected (in memory
				// the buffer grew for, which the stats show) when the client leaves.
				leaving.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n").send(new byte[30000]);
				Await.until("the body is being collected", () -> this.server.get().stats().bufferedBodyBytes() > 0);
			}
			try (RawClient next = new RawClient(port)) {
				assertThat(next.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
			}
			assertThat(events.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
			assertThat(this.server.get().stats().rejections()).doesNotContainKey(500);
		}
		finally {
			logger.detachAppender(events);
		}
	}

}
