import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.starlet.Handler;
import io.starlet.Listen;
import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;

/**
 * Slow downloads on starlet-core alone: what holding a response for a slow client costs the
 * server, in memory, in a temporary file, or not at all (the worker waits). Run by
 * {@code bench/downloads/run}.
 *
 * <pre>
 * java SlowDownloads server UNSENT_SIZE UNSENT_MEMORY UNSENT_FILE_SIZE
 *     2 workers, keep-alive, on a free port of 127.0.0.1, which it prints ("ready PORT");
 *     every request gets 32 MB (Content-Length) written in 64 KiB pieces
 * java SlowDownloads client PORT CLIENTS RESPONSES BYTES_PER_SECOND
 *     each client downloads RESPONSES responses on one connection through a 16 KiB receive
 *     window, reading no faster than BYTES_PER_SECOND; prints the seconds it all took
 * </pre>
 */
public class SlowDownloads {

	static final int SIZE = 32 * 1024 * 1024;

	public static void main(String[] args) throws Exception {
		if (args[0].equals("server")) {
			server(Integer.parseInt(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
		}
		else {
			client(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
		}
	}

	static void server(int unsentSize, long unsentMemory, long unsentFileSize) throws Exception {
		byte[] piece = new byte[64 * 1024];
		for (int i = 0; i < piece.length; i++) {
			piece[i] = (byte) i;
		}
		Handler download = exchange -> {
			exchange.commit(SIZE);
			OutputStream out = exchange.responseBody();
			for (int written = 0; written < SIZE; written += piece.length) {
				out.write(piece);
			}
		};
		StarletServer server = new StarletServer(StarletConfig.builder()
			.listen(Listen.tcp("127.0.0.1", 0))
			.maxWorkers(2)
			.maxKeepaliveReqs(1000)
			.unsentResponseSize(unsentSize)
			.unsentResponseMemory(unsentMemory)
			.unsentResponseFileSize(unsentFileSize)
			.build(), download);
		server.start();
		System.out.println("ready " + server.port());
		Thread.sleep(Long.MAX_VALUE);
	}

	static void client(int port, int clients, int responses, long rate) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		long start = System.nanoTime();
		List<Future<Long>> done = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			done.add(pool.submit(() -> download(port, responses, rate)));
		}
		long bytes = 0;
		for (Future<Long> f : done) {
			bytes += f.get(10, TimeUnit.MINUTES);
		}
		System.out.printf("%d %.2f%n", bytes, (System.nanoTime() - start) / 1e9);
		pool.shutdown();
	}

	static long download(int port, int responses, long rate) throws Exception {
		long total = 0;
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(16 * 1024);
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(60_000);
			InputStream in = socket.getInputStream();
			byte[] buf = new byte[16 * 1024];
			for (int r = 0; r < responses; r++) {
				socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				StringBuilder head = new StringBuilder();
				while (!head.toString().endsWith("\r\n\r\n")) {
					int c = in.read();
					if (c < 0) {
						throw new EOFException("closed in the head");
					}
					head.append((char) c);
				}
				long started = System.nanoTime();
				long got = 0;
				while (got < SIZE) {
					int n = in.read(buf, 0, (int) Math.min(buf.length, SIZE - got));
					if (n < 0) {
						throw new EOFException("closed after " + got + " bytes");
					}
					got += n;
					long wait = started + got * 1_000_000_000L / rate - System.nanoTime();
					if (wait > 0) {
						Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
					}
				}
				total += got;
			}
		}
		return total;
	}

}
