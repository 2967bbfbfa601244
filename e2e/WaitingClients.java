import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The e2e checks of "nothing that waits holds a worker", against the running sample application:
 *
 * <pre>
 * java WaitingClients.java PORT MAX_WORKERS CHECK...
 *   stalled  30 uploads that declare 200 kB, send 100 bytes and stop; a fresh GET /hello is
 *            answered in under 1 s meanwhile
 *   huge     a 1 TB Content-Length gets 413 at once
 *   downloads  6 clients with a 4 KiB receive window POST 6 MB to /echo and read only the head
 *            of the 6 MB answer; the workers go back to the pool (the server holds the rest, 1 MB
 *            in memory and the others in temporary files, which health reports) and a fresh
 *            GET /hello is answered in under 1 s; then every client reads its whole answer, byte
 *            for byte
 *   polls    40 DeferredResult long polls of 3 s (GET /poll); a fresh GET /hello is answered in
 *            under 1 s while they wait; all 40 are answered, the set in well under 40 x 3 s / 2
 *   sse      200 SseEmitter subscribers (GET /stream, 5 events a second apart) each receive every
 *            event, all within 30 s (a worker held per stream would take 200 / MAX_WORKERS x 5 s)
 *   flood PID LOG  400 connections to a server limited to 256 descriptors: it uses under 10% of a
 *            core and writes under 100 log lines while saturated, then serves again
 * </pre>
 * Meanwhile a monitor reads /actuator/health every 100 ms: busy workers never exceed MAX_WORKERS.
 * Prints one PASS or FAIL line per check; exit status 0 only if every check passed.
 */
public class WaitingClients {

	private static final Pattern IN_FILES = Pattern.compile("\"unsentResponseFileBytes\"\\s*:\\s*(\\d+)");
	private static final Pattern BUSY = Pattern.compile("\"busyWorkers\"\\s*:\\s*(\\d+)");

	private static int port;

	private static int maxWorkers;

	private static boolean failed;

	public static void main(String[] args) throws Exception {
		port = Integer.parseInt(args[0]);
		maxWorkers = Integer.parseInt(args[1]);
		AtomicBoolean monitoring = new AtomicBoolean(true);
		AtomicInteger mostBusy = new AtomicInteger();
		Thread monitor = new Thread(() -> {
			while (monitoring.get()) {
				try {
					Matcher m = BUSY.matcher(get("/actuator/health", 5000).body);
					if (m.find()) {
						mostBusy.accumulateAndGet(Integer.parseInt(m.group(1)), Math::max);
					}
					Thread.sleep(100);
				}
				catch (Exception ex) {
					// the flood check makes the server refuse for a while
				}
			}
		});
		monitor.setDaemon(true);
		monitor.start();
		for (int i = 2; i < args.length; i++) {
			switch (args[i]) {
				case "stalled" -> stalled();
				case "huge" -> huge();
				case "downloads" -> downloads();
				case "polls" -> polls();
				case "sse" -> sse();
				case "flood" -> {
					flood(Long.parseLong(args[i + 1]), Path.of(args[i + 2]));
					i += 2;
				}
				default -> throw new IllegalArgumentException("unknown check " + args[i]);
			}
		}
		monitoring.set(false);
		monitor.join(10_000);
		check("busy workers never exceeded max-workers (" + maxWorkers + "): most seen " + mostBusy.get(),
				mostBusy.get() <= maxWorkers);
		System.exit(failed ? 1 : 0);
	}

	private static void stalled() throws Exception {
		List<Socket> stalled = new ArrayList<>();
		try {
			for (int i = 0; i < 30; i++) {
				Socket socket = connect();
				send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 200000\r\n\r\n"
						+ "x".repeat(100));
				stalled.add(socket);
			}
			awaitHealth("openConnections", 30);
			long start = System.nanoTime();
			Response response = get("/hello", 10_000);
			long ms = (System.nanoTime() - start) / 1_000_000;
			check("stalled: fresh GET /hello answered " + response.status + " in " + ms + " ms beside 30 stalled uploads",
					response.status == 200 && ms < 1000);
		}
		finally {
			for (Socket socket : stalled) {
				socket.close();
			}
		}
	}

	private static void huge() throws Exception {
		try (Socket socket = connect()) {
			long start = System.nanoTime();
			send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n");
			Response response = read(socket);
			long ms = (System.nanoTime() - start) / 1_000_000;
			check("huge: a 1 TB Content-Length got " + response.status + " in " + ms + " ms",
					response.status == 413 && ms < 1000 && response.body.contains("max-request-body-size"));
		}
	}

	private static void downloads() throws Exception {
		int size = 6 * 1024 * 1024;
		byte[] body = new byte[size];
		for (int i = 0; i < size; i++) {
			body[i] = (byte) ('a' + i % 26);
		}
		List<Socket> slow = new ArrayList<>();
		try {
			for (int i = 0; i < 6; i++) {
				Socket socket = new Socket();
				socket.setReceiveBufferSize(4096);
				socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
				socket.setSoTimeout(60_000);
				OutputStream out = socket.getOutputStream();
				out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
						+ "Content-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
				out.write(body);
				out.flush();
				slow.add(socket);
			}
			// each answer starts at once when the workers do not wait for the clients before it
			int heads = 0;
			for (Socket socket : slow) {
				socket.setSoTimeout(10_000);
				try {
					if (readHead(socket.getInputStream()).startsWith("HTTP/1.1 200")) {
						heads++;
					}
				}
				catch (java.net.SocketTimeoutException ex) {
					// not started: counted below
				}
				socket.setSoTimeout(60_000);
			}
			// every answer is written once no worker is busy (the health check itself takes one)
			long idleBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			boolean idle = false;
			long inFiles = 0;
			while (!idle && System.nanoTime() < idleBy) {
				try {
					String health = get("/actuator/health", 5000).body;
					Matcher m = BUSY.matcher(health);
					idle = m.find() && Integer.parseInt(m.group(1)) <= 1;
					Matcher f = IN_FILES.matcher(health);
					if (f.find()) {
						inFiles = Long.parseLong(f.group(1));
					}
				}
				catch (IOException ex) {
					// no worker free to answer: not idle
				}
				Thread.sleep(50);
			}
			long start = System.nanoTime();
			int status;
			try {
				status = get("/hello", 5000).status;
			}
			catch (IOException ex) {
				status = -1;
			}
			long ms = (System.nanoTime() - start) / 1_000_000;
			check("downloads: " + heads + " of 6 slow downloads started, the workers went back to the pool ("
					+ idle + ", " + inFiles / 1024 + " KiB held in files), a fresh GET /hello answered " + status
					+ " in " + ms + " ms", heads == 6 && idle && inFiles > 0 && status == 200 && ms < 1000);
			int whole = 0;
			for (Socket socket : slow) {
				if (java.util.Arrays.equals(socket.getInputStream().readNBytes(size), body)) {
					whole++;
				}
			}
			check("downloads: " + whole + " of 6 slow clients then read their whole 6 MB answer, byte for byte",
					whole == 6);
		}
		finally {
			for (Socket socket : slow) {
				socket.close();
			}
		}
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int c = in.read();
			if (c < 0) {
				break;
			}
			head.append((char) c);
		}
		return head.toString();
	}

	private static void polls() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(40);
		try {
			long start = System.nanoTime();
			List<Future<Response>> polls = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				polls.add(pool.submit(() -> get("/poll?ms=3000", 60_000)));
			}
			awaitHealth("suspendedRequests", 40);
			long helloStart = System.nanoTime();
			Response hello = get("/hello", 10_000);
			long helloMs = (System.nanoTime() - helloStart) / 1_000_000;
			check("polls: fresh GET /hello answered " + hello.status + " in " + helloMs + " ms beside 40 waiting polls",
					hello.status == 200 && helloMs < 1000);
			int answered = 0;
			for (Future<Response> poll : polls) {
				Response response = poll.get(60, TimeUnit.SECONDS);
				if (response.status == 200 && response.body.contains("done after 3000 ms")) {
					answered++;
				}
			}
			long ms = (System.nanoTime() - start) / 1_000_000;
			check("polls: " + answered + " of 40 long polls of 3 s answered, all in " + ms + " ms (limit 30000)",
					answered == 40 && ms < 30_000);
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static void sse() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(200);
		try {
			long start = System.nanoTime();
			List<Future<Integer>> subscribers = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				subscribers.add(pool.submit(() -> {
					Response response = get("/stream?count=5&delay=1000", 90_000);
					return (response.status == 200) ? count(response.body, "event:tick") : -1;
				}));
			}
			int complete = 0;
			for (Future<Integer> subscriber : subscribers) {
				if (subscriber.get(150, TimeUnit.SECONDS) == 5) {
					complete++;
				}
			}
			long ms = (System.nanoTime() - start) / 1_000_000;
			check("sse: " + complete + " of 200 subscribers received all 5 events, in " + ms + " ms (limit 30000)",
					complete == 200 && ms < 30_000);
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static void flood(long pid, Path log) throws Exception {
		List<SocketChannel> flood = new ArrayList<>();
		try {
			for (int i = 0; i < 400; i++) {
				SocketChannel channel = SocketChannel.open();
				channel.configureBlocking(false);
				channel.connect(new InetSocketAddress("127.0.0.1", port));
				flood.add(channel);
			}
			// saturated once accept has failed: the server logs that once
			long saturated = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!Files.readString(log, StandardCharsets.ISO_8859_1).contains("accept failed")) {
				if (System.nanoTime() > saturated) {
					check("flood: accept failed within 30 s", false);
					return;
				}
				Thread.sleep(50);
			}
			long linesBefore = lines(log);
			long ticks = cpuTicks(pid);
			long start = System.nanoTime();
			Thread.sleep(5000);
			double share = (cpuTicks(pid) - ticks) / 100.0 / ((System.nanoTime() - start) / 1e9);
			long lines = lines(log) - linesBefore;
			check(String.format("flood: saturated server used %.1f%% of a core and wrote %d log lines in 5 s", 100 * share,
					lines), share < 0.10 && lines < 100);
		}
		finally {
			for (SocketChannel channel : flood) {
				channel.close();
			}
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		int status = 0;
		while (status != 200 && System.nanoTime() < deadline) {
			try {
				status = get("/hello", 5000).status;
			}
			catch (IOException ex) {
				Thread.sleep(200);
			}
		}
		check("flood: served again after the flood (status " + status + ")", status == 200);
	}

	/** Waits (at most 30 s) until /actuator/health shows {@code detail} at least {@code atLeast}. */
	private static void awaitHealth(String detail, int atLeast) throws Exception {
		Pattern pattern = Pattern.compile("\"" + detail + "\"\\s*:\\s*(\\d+)");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (System.nanoTime() < deadline) {
			Matcher m = pattern.matcher(get("/actuator/health", 5000).body);
			if (m.find() && Integer.parseInt(m.group(1)) >= atLeast) {
				return;
			}
			Thread.sleep(50);
		}
		check("health " + detail + " reached " + atLeast + " within 30 s", false);
	}

	private static long lines(Path log) throws IOException {
		try (var stream = Files.lines(log, StandardCharsets.ISO_8859_1)) {
			return stream.count();
		}
	}

	private static long cpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	private static int count(String text, String what) {
		int n = 0;
		for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
			n++;
		}
		return n;
	}

	private static void check(String what, boolean ok) {
		System.out.println((ok ? "PASS " : "FAIL ") + what);
		failed |= !ok;
	}

	// --- a small HTTP/1.1 client: one request per connection -------------------------------------

	private record Response(int status, String body) {
	}

	private static Socket connect() throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(60_000);
		return socket;
	}

	private static void send(Socket socket, String text) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	private static Response get(String path, int timeoutMillis) throws IOException {
		try (Socket socket = connect()) {
			socket.setSoTimeout(timeoutMillis);
			send(socket, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
			return read(socket);
		}
	}

	/** Reads a response until the server closes (every request here says Connection: close). */
	private static Response read(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		byte[] buf = new byte[8192];
		int n;
		while ((n = in.read(buf)) >= 0) {
			all.write(buf, 0, n);
		}
		String text = all.toString(StandardCharsets.ISO_8859_1);
		int status = text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : 0;
		int bodyAt = text.indexOf("\r\n\r\n");
		return new Response(status, (bodyAt >= 0) ? text.substring(bodyAt + 4) : "");
	}

}
