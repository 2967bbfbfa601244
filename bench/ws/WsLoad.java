import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket echo load for bench/run's {@code wsecho} scenario: wrk cannot speak WebSocket.
 *
 * <pre>
 * java bench/ws/WsLoad.java [-c 64] [-s 64] [-d 10] [-t 2] [--binary] [--timeout 5] ws://127.0.0.1:8080/ws/echo
 * java bench/ws/WsLoad.java --check ws://127.0.0.1:8080/ws/echo
 * </pre>
 *
 * After a handshake phase (every connection opened before the clock starts), each of the
 * {@code -c} connections sends one message of {@code -s} bytes, waits for its echo, checks it byte
 * for byte, and sends the next: a closed loop for {@code -d} seconds. Echoes still in flight at
 * the end are awaited and checked but not counted; then every connection closes with 1000.
 * {@code --check} sends one connection a fixed series instead (text and binary, every length
 * encoding, UTF-8 of 2 to 4 bytes) and says whether the endpoint echoes them.
 * <p>
 * Its own minimal RFC 6455 client over non-blocking sockets, {@code -t} selector threads (2, as
 * bench/run's {@code wrk -t2}): a frame costs the client one masking pass and one comparison, the
 * same for every server. It prints the line bench/wrk/report.lua prints ({@code requests} are
 * echoes, latencies in µs), plus the client's CPU time during the load, and exits 1 when any
 * handshake, echo or close went wrong, or nothing was echoed.
 */
public class WsLoad {

	static final int TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;

	/** Largest frame the client accepts from a server: bounded memory whatever the server sends. */
	static final int MAX_FRAME = 1 << 20;

	/**
	 * {@code --check}: opcode and length of each message, across the 7- and 16-bit length encodings
	 * and up to 8 KiB, Tomcat's default message buffer (a longer one is closed with 1009).
	 */
	static final int[][] CHECK = { { TEXT, 0 }, { TEXT, 1 }, { TEXT, 125 }, { TEXT, 126 }, { TEXT, 1000 },
			{ TEXT, 8192 }, { BINARY, 0 }, { BINARY, 1 }, { BINARY, 126 }, { BINARY, 8192 } };

	final String host;
	final int port;
	final String path;
	final int size;
	final int opcode;
	final boolean check;
	final long timeoutNanos;

	/** Load phase: set by main before {@code go} opens; workers stop sending at {@code end}. */
	volatile long start, end;

	final CountDownLatch go = new CountDownLatch(1);

	volatile boolean abort;

	/** First message of each kind of failure, printed once, in the order they happened. */
	final Set<String> reasons = Collections.synchronizedSet(new LinkedHashSet<>());

	WsLoad(URI uri, int size, int opcode, boolean check, long timeoutNanos) {
		this.host = uri.getHost();
		this.port = (uri.getPort() > 0) ? uri.getPort() : 80;
		this.path = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) ? "/" : uri.getRawPath();
		this.size = size;
		this.opcode = opcode;
		this.check = check;
		this.timeoutNanos = timeoutNanos;
	}

	public static void main(String[] args) throws Exception {
		int conns = 64, size = 64, seconds = 10, threads = 2, timeout = 5, opcode = TEXT;
		boolean check = false;
		String url = null;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "-c" -> conns = Integer.parseInt(args[++i]);
				case "-s" -> size = Integer.parseInt(args[++i]);
				case "-d" -> seconds = Integer.parseInt(args[++i]);
				case "-t" -> threads = Integer.parseInt(args[++i]);
				case "--timeout" -> timeout = Integer.parseInt(args[++i]);
				case "--binary" -> opcode = BINARY;
				case "--check" -> check = true;
				default -> url = args[i];
			}
		}
		if (url == null || !url.startsWith("ws://") || conns < 1 || size < 0 || size > MAX_FRAME / 2 || seconds < 1
				|| threads < 1 || timeout < 1) {
			System.err.println("usage: java WsLoad.java [-c CONNS] [-s BYTES] [-d SECONDS] [-t THREADS] [--binary]"
					+ " [--timeout SECONDS] [--check] ws://HOST:PORT/PATH");
			System.exit(2);
		}
		if (check) {
			conns = 1;
			threads = 1;
		}
		WsLoad load = new WsLoad(URI.create(url), size, opcode, check, TimeUnit.SECONDS.toNanos(timeout));
		System.exit(load.run(conns, Math.min(threads, conns), seconds, timeout));
	}

	int run(int conns, int threads, int seconds, int timeout) throws Exception {
		List<Worker> workers = new ArrayList<>();
		CountDownLatch open = new CountDownLatch(threads);
		for (int t = 0; t < threads; t++) {
			Worker w = new Worker(open);
			for (int c = t; c < conns; c += threads) {
				w.conns.add(new Conn(c, this.check ? 8192 : this.size));
			}
			workers.add(w);
			w.thread.start();
		}
		// Handshake phase, bounded: every connection opens (or fails) before the clock starts.
		boolean opened = open.await(timeout + 5L, TimeUnit.SECONDS);
		long failed = workers.stream().mapToLong((w) -> w.connect + w.status + w.timeouts + w.read + w.write).sum();
		if (!opened || failed > 0) {
			this.abort = true;
			this.reasons.add(opened ? failed + " of " + conns + " handshakes failed" : "handshakes did not finish in time");
		}
		Duration cpu0 = cpuTime();
		this.start = System.nanoTime();
		this.end = this.check ? this.start + this.timeoutNanos : this.start + TimeUnit.SECONDS.toNanos(seconds);
		this.go.countDown();
		for (Worker w : workers) {
			// end + the last echo's timeout + the close handshake's, and a margin
			w.thread.join(TimeUnit.NANOSECONDS.toMillis(this.end - System.nanoTime()) + 2000L * timeout + 5000);
			if (w.thread.isAlive()) {
				this.reasons.add("a load thread did not finish in time");
				report(workers, cpu0);
				return 1;
			}
		}
		return report(workers, cpu0);
	}

	static Duration cpuTime() {
		return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
	}

	int report(List<Worker> workers, Duration cpu0) {
		long cpuUs = cpuTime().minus(cpu0).toNanos() / 1000;
		Histogram h = new Histogram();
		long requests = 0, bytes = 0, connect = 0, read = 0, write = 0, status = 0, timeouts = 0;
		for (Worker w : workers) {
			h.add(w.latency);
			requests += w.requests;
			bytes += w.bytes;
			connect += w.connect;
			read += w.read;
			write += w.write;
			status += w.status;
			timeouts += w.timeouts;
		}
		long durationUs = (Math.min(System.nanoTime(), this.end) - this.start) / 1000;
		for (String reason : this.reasons) {
			System.err.println("WsLoad: " + reason);
		}
		long errors = connect + read + write + status + timeouts;
		if (this.check) {
			System.out.println((errors == 0 && requests == CHECK.length) ? "OK: " + requests + " messages echoed"
					: "FAILED: " + requests + " of " + CHECK.length + " messages echoed");
		}
		else {
			System.out.printf("RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d"
					+ " p50=%d p99=%d p999=%d max=%d client_cpu_us=%d%n", requests, durationUs, bytes, connect, read, write,
					status, timeouts, h.percentile(50), h.percentile(99), h.percentile(99.9), h.max, cpuUs);
		}
		System.out.flush();
		return (errors == 0 && requests > 0 && !this.abort) ? 0 : 1;
	}

	/** One connection's state: at most one message in flight. */
	final class Conn {

		final int id;

		SocketChannel channel;

		SelectionKey key;

		ByteBuffer in = ByteBuffer.allocate(16384);

		ByteBuffer out;

		String accept;

		boolean open, closing, done;

		/** The message in flight: its bytes, opcode and send time (0: none). */
		final byte[] expected;

		int expectedLength, expectedOpcode;

		long sentAt, seq;

		/** A message arriving in fragments. */
		byte[] message = new byte[0];

		int messageLength, messageOpcode;

		Conn(int id, int maxSize) {
			this.id = id;
			this.expected = new byte[maxSize];
			this.out = ByteBuffer.allocate(maxSize + 1024 + path.length());
		}

	}

	/** A selector thread and its share of the connections. */
	final class Worker implements Runnable {

		final Thread thread = new Thread(this, "wsload");

		final List<Conn> conns = new ArrayList<>();

		final CountDownLatch open;

		final Histogram latency = new Histogram();

		// Fast, not cryptographic: the masking keys only have to vary, the server's cost is the same.
		final SplittableRandom random = new SplittableRandom();

		long requests, bytes, connect, read, write, status, timeouts;

		/** Messages sent and not yet echoed (or failed): checked after every select. */
		int inFlight;

		Selector selector;

		long lastScan;

		Worker(CountDownLatch open) {
			this.open = open;
			this.thread.setDaemon(true);
		}

		@Override
		public void run() {
			boolean counted = false;
			try (Selector s = Selector.open()) {
				this.selector = s;
				handshakes();
				this.open.countDown();
				counted = true;
				go.await();
				if (!abort) {
					for (Conn c : this.conns) {
						sendNext(c);
					}
					loop(() -> this.inFlight == 0 || System.nanoTime() >= end);
					loop(() -> this.inFlight == 0);
				}
				for (Conn c : this.conns) {
					if (!c.done && c.open) {
						c.closing = true;
						frame(c, CLOSE, new byte[] { 0x03, (byte) 0xE8 }, 2);
					}
				}
				long closeBy = System.nanoTime() + timeoutNanos;
				loop(() -> System.nanoTime() >= closeBy || this.conns.stream().allMatch((c) -> c.done));
				for (Conn c : this.conns) {
					if (!c.done && c.open) {
						fail(c, "no close frame answered the client's", "read");
					}
					close(c);
				}
			}
			catch (IOException | InterruptedException ex) {
				reasons.add("load thread: " + ex);
				this.read++;
				if (!counted) {
					this.open.countDown();
				}
			}
		}

		void handshakes() throws IOException {
			byte[] nonce = new byte[16];
			for (Conn c : this.conns) {
				this.random.nextBytes(nonce);
				String key = Base64.getEncoder().encodeToString(nonce);
				c.accept = acceptFor(key);
				c.channel = SocketChannel.open();
				c.channel.configureBlocking(false);
				c.channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
				c.out.put(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
						+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
						+ "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
				try {
					boolean connected = c.channel.connect(new InetSocketAddress(host, port));
					c.key = c.channel.register(this.selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, c);
				}
				catch (IOException ex) {
					fail(c, "connect: " + ex.getMessage(), "connect");
				}
			}
			long deadline = System.nanoTime() + timeoutNanos;
			loop(() -> System.nanoTime() >= deadline || this.conns.stream().allMatch((c) -> c.open || c.done));
			for (Conn c : this.conns) {
				if (!c.open && !c.done) {
					fail(c, "handshake not answered within the timeout", "timeout");
				}
			}
		}

		interface Until {

			boolean done();

		}

		void loop(Until until) throws IOException {
			while (!until.done()) {
				this.selector.select(50);
				for (SelectionKey k : this.selector.selectedKeys()) {
					Conn c = (Conn) k.attachment();
					try {
						if (k.isValid() && k.isConnectable() && c.channel.finishConnect()) {
							k.interestOps(SelectionKey.OP_WRITE);
						}
						if (k.isValid() && k.isWritable()) {
							flush(c);
						}
						if (k.isValid() && k.isReadable()) {
							readFrom(c);
						}
					}
					catch (IOException ex) {
						fail(c, (c.open ? "read/write: " : "connect: ") + ex.getMessage(), c.open ? "read" : "connect");
					}
				}
				this.selector.selectedKeys().clear();
				long now = System.nanoTime();
				// A timeout is seconds long: a scan every 10 ms is precise enough, and costs nothing per echo.
				if (now - this.lastScan < 10_000_000L) {
					continue;
				}
				this.lastScan = now;
				for (Conn c : this.conns) {
					if (!c.done && c.sentAt != 0 && now - c.sentAt > timeoutNanos) {
						fail(c, "no echo within the timeout", "timeout");
					}
				}
			}
		}

		void flush(Conn c) {
			try {
				c.out.flip();
				c.channel.write(c.out);
				c.out.compact();
			}
			catch (IOException ex) {
				fail(c, "write: " + ex.getMessage(), c.open ? "write" : "connect");
				return;
			}
			boolean pending = c.out.position() > 0;
			c.key.interestOps(pending ? SelectionKey.OP_WRITE | SelectionKey.OP_READ : SelectionKey.OP_READ);
		}

		void readFrom(Conn c) throws IOException {
			if (!c.in.hasRemaining()) {
				fail(c, "a frame larger than " + c.in.capacity() + " bytes", "read");
				return;
			}
			int n = c.channel.read(c.in);
			if (n < 0) {
				if (c.closing) {
					close(c);
				}
				else {
					fail(c, "the server closed the connection" + (c.open ? "" : " during the handshake"),
							c.open ? "read" : "connect");
				}
				return;
			}
			c.in.flip();
			if (!c.open) {
				handshakeResponse(c);
			}
			while (!c.done && c.open && parseFrame(c)) {
				// one frame handled
			}
			c.in.compact();
		}

		void handshakeResponse(Conn c) {
			String head = new String(c.in.array(), 0, c.in.limit(), StandardCharsets.ISO_8859_1);
			int endOfHead = head.indexOf("\r\n\r\n");
			if (endOfHead < 0) {
				if (c.in.limit() == c.in.capacity()) {
					fail(c, "handshake response head over " + c.in.capacity() + " bytes", "status");
				}
				return;
			}
			String[] lines = head.substring(0, endOfHead).split("\r\n");
			String upgrade = header(lines, "upgrade"), connection = header(lines, "connection");
			if (!lines[0].startsWith("HTTP/1.1 101")) {
				fail(c, "handshake answered '" + lines[0] + "' (does the server serve WebSocket at " + path + "?)",
						"status");
			}
			else if (!"websocket".equalsIgnoreCase(upgrade) || connection == null
					|| !connection.toLowerCase().contains("upgrade") || !c.accept.equals(header(lines, "sec-websocket-accept"))) {
				fail(c, "101 without the right Upgrade, Connection and Sec-WebSocket-Accept headers", "status");
			}
			else {
				c.in.position(endOfHead + 4);
				c.open = true;
			}
		}

		/** Parses one frame from {@code c.in} (read mode); false when it is not all here yet. */
		boolean parseFrame(Conn c) {
			ByteBuffer in = c.in;
			int p = in.position(), available = in.remaining();
			if (available < 2) {
				return false;
			}
			int b0 = in.get(p) & 0xFF, b1 = in.get(p + 1) & 0xFF, op = b0 & 0x0F, len7 = b1 & 0x7F;
			int head = 2 + ((len7 == 126) ? 2 : (len7 == 127) ? 8 : 0);
			if (available < head) {
				return false;
			}
			long length = (len7 == 126) ? in.getShort(p + 2) & 0xFFFF : (len7 == 127) ? in.getLong(p + 2) : len7;
			if ((b1 & 0x80) != 0 || (b0 & 0x70) != 0 || length < 0 || length > MAX_FRAME) {
				fail(c, "a frame the client cannot accept (masked, RSV bits set or " + length + " bytes)", "read");
				return false;
			}
			if (available < head + length) {
				if (head + length > in.capacity()) {
					c.in = ByteBuffer.allocate(head + (int) length + 16).put(in);
					c.in.flip();
				}
				return false;
			}
			int payload = p + head, n = (int) length;
			in.position(payload + n);
			boolean fin = (b0 & 0x80) != 0;
			switch (op) {
				case CLOSE -> {
					if (c.closing) {
						close(c);
					}
					else {
						int code = (n >= 2) ? in.getShort(payload) & 0xFFFF : 1005;
						fail(c, "the server closed the WebSocket with " + code, "read");
					}
				}
				case PING -> frame(c, PONG, Arrays.copyOfRange(in.array(), payload, payload + n), n);
				case PONG -> {
				}
				case TEXT, BINARY, 0 -> {
					if (op != 0) {
						c.messageOpcode = op;
						c.messageLength = 0;
					}
					if (c.message.length < c.messageLength + n) {
						c.message = Arrays.copyOf(c.message, Math.max(c.messageLength + n, 2 * c.message.length));
					}
					System.arraycopy(in.array(), payload, c.message, c.messageLength, n);
					c.messageLength += n;
					if (fin) {
						echoed(c);
					}
				}
				default -> fail(c, "a frame with opcode " + op, "read");
			}
			return true;
		}

		void echoed(Conn c) {
			long now = System.nanoTime();
			if (c.sentAt == 0) {
				fail(c, "a message the client did not ask for", "status");
				return;
			}
			if (c.messageOpcode != c.expectedOpcode || c.messageLength != c.expectedLength
					|| !Arrays.equals(c.message, 0, c.messageLength, c.expected, 0, c.expectedLength)) {
				fail(c, "a wrong echo: " + c.messageLength + " bytes of opcode " + c.messageOpcode + " for "
						+ c.expectedLength + " bytes of opcode " + c.expectedOpcode, "status");
				return;
			}
			if (check || now < end) {
				this.requests++;
				this.bytes += c.messageLength;
				this.latency.record((now - c.sentAt) / 1000);
			}
			c.sentAt = 0;
			this.inFlight--;
			if (now < end && !abort) {
				sendNext(c);
			}
		}

		void sendNext(Conn c) {
			int op = opcode, length = size;
			if (check) {
				if (c.seq == CHECK.length) {
					return;
				}
				op = CHECK[(int) c.seq][0];
				length = CHECK[(int) c.seq][1];
			}
			fill(c.expected, length, op, c.id, c.seq++);
			c.expectedLength = length;
			c.expectedOpcode = op;
			c.sentAt = System.nanoTime();
			this.inFlight++;
			frame(c, op, c.expected, length);
		}

		/** Writes one masked frame (client frames must be masked). */
		void frame(Conn c, int op, byte[] payload, int length) {
			if (c.done) {
				return;
			}
			if (c.out.remaining() < length + 14) {
				c.out = ByteBuffer.allocate(c.out.position() + length + 14).put(c.out.flip());
			}
			ByteBuffer out = c.out;
			out.put((byte) (0x80 | op));
			if (length < 126) {
				out.put((byte) (0x80 | length));
			}
			else if (length < 65536) {
				out.put((byte) (0x80 | 126)).putShort((short) length);
			}
			else {
				out.put((byte) (0x80 | 127)).putLong(length);
			}
			int mask = this.random.nextInt();
			out.putInt(mask);
			byte[] m = { (byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask };
			for (int i = 0; i < length; i++) {
				out.put((byte) (payload[i] ^ m[i & 3]));
			}
			flush(c);
		}

		void fail(Conn c, String reason, String counter) {
			reasons.add(reason);
			switch (counter) {
				case "connect" -> this.connect++;
				case "status" -> this.status++;
				case "timeout" -> this.timeouts++;
				case "write" -> this.write++;
				default -> this.read++;
			}
			close(c);
		}

		void close(Conn c) {
			c.done = true;
			if (c.sentAt != 0) {
				c.sentAt = 0;
				this.inFlight--;
			}
			try {
				if (c.channel != null) {
					c.channel.close();
				}
			}
			catch (IOException ex) {
				// closing: nothing left to do with it
			}
		}

	}

	/**
	 * The payload of message {@code seq} of connection {@code id}: unique at its start, so that an
	 * echo of another message fails the comparison. Text is valid UTF-8; in --check, it carries
	 * characters of 2, 3 and 4 bytes.
	 */
	void fill(byte[] buf, int length, int op, int id, long seq) {
		byte[] tag = (id + ":" + seq + ":").getBytes(StandardCharsets.US_ASCII);
		int i = Math.min(tag.length, length);
		System.arraycopy(tag, 0, buf, 0, i);
		byte[] wide = "é✓😀".getBytes(StandardCharsets.UTF_8);
		while (i < length) {
			if (op == TEXT && this.check && i % 64 == 0 && length - i >= wide.length) {
				System.arraycopy(wide, 0, buf, i, wide.length);
				i += wide.length;
			}
			else {
				buf[i] = (op == TEXT) ? (byte) ('a' + (seq + i) % 26) : (byte) (seq * 31 + i * 7);
				i++;
			}
		}
	}

	static String header(String[] lines, String name) {
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase(name)) {
				return lines[i].substring(colon + 1).trim();
			}
		}
		return null;
	}

	static String acceptFor(String key) {
		try {
			byte[] sha1 = MessageDigest.getInstance("SHA-1")
				.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(sha1);
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Latencies in µs, 1024 buckets per power of two above 2048 µs (under 0.1% error), exact below:
	 * a bounded array whatever the count, like HdrHistogram with three significant digits.
	 */
	static final class Histogram {

		final long[] counts = new long[1024 * 40];

		long count, max;

		void record(long us) {
			long v = Math.max(0, Math.min(us, (1L << 48) - 1));
			int shift = Math.max(0, 63 - Long.numberOfLeadingZeros(v) - 10);
			this.counts[1024 * shift + (int) (v >>> shift)]++;
			this.count++;
			this.max = Math.max(this.max, v);
		}

		void add(Histogram other) {
			for (int i = 0; i < this.counts.length; i++) {
				this.counts[i] += other.counts[i];
			}
			this.count += other.count;
			this.max = Math.max(this.max, other.max);
		}

		long percentile(double p) {
			long rank = (long) Math.ceil(p / 100 * this.count), seen = 0;
			for (int i = 0; i < this.counts.length; i++) {
				seen += this.counts[i];
				if (seen >= rank && this.counts[i] > 0) {
					int shift = Math.max(0, i / 1024 - 1);
					long low = (long) (i - 1024 * shift) << shift;
					return Math.min(this.max, low + ((1L << shift) - 1) / 2);
				}
			}
			return this.max;
		}

	}

}
