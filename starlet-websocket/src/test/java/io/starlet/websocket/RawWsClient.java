package io.starlet.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.starlet.websocket.ServerFrames.Frame;

/**
 * A WebSocket client on a plain socket, for tests that must send what a real client never would
 * (unmasked frames, bad UTF-8, reserved opcodes). Every read has a timeout: a test never hangs.
 */
final class RawWsClient implements AutoCloseable {

	static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

	final Socket socket;

	final int status;

	final Map<String, String> headers;

	private final InputStream in;

	private final OutputStream out;

	private final ServerFrames frames = new ServerFrames();

	private final ArrayDeque<Frame> ready = new ArrayDeque<>();

	private RawWsClient(Socket socket, int status, Map<String, String> headers, byte[] leftover) {
		this.socket = socket;
		this.status = status;
		this.headers = headers;
		try {
			this.in = socket.getInputStream();
			this.out = socket.getOutputStream();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.ready.addAll(this.frames.add(leftover));
	}

	/** Sends a handshake for {@code path} with the standard headers plus {@code extra} (name, value, ...). */
	static RawWsClient connect(int port, String path, String... extra) throws IOException {
		StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY
				+ "\r\nSec-WebSocket-Version: 13\r\n");
		for (int i = 0; i < extra.length; i += 2) {
			request.append(extra[i]).append(": ").append(extra[i + 1]).append("\r\n");
		}
		return handshake(port, request.append("\r\n").toString());
	}

	/** Sends {@code request} as is and reads the response head. */
	static RawWsClient handshake(int port, String request) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
		socket.setSoTimeout(10_000);
		socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		int end;
		while ((end = headEnd(head.toByteArray())) < 0) {
			int n = in.read(buffer);
			if (n < 0) {
				throw new IOException("closed before the response head: " + head);
			}
			head.write(buffer, 0, n);
		}
		byte[] all = head.toByteArray();
		String[] lines = new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
					(a, b) -> a + ", " + b);
		}
		byte[] leftover = java.util.Arrays.copyOfRange(all, end + 4, all.length);
		return new RawWsClient(socket, status, headers, status == 101 ? leftover : new byte[0]);
	}

	private static int headEnd(byte[] b) {
		for (int i = 0; i + 3 < b.length; i++) {
			if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
				return i;
			}
		}
		return -1;
	}

	String header(String name) {
		return this.headers.get(name.toLowerCase(Locale.ROOT));
	}

	void send(byte[]... frames) throws IOException {
		for (byte[] frame : frames) {
			this.out.write(frame);
		}
		this.out.flush();
	}

	/** The next frame from the server (10 s at most). */
	Frame next() throws IOException {
		byte[] buffer = new byte[64 * 1024];
		while (this.ready.isEmpty()) {
			int n = this.in.read(buffer);
			if (n < 0) {
				throw new IOException("the server closed the connection");
			}
			this.ready.addAll(this.frames.add(java.util.Arrays.copyOf(buffer, n)));
		}
		return this.ready.poll();
	}

	/** Whether the server closes the socket (EOF) within 10 s, with no further frame. */
	boolean closedByServer() throws IOException {
		if (!this.ready.isEmpty()) {
			return false;
		}
		try {
			return this.in.read() < 0;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			// A reset after the close is a close too.
			return true;
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
