package io.starlet.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw-socket HTTP client for wire tests: sends exact bytes and reads responses one by one,
 * framing them by Content-Length or chunked coding, so tests can see every byte the server sends.
 */
public final class RawClient implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	public RawClient(int port) throws IOException {
		this(port, 0);
	}

	/**
	 * A client whose socket takes at most about {@code receiveBufferSize} bytes before the server
	 * must wait for it to read (0: the system's default): a slow reader's window.
	 */
	public RawClient(int port, int receiveBufferSize) throws IOException {
		this.socket = new Socket();
		if (receiveBufferSize > 0) {
			this.socket.setReceiveBufferSize(receiveBufferSize);
		}
		this.socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
		this.socket.setSoTimeout(10000);
		this.in = this.socket.getInputStream();
		this.out = this.socket.getOutputStream();
	}

	/**
	 * Whether something accepts connections on the port: false once the server has closed its
	 * listener (a graceful shutdown has begun).
	 */
	public static boolean listening(int port) {
		try (java.net.Socket socket = new java.net.Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	public RawClient send(String text) throws IOException {
		this.out.write(text.getBytes(StandardCharsets.ISO_8859_1));
		this.out.flush();
		return this;
	}

	public RawClient send(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
		return this;
	}

	/**
	 * Sends the bytes in pieces cut at the given offsets, flushing and pausing between them. The
	 * pause is the client's pace, not a wait for the server: it makes the pieces likely to arrive
	 * in separate reads, and a test passes whichever way the kernel delivers them.
	 */
	public RawClient sendInPieces(byte[] bytes, int[] cuts, long pauseMillis) throws IOException, InterruptedException {
		int from = 0;
		for (int cut : cuts) {
			this.out.write(bytes, from, cut - from);
			this.out.flush();
			Thread.sleep(pauseMillis);
			from = cut;
		}
		this.out.write(bytes, from, bytes.length - from);
		this.out.flush();
		return this;
	}

	/**
	 * Bytes this client sent that the server has not read yet, as the kernel counts them in the
	 * server socket's receive queue ({@code /proc/net/tcp}); -1 where that is not known (not
	 * Linux). Lets a test wait until the server has read a request it gives no sign of.
	 */
	public long unreadByServer() throws IOException {
		String serverSide = String.format(":%04X", this.socket.getPort());
		String clientSide = String.format(":%04X", this.socket.getLocalPort());
		for (String table : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
			java.nio.file.Path path = java.nio.file.Path.of(table);
			if (!java.nio.file.Files.isReadable(path)) {
				continue;
			}
			for (String line : java.nio.file.Files.readAllLines(path)) {
				// sl local_address rem_address st tx_queue:rx_queue ...
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 4 && fields[1].endsWith(serverSide) && fields[2].endsWith(clientSide)) {
					return Long.parseLong(fields[4].substring(fields[4].indexOf(':') + 1), 16);
				}
			}
		}
		return -1;
	}

	/** Reads one response; null when the server closed the connection first. */
	public Response read() throws IOException {
		return read(false);
	}

	/** Reads the response to a HEAD request: a head, never a body, whatever Content-Length says. */
	public Response readHeadResponse() throws IOException {
		return read(true);
	}

	/**
	 * Reads until what has arrived ends with {@code expected} (a streamed response's next piece),
	 * as text; fails when the server closes first or stays silent for the read timeout (10 s).
	 */
	public String readUntil(String expected) throws IOException {
		StringBuilder received = new StringBuilder();
		while (received.length() < expected.length()
				|| !received.substring(received.length() - expected.length()).equals(expected)) {
			int c = this.in.read();
			if (c < 0) {
				throw new java.io.EOFException("closed before \"" + expected + "\" came: " + received);
			}
			received.append((char) c);
		}
		return received.toString();
	}

	/** What the server sends within {@code millis} without being asked, as text ("" if nothing). */
	public String readWithin(int millis) throws IOException {
		this.socket.setSoTimeout(millis);
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try {
			byte[] buf = new byte[1024];
			int n;
			while ((n = this.in.read(buf)) > 0) {
				received.write(buf, 0, n);
			}
		}
		catch (SocketTimeoutException ex) {
			// nothing more
		}
		finally {
			this.socket.setSoTimeout(10000);
		}
		return received.toString(StandardCharsets.ISO_8859_1);
	}

	private Response read(boolean headOnly) throws IOException {
		String head = readHead();
		if (head == null) {
			return null;
		}
		Response response = Response.parseHead(head);
		if (response.status() == 100 || headOnly) {
			return response;
		}
		String length = response.header("Content-Length");
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		if ("chunked".equalsIgnoreCase(response.header("Transfer-Encoding"))) {
			while (true) {
				String sizeLine = readLine();
				int size = Integer.parseInt(sizeLine.trim(), 16);
				if (size == 0) {
					readLine();
					break;
				}
				body.write(this.in.readNBytes(size));
				readLine();
			}
		}
		else if (length != null) {
			body.write(this.in.readNBytes(Integer.parseInt(length)));
		}
		else if (response.header("Connection") != null && response.header("Connection").equalsIgnoreCase("close")
				&& response.status() >= 200 && response.status() != 204 && response.status() != 304) {
			body.write(this.in.readAllBytes());
		}
		return response.withBody(body.toString(StandardCharsets.ISO_8859_1));
	}

	/** Half-closes: the server reads end of stream, this client can still read. */
	public RawClient shutdownOutput() throws IOException {
		this.socket.shutdownOutput();
		return this;
	}

	/** Waits for the server to close: true on EOF, false if it kept the connection for {@code millis}. */
	public boolean closedByServer(int millis) throws IOException {
		this.socket.setSoTimeout(millis);
		try {
			return this.in.read() < 0;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true; // reset
		}
		finally {
			this.socket.setSoTimeout(10000);
		}
	}

	private String readHead() throws IOException {
		StringBuilder sb = new StringBuilder();
		int c;
		while ((c = this.in.read()) >= 0) {
			sb.append((char) c);
			if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
				return sb.toString();
			}
		}
		return sb.isEmpty() ? null : sb.toString();
	}

	private String readLine() throws IOException {
		StringBuilder sb = new StringBuilder();
		int c;
		while ((c = this.in.read()) >= 0 && c != '\n') {
			if (c != '\r') {
				sb.append((char) c);
			}
		}
		return sb.toString();
	}

	/** Reads a response head from {@code in}, through its blank line; fails if the stream ends first. */
	public static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int c = in.read();
			if (c < 0) {
				throw new java.io.EOFException("closed in the head: " + head);
			}
			head.append((char) c);
		}
		return head.toString();
	}

	/** Reads at most {@code n} bytes of whatever comes, as they arrive; fewer if the server closes. */
	public byte[] readSome(int n) throws IOException {
		return this.in.readNBytes(n);
	}

	/** Closes with a reset (RST), as a client that crashes or gives up does: nothing is drained. */
	public void reset() throws IOException {
		this.socket.setSoLinger(true, 0);
		this.socket.close();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	public record Response(int status, String head, String body) {

		static Response parseHead(String head) {
			String statusLine = head.substring(0, head.indexOf("\r\n"));
			return new Response(Integer.parseInt(statusLine.split(" ")[1]), head, "");
		}

		public Response withBody(String body) {
			return new Response(this.status, this.head, body);
		}

		/** Every value of the field, in order. */
		public java.util.List<String> headers(String name) {
			java.util.List<String> values = new java.util.ArrayList<>();
			for (String line : this.head.split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
					values.add(line.substring(colon + 1).trim());
				}
			}
			return values;
		}

		public String header(String name) {
			for (String line : this.head.split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
					return line.substring(colon + 1).trim();
				}
			}
			return null;
		}

	}

}
