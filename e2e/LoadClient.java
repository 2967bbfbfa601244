import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The e2e load generator: real HTTP/1.1 over raw sockets, so that every failure is seen and
 * classified (refused, reset, early EOF, timeout, non-2xx), which wrk and ab do not do precisely.
 *
 * <pre>
 * load --port P [--threads 4] [--seconds 300] [--max-requests 1000000] [--stop-file F]
 *      [--pause-ms 0] [--keepalive] [--info-every 0] [--pids-file F] [--timeout-ms 60000]
 *   Until the stop file exists (or the time or request bound is hit) each thread sends GET /hello
 *   (every Nth request GET /actuator/info, whose "pid" is recorded in the pids file: which
 *   process served). Exit 0 when every request got a 2xx, 1 otherwise.
 *
 * slow --port P [--connections 4] [--body-seconds 12] [--ready-file F] [--signal-file F]
 *   Each connection sends GET /hello (keep-alive), then POST /echo whose body trickles in over
 *   body-seconds: requests in flight when the server is told to stop. One more connection stays
 *   idle after its first request; once the signal file exists and the server has closed its
 *   listener (the drain has begun) it sends its second request on that kept-alive connection.
 *   Every request must be answered 200, the echoes in full, and during the drain with
 *   "Connection: close".
 * </pre>
 * Run it with {@code java LoadClient.java ...} (JDK 17+) or compile it once with javac.
 */
public class LoadClient {

	private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");

	public static void main(String[] args) throws Exception {
		if (args.length == 0) {
			System.err.println("usage: LoadClient load|slow --port P [options] (see the source)");
			System.exit(2);
		}
		Map<String, String> options = parse(args);
		int status = switch (args[0]) {
			case "load" -> new Load(options).run();
			case "slow" -> new Slow(options).run();
			default -> {
				System.err.println("unknown mode " + args[0]);
				yield 2;
			}
		};
		System.exit(status);
	}

	private static Map<String, String> parse(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 1; i < args.length; i++) {
			String name = args[i];
			if (!name.startsWith("--")) {
				throw new IllegalArgumentException("unexpected argument " + name);
			}
			name = name.substring(2);
			if (name.equals("keepalive")) {
				options.put(name, "true");
			}
			else if (i + 1 < args.length) {
				options.put(name, args[++i]);
			}
			else {
				throw new IllegalArgumentException("--" + name + " needs a value");
			}
		}
		if (!options.containsKey("port")) {
			throw new IllegalArgumentException("--port is required");
		}
		return options;
	}

	private static long number(Map<String, String> options, String name, long fallback) {
		String value = options.get(name);
		return (value != null) ? Long.parseLong(value) : fallback;
	}

	/** One HTTP/1.1 response as read off the wire. */
	record Response(int status, Map<String, String> headers, byte[] body) {

		boolean connectionClose() {
			return "close".equalsIgnoreCase(this.headers.getOrDefault("connection", ""));
		}

	}

	static Response readResponse(InputStream in) throws IOException {
		String statusLine = readLine(in);
		if (statusLine == null) {
			throw new IOException("connection closed before the response (early EOF)");
		}
		String[] parts = statusLine.split(" ", 3);
		if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
			throw new IOException("bad status line: " + statusLine);
		}
		int status = Integer.parseInt(parts[1]);
		Map<String, String> headers = new LinkedHashMap<>();
		for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
			int colon = line.indexOf(':');
			if (colon > 0) {
				headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
						(a, b) -> a + ", " + b);
			}
		}
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		String length = headers.get("content-length");
		if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
			while (true) {
				String size = readLine(in);
				if (size == null) {
					throw new IOException("early EOF in a chunked body");
				}
				int semicolon = size.indexOf(';');
				int chunk = Integer.parseInt((semicolon >= 0) ? size.substring(0, semicolon).trim() : size.trim(), 16);
				if (chunk == 0) {
					while (true) {
						String trailer = readLine(in);
						if (trailer == null || trailer.isEmpty()) {
							break;
						}
					}
					break;
				}
				body.write(readExactly(in, chunk));
				readLine(in);
			}
		}
		else if (length != null) {
			body.write(readExactly(in, Integer.parseInt(length)));
		}
		else if (status >= 200 && status != 204 && status != 304) {
			body.write(in.readAllBytes());
		}
		return new Response(status, headers, body.toByteArray());
	}

	private static byte[] readExactly(InputStream in, int length) throws IOException {
		byte[] bytes = in.readNBytes(length);
		if (bytes.length != length) {
			throw new IOException("early EOF: " + bytes.length + " of " + length + " body bytes");
		}
		return bytes;
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = in.read()) != -1) {
			if (c == '\n') {
				int end = line.length();
				return (end > 0 && line.charAt(end - 1) == '\r') ? line.substring(0, end - 1) : line.toString();
			}
			line.append((char) c);
			if (line.length() > 16384) {
				throw new IOException("line too long");
			}
		}
		return (line.length() == 0) ? null : line.toString();
	}

	static String classify(Exception ex) {
		if (ex instanceof ConnectException) {
			return "refused";
		}
		if (ex instanceof SocketTimeoutException) {
			return "timeout";
		}
		String message = String.valueOf(ex.getMessage()).toLowerCase(Locale.ROOT);
		if (message.contains("reset") || message.contains("broken pipe")) {
			return "reset";
		}
		if (message.contains("early eof")) {
			return "early-eof";
		}
		return "io-error";
	}

	/** The steady load: counts every request and every way it can fail. */
	static final class Load {

		private final int port;

		private final int threads;

		private final long deadline;

		private final long maxRequests;

		private final Path stopFile;

		private final long pauseMillis;

		private final boolean keepAlive;

		private final long infoEvery;

		private final Path pidsFile;

		private final int timeoutMillis;

		private final AtomicLong requests = new AtomicLong();

		private final AtomicLong ok = new AtomicLong();

		private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

		private final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();

		private final Set<Long> pids = ConcurrentHashMap.newKeySet();

		Load(Map<String, String> options) {
			this.port = (int) number(options, "port", 0);
			this.threads = (int) number(options, "threads", 4);
			this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(number(options, "seconds", 300));
			this.maxRequests = number(options, "max-requests", 1_000_000);
			this.stopFile = options.containsKey("stop-file") ? Path.of(options.get("stop-file")) : null;
			this.pauseMillis = number(options, "pause-ms", 0);
			this.keepAlive = options.containsKey("keepalive");
			this.infoEvery = number(options, "info-every", 0);
			this.pidsFile = options.containsKey("pids-file") ? Path.of(options.get("pids-file")) : null;
			this.timeoutMillis = (int) number(options, "timeout-ms", 60_000);
		}

		int run() throws InterruptedException {
			long started = System.nanoTime();
			List<Thread> workers = new ArrayList<>();
			for (int i = 0; i < this.threads; i++) {
				Thread thread = new Thread(this::loop, "load-" + i);
				thread.start();
				workers.add(thread);
			}
			for (Thread thread : workers) {
				thread.join();
			}
			long failed = this.failures.values().stream().mapToLong(AtomicLong::get).sum();
			double seconds = (System.nanoTime() - started) / 1e9;
			System.out.printf(Locale.ROOT, "requests=%d ok=%d failures=%d seconds=%.1f rate=%.0f/s%s%s%n", this.requests.get(),
					this.ok.get(), failed, seconds, this.requests.get() / Math.max(seconds, 0.001),
					this.failures.isEmpty() ? "" : " " + this.failures,
					this.pids.isEmpty() ? "" : " pids=" + this.pids);
			this.examples.stream().limit(10).forEach((example) -> System.out.println("  failure: " + example));
			if (this.requests.get() == 0) {
				System.out.println("  no request was sent");
				return 1;
			}
			return (failed == 0) ? 0 : 1;
		}

		private boolean mayContinue() {
			return System.nanoTime() - this.deadline < 0 && this.requests.get() < this.maxRequests
					&& (this.stopFile == null || !Files.exists(this.stopFile));
		}

		private void loop() {
			Socket socket = null;
			InputStream in = null;
			OutputStream out = null;
			long sent = 0;
			while (mayContinue()) {
				sent++;
				String path = (this.infoEvery > 0 && sent % this.infoEvery == 0) ? "/actuator/info" : "/hello";
				this.requests.incrementAndGet();
				try {
					if (socket == null) {
						socket = new Socket();
						socket.setSoTimeout(this.timeoutMillis);
						socket.setTcpNoDelay(true);
						socket.connect(new InetSocketAddress("127.0.0.1", this.port), this.timeoutMillis);
						in = new BufferedInputStream(socket.getInputStream());
						out = socket.getOutputStream();
					}
					String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + this.port + "\r\n"
							+ (this.keepAlive ? "" : "Connection: close\r\n") + "\r\n";
					out.write(request.getBytes(StandardCharsets.US_ASCII));
					out.flush();
					Response response = readResponse(in);
					if (response.status() >= 200 && response.status() < 300) {
						this.ok.incrementAndGet();
						if (path.equals("/actuator/info")) {
							recordPid(response);
						}
					}
					else {
						fail("status-" + response.status(), path + " answered " + response.status());
					}
					if (!this.keepAlive || response.connectionClose()) {
						socket.close();
						socket = null;
					}
				}
				catch (Exception ex) {
					fail(classify(ex), path + ": " + ex);
					closeQuietly(socket);
					socket = null;
				}
				pause();
			}
			closeQuietly(socket);
		}

		private void recordPid(Response response) {
			Matcher matcher = PID.matcher(new String(response.body(), StandardCharsets.UTF_8));
			if (matcher.find() && this.pids.add(Long.parseLong(matcher.group(1))) && this.pidsFile != null) {
				synchronized (this) {
					try {
						Files.writeString(this.pidsFile, matcher.group(1) + "\n", StandardOpenOption.CREATE,
								StandardOpenOption.APPEND);
					}
					catch (IOException ex) {
						System.err.println("cannot write " + this.pidsFile + ": " + ex);
					}
				}
			}
		}

		private void fail(String kind, String example) {
			this.failures.computeIfAbsent(kind, (k) -> new AtomicLong()).incrementAndGet();
			if (this.examples.size() < 10) {
				this.examples.add(example);
			}
		}

		private void pause() {
			if (this.pauseMillis > 0) {
				try {
					Thread.sleep(this.pauseMillis);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

	/** Requests in flight across a shutdown, and a kept-alive connection used during the drain. */
	static final class Slow {

		private final int port;

		private final int connections;

		private final long bodyMillis;

		private final Path readyFile;

		private final Path signalFile;

		private final List<String> problems = new ArrayList<>();

		Slow(Map<String, String> options) {
			this.port = (int) number(options, "port", 0);
			this.connections = (int) number(options, "connections", 4);
			this.bodyMillis = TimeUnit.SECONDS.toMillis(number(options, "body-seconds", 12));
			this.readyFile = options.containsKey("ready-file") ? Path.of(options.get("ready-file")) : null;
			this.signalFile = options.containsKey("signal-file") ? Path.of(options.get("signal-file")) : null;
		}

		int run() throws Exception {
			List<Socket> sockets = new ArrayList<>();
			try {
				for (int i = 0; i <= this.connections; i++) {
					sockets.add(keptAliveConnection());
				}
				List<Thread> threads = new ArrayList<>();
				AtomicLong completed = new AtomicLong();
				long started = System.currentTimeMillis();
				for (int i = 0; i < this.connections; i++) {
					Socket socket = sockets.get(i);
					int index = i;
					Thread thread = new Thread(() -> {
						if (trickleEcho(socket, index, started)) {
							completed.incrementAndGet();
						}
					}, "slow-" + i);
					thread.start();
					threads.add(thread);
				}
				Thread.sleep(300);
				if (this.readyFile != null) {
					Files.writeString(this.readyFile, "ready\n");
				}
				boolean probeAnswered = probeDuringDrain(sockets.get(this.connections));
				for (Thread thread : threads) {
					thread.join(this.bodyMillis + 120_000);
				}
				System.out.printf(Locale.ROOT,
						"in-flight requests=%d completed=%d failures=%d; kept-alive request during the drain answered=%s%n",
						this.connections, completed.get(), this.connections - completed.get(), probeAnswered);
				synchronized (this.problems) {
					this.problems.forEach((problem) -> System.out.println("  failure: " + problem));
				}
				return (completed.get() == this.connections && probeAnswered) ? 0 : 1;
			}
			finally {
				for (Socket socket : sockets) {
					closeQuietly(socket);
				}
			}
		}

		/**
		 * A connection that has served one request and stays open. A worker's last request before
		 * it retires (max-reqs-per-child) is answered with Connection: close: then try again.
		 */
		private Socket keptAliveConnection() throws IOException {
			Response last = null;
			for (int attempt = 0; attempt < 50; attempt++) {
				Socket socket = new Socket();
				try {
					socket.setSoTimeout(120_000);
					socket.connect(new InetSocketAddress("127.0.0.1", this.port), 30_000);
					InputStream in = new BufferedInputStream(socket.getInputStream());
					socket.getOutputStream().write(("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
						.getBytes(StandardCharsets.US_ASCII));
					last = readResponse(in);
					if (last.status() == 200 && !last.connectionClose()) {
						return socket;
					}
				}
				catch (IOException ex) {
					closeQuietly(socket);
					throw ex;
				}
				closeQuietly(socket);
			}
			throw new IOException("no kept-alive connection in 50 attempts; last answer: " + last.status() + " "
					+ last.headers());
		}

		// 24 pieces of 2.8 KB: larger than what the acceptor buffers (head size + 16 KB), so a worker
		// takes the request at once and reads the body as it trickles in: a request in flight.
		private boolean trickleEcho(Socket socket, int index, long started) {
			int pieces = 24;
			byte[] piece = ("piece-of-request-" + index + "-").repeat(150).getBytes(StandardCharsets.US_ASCII);
			try {
				OutputStream out = socket.getOutputStream();
				out.write(("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: "
						+ (pieces * piece.length) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
				out.flush();
				ByteArrayOutputStream sent = new ByteArrayOutputStream();
				for (int i = 0; i < pieces; i++) {
					Thread.sleep(this.bodyMillis / pieces);
					out.write(piece);
					out.flush();
					sent.write(piece);
				}
				Response response = readResponse(new BufferedInputStream(socket.getInputStream()));
				if (response.status() != 200) {
					return problem("slow POST " + index + " answered " + response.status());
				}
				if (!java.util.Arrays.equals(response.body(), sent.toByteArray())) {
					return problem("slow POST " + index + " echoed " + response.body().length + " of " + sent.size()
							+ " bytes");
				}
				if (!response.connectionClose()) {
					return problem("slow POST " + index + " answered during the drain without Connection: close");
				}
				return true;
			}
			catch (Exception ex) {
				return problem("slow POST " + index + " after " + (System.currentTimeMillis() - started) + " ms: "
						+ classify(ex) + " " + ex);
			}
		}

		/**
		 * Waits for the signal, then for the listener to close (connect refused: the drain has
		 * begun), then sends a second request on an idle kept-alive connection.
		 */
		private boolean probeDuringDrain(Socket socket) throws Exception {
			if (this.signalFile == null) {
				return problem("no --signal-file: the drain is not probed");
			}
			long until = System.currentTimeMillis() + this.bodyMillis + 60_000;
			while (!Files.exists(this.signalFile) && System.currentTimeMillis() < until) {
				Thread.sleep(50);
			}
			boolean refused = false;
			long drainDeadline = System.currentTimeMillis() + this.bodyMillis * 2 / 3;
			while (!refused && System.currentTimeMillis() < drainDeadline) {
				try (Socket probe = new Socket()) {
					probe.connect(new InetSocketAddress("127.0.0.1", this.port), 2000);
					Thread.sleep(100);
				}
				catch (ConnectException ex) {
					refused = true;
				}
			}
			if (!refused) {
				return problem("the server still accepted connections " + (this.bodyMillis * 2 / 3)
						+ " ms after the signal: the drain was not observed");
			}
			try {
				socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
					.getBytes(StandardCharsets.US_ASCII));
				Response response = readResponse(new BufferedInputStream(socket.getInputStream()));
				if (response.status() != 200 || !response.connectionClose()) {
					return problem("kept-alive request during the drain answered " + response.status() + " "
							+ response.headers());
				}
				return true;
			}
			catch (Exception ex) {
				return problem("kept-alive request during the drain: " + classify(ex) + " " + ex);
			}
		}

		private boolean problem(String problem) {
			synchronized (this.problems) {
				this.problems.add(problem);
			}
			return false;
		}

	}

	static void closeQuietly(Socket socket) {
		if (socket != null) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}
	}

}
