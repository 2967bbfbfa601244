package io.starlet.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.starlet.Exchange;
import io.starlet.StarletConfig;
import io.starlet.Upgrade;
import io.starlet.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine's upgrade ({@link Exchange#upgrade}) with a plain handler, over real sockets:
 * back-pressure on input, a failing callback, the write cap, and stop without a servlet container.
 */
@Timeout(30)
class UpgradedConnectionTest {

	@RegisterExtension
	final TestServer server = new TestServer();

	/** Records its callbacks; reads only when told to. */
	static final class Recorder implements Upgrade.Listener {

		final BlockingQueue<String> events = new LinkedBlockingQueue<>();

		final List<Thread> closedOn = new CopyOnWriteArrayList<>();

		volatile Upgrade upgrade;

		volatile boolean read = true;

		volatile RuntimeException throwOnReadable;

		final ByteArrayOutputStream received = new ByteArrayOutputStream();

		@Override
		public void onUpgraded() {
			this.events.add("upgraded");
		}

		@Override
		public void onReadable() {
			String event = "readable " + this.upgrade.available();
			if (this.throwOnReadable != null) {
				this.events.add(event);
				throw this.throwOnReadable;
			}
			if (this.read) {
				byte[] buffer = new byte[1024];
				int n;
				while ((n = this.upgrade.read(buffer, 0, buffer.length)) > 0) {
					synchronized (this.received) {
						this.received.write(buffer, 0, n);
					}
				}
			}
			// recorded last, so that the test acts only once the callback has decided
			this.events.add(event);
		}

		@Override
		public void onEndOfInput() {
			this.events.add("end");
		}

		@Override
		public void onWritable() {
			this.events.add("writable");
		}

		@Override
		public void onError(Throwable error) {
			this.events.add("error " + error.getMessage());
		}

		@Override
		public void onClosed() {
			this.closedOn.add(Thread.currentThread());
			this.events.add("closed");
		}

		String next() throws InterruptedException {
			String event = this.events.poll(10, TimeUnit.SECONDS);
			assertThat(event).as("an event within 10 s").isNotNull();
			return event;
		}

	}

	private Recorder start(Recorder recorder) throws IOException {
		this.server.start(StarletConfig.builder().maxWorkers(2), (exchange) -> {
			recorder.upgrade = exchange.upgrade(recorder);
			exchange.setStatus(101);
			exchange.responseHeaders().set("Upgrade", "test");
			exchange.responseHeaders().set("Connection", "Upgrade");
		});
		return recorder;
	}

	private Socket connect(String afterHead, int receiveBuffer) throws IOException {
		Socket socket = new Socket();
		if (receiveBuffer > 0) {
			socket.setReceiveBufferSize(receiveBuffer);
		}
		socket.connect(new InetSocketAddress("127.0.0.1", this.server.get().port()), 2000);
		socket.setSoTimeout(10_000);
		socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n" + afterHead)
			.getBytes(StandardCharsets.ISO_8859_1));
		InputStream in = socket.getInputStream();
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int c = in.read();
			assertThat(c).as("the 101 head").isNotNegative();
			head.append((char) c);
		}
		assertThat(head).startsWith("HTTP/1.1 101 Switching Protocols\r\n");
		return socket;
	}

	@Test
	void unreadBytesStopReadingUntilTheApplicationAsksAgain() throws Exception {
		Recorder recorder = start(new Recorder());
		recorder.read = false;
		try (Socket socket = connect("", 0)) {
			assertThat(recorder.next()).isEqualTo("upgraded");
			socket.getOutputStream().write("first".getBytes(StandardCharsets.ISO_8859_1));
			assertThat(recorder.next()).isEqualTo("readable 5");
			// After a read the acceptor's key keeps watching the socket (a callback that takes
			// every byte lets reading go on untouched). Bytes that come while the application
			// still has some make it fire once: the acceptor must stop watching (an armed key
			// would wake it for them over and over) and leave them in the socket.
			java.nio.channels.SelectionKey key = ((UpgradedConnection) recorder.upgrade).connection().acceptorKey();
			assertThat(key.interestOps() & java.nio.channels.SelectionKey.OP_READ).as("armed after a read").isNotZero();
			socket.getOutputStream().write("second".getBytes(StandardCharsets.ISO_8859_1));
			Await.until("the acceptor stops watching the socket",
					() -> (key.interestOps() & java.nio.channels.SelectionKey.OP_READ) == 0);
			assertThat(recorder.events).as("no callback for bytes left in the socket").isEmpty();
			// the bytes were left in the buffer: demand() brings them again, now taken, and then
			// reading resumes
			recorder.read = true;
			recorder.upgrade.demand();
			assertThat(recorder.next()).isEqualTo("readable 5");
			assertThat(recorder.next()).isEqualTo("readable 6");
			synchronized (recorder.received) {
				assertThat(recorder.received.toString(StandardCharsets.ISO_8859_1)).isEqualTo("firstsecond");
			}
			socket.shutdownOutput();
			assertThat(recorder.next()).isEqualTo("end");
			assertThat(recorder.next()).isEqualTo("closed");
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
	}

	@Test
	void aCallbackThatThrowsEndsTheConnectionWithOnError() throws Exception {
		Recorder recorder = start(new Recorder());
		recorder.throwOnReadable = new IllegalStateException("boom");
		try (Socket socket = connect("x", 0)) {
			assertThat(recorder.next()).isEqualTo("upgraded");
			assertThat(recorder.next()).isEqualTo("readable 1");
			assertThat(recorder.next()).isEqualTo("error boom");
			assertThat(recorder.next()).isEqualTo("closed");
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
			Await.until("stats.upgradedConnections() == 0", () -> this.server.get().stats().upgradedConnections() == 0);
			Await.until("stats.openConnections() == 0", () -> this.server.get().stats().openConnections() == 0);
		}
	}

	@Test
	void writesBeyondTheCapFailInsteadOfBuffering() throws Exception {
		Recorder recorder = start(new Recorder());
		try (Socket socket = connect("", 16 * 1024)) {
			assertThat(recorder.next()).isEqualTo("upgraded");
			byte[] chunk = new byte[64 * 1024];
			long bound = 256L * 1024 * 1024;
			assertThatThrownBy(() -> {
				for (long written = 0; written < bound; written += chunk.length) {
					recorder.upgrade.write(chunk, 0, chunk.length);
				}
			}).isInstanceOf(IOException.class).hasMessageContaining("bytes would wait to be sent");
			assertThat(recorder.upgrade.isWriteReady()).isFalse();
			assertThat(recorder.upgrade.isOpen()).isTrue();
		}
	}

	@Test
	void aLargeWriteMadeWhileReadyIsTakenWhole() throws Exception {
		Recorder recorder = start(new Recorder());
		try (Socket socket = connect("", 0)) {
			assertThat(recorder.next()).isEqualTo("upgraded");
			byte[] big = new byte[3 * Upgrade.WRITE_CAP];
			for (int i = 0; i < big.length; i++) {
				big[i] = (byte) i;
			}
			assertThat(recorder.upgrade.isWriteReady()).isTrue();
			recorder.upgrade.write(big, 0, big.length);
			recorder.upgrade.flush();
			assertThat(socket.getInputStream().readNBytes(big.length)).isEqualTo(big);
		}
	}

	@Test
	void stopWithAPlainHandlerFlushesClosesAndEndsOnTheStoppingThread() throws Exception {
		Recorder recorder = start(new Recorder());
		try (Socket socket = connect("", 0)) {
			assertThat(recorder.next()).isEqualTo("upgraded");
			byte[] goodbye = "goodbye".getBytes(StandardCharsets.ISO_8859_1);
			recorder.upgrade.write(goodbye, 0, goodbye.length);
			// buffered, not flushed: stop() sends it before closing
			this.server.get().stop();
			assertThat(recorder.closedOn).containsExactly(Thread.currentThread());
			assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
				.isEqualTo("goodbye");
			assertThat(recorder.events).containsExactly("closed");
		}
	}

	@Test
	void upgradeIsRefusedOnceTheResponseIsCommitted() throws Exception {
		BlockingQueue<Throwable> refused = new LinkedBlockingQueue<>();
		this.server.start(StarletConfig.builder().maxWorkers(2), (exchange) -> {
			exchange.commit(0);
			try {
				exchange.upgrade(new Recorder());
			}
			catch (IllegalStateException ex) {
				refused.add(ex);
			}
		});
		try (Socket socket = new Socket("127.0.0.1", this.server.get().port())) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
			assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
				.startsWith("HTTP/1.1 200 OK\r\n");
		}
		assertThat(refused.poll(20, TimeUnit.SECONDS)).hasMessageContaining("committed");
	}

}
