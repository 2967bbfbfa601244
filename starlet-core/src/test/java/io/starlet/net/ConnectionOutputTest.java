package io.starlet.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConnectionOutput} over a real loopback socket: what the worker writes, in whatever
 * pieces, arrives whole and in order, and nothing of one connection leaks into the next.
 */
@Timeout(60)
class ConnectionOutputTest {

	private static final int BUFFER = 64;

	private ServerSocketChannel listener;

	private SocketChannel client;

	private Connection connection;

	private Selector selector;

	@BeforeEach
	void connect() throws IOException {
		this.listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		this.client = SocketChannel.open(this.listener.getLocalAddress());
		SocketChannel accepted = this.listener.accept();
		accepted.configureBlocking(false);
		this.connection = new Connection(1, accepted, 1024);
		this.selector = Selector.open();
	}

	@AfterEach
	void close() throws IOException {
		this.connection.close();
		this.client.close();
		this.listener.close();
		this.selector.close();
	}

	@Test
	void piecesOfEverySizeArriveInOrder() throws Exception {
		ConnectionOutput output = new ConnectionOutput(BUFFER);
		output.attach(this.connection, this.selector, Duration.ofSeconds(5).toNanos());
		ByteArrayOutputStream expected = new ByteArrayOutputStream();
		byte[] small = bytes(10, 'a');
		byte[] straddling = bytes(BUFFER - 5, 'b');
		byte[] large = bytes(BUFFER * 3 + 7, 'c');
		output.write('x');
		expected.write('x');
		output.write(small);
		expected.write(small);
		output.write(straddling);
		expected.write(straddling);
		output.write(large);
		expected.write(large);
		output.write(small, 2, 5);
		expected.write(small, 2, 5);
		output.flush();

		assertThat(readExactly(expected.size())).isEqualTo(expected.toByteArray());
		assertThat(output.written()).isEqualTo(expected.size());
	}

	@Test
	void aLargeWriteReachesTheClientEvenWhenItMustWaitForTheClientToRead() throws Exception {
		ConnectionOutput output = new ConnectionOutput(BUFFER);
		output.attach(this.connection, this.selector, Duration.ofSeconds(5).toNanos());
		byte[] body = bytes(8 * 1024 * 1024, 'd');
		// 8 MB is far more than the socket buffers hold: the writer waits for this reader
		// whichever of the two starts first.
		CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
			try {
				return readExactly(body.length + 1);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		output.write(body);
		output.write('!');
		output.flush();

		byte[] got = received.get(10, TimeUnit.SECONDS);
		assertThat(got).hasSize(body.length + 1);
		assertThat(got[body.length - 1]).isEqualTo((byte) 'd');
		assertThat(got[body.length]).isEqualTo((byte) '!');
	}

	@Test
	void attachingDiscardsWhatThePreviousConnectionLeftBuffered() throws Exception {
		ConnectionOutput output = new ConnectionOutput(BUFFER);
		output.attach(this.connection, this.selector, Duration.ofSeconds(5).toNanos());
		output.write(bytes(20, 'o'));
		output.attach(this.connection, this.selector, Duration.ofSeconds(5).toNanos());
		output.write(bytes(3, 'n'));
		output.flush();

		assertThat(new String(readExactly(3))).isEqualTo("nnn");
		this.client.configureBlocking(false);
		assertThat(this.client.read(java.nio.ByteBuffer.allocate(16))).isZero();
	}

	private byte[] readExactly(int n) throws IOException {
		InputStream in = this.client.socket().getInputStream();
		byte[] result = new byte[n];
		int got = 0;
		while (got < n) {
			int r = in.read(result, got, n - got);
			if (r < 0) {
				break;
			}
			got += r;
		}
		assertThat(got).isEqualTo(n);
		return result;
	}

	private static byte[] bytes(int n, char c) {
		byte[] b = new byte[n];
		java.util.Arrays.fill(b, (byte) c);
		return b;
	}

}
