package io.starlet.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.WebConnection;

/**
 * An in-memory {@link WebConnection} that follows the engine's contract: the test feeds client
 * bytes and the connection runs {@code onDataAvailable} on the test's thread; output is
 * buffered, {@code isReady()} is false above {@link #threshold} bytes the "client" has not taken,
 * and {@link #take} runs {@code onWritePossible} when the output drains below it. Callbacks are
 * serialised with one lock, as the engine runs at most one per connection at a time.
 */
final class MemoryConnection implements WebConnection {

	final int threshold;

	private final Object callbacks = new Object();

	private final ArrayDeque<byte[]> input = new ArrayDeque<>();

	private final ByteArrayOutputStream output = new ByteArrayOutputStream();

	private int offset;

	private boolean eof;

	private ReadListener readListener;

	private WriteListener writeListener;

	private long unsent;

	private boolean waitingForWrite;

	private volatile boolean closed;

	MemoryConnection(int threshold) {
		this.threshold = threshold;
	}

	private final ServletInputStream in = new ServletInputStream() {

		@Override
		public boolean isFinished() {
			synchronized (MemoryConnection.this) {
				return MemoryConnection.this.eof && MemoryConnection.this.input.isEmpty();
			}
		}

		@Override
		public boolean isReady() {
			synchronized (MemoryConnection.this) {
				return !MemoryConnection.this.input.isEmpty();
			}
		}

		@Override
		public void setReadListener(ReadListener readListener) {
			MemoryConnection.this.readListener = readListener;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
		}

		@Override
		public int read(byte[] b, int off, int len) {
			synchronized (MemoryConnection.this) {
				byte[] chunk = MemoryConnection.this.input.peek();
				if (chunk == null) {
					return MemoryConnection.this.eof ? -1 : 0;
				}
				int n = Math.min(len, chunk.length - MemoryConnection.this.offset);
				System.arraycopy(chunk, MemoryConnection.this.offset, b, off, n);
				MemoryConnection.this.offset += n;
				if (MemoryConnection.this.offset == chunk.length) {
					MemoryConnection.this.input.poll();
					MemoryConnection.this.offset = 0;
				}
				return n;
			}
		}

	};

	private final ServletOutputStream out = new ServletOutputStream() {

		@Override
		public boolean isReady() {
			synchronized (MemoryConnection.this) {
				boolean ready = MemoryConnection.this.unsent < MemoryConnection.this.threshold;
				if (!ready) {
					MemoryConnection.this.waitingForWrite = true;
				}
				return ready;
			}
		}

		@Override
		public void setWriteListener(WriteListener writeListener) {
			MemoryConnection.this.writeListener = writeListener;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			synchronized (MemoryConnection.this) {
				if (MemoryConnection.this.closed) {
					throw new IOException("closed");
				}
				MemoryConnection.this.output.write(b, off, len);
				MemoryConnection.this.unsent += len;
			}
		}

	};

	@Override
	public ServletInputStream getInputStream() {
		return this.in;
	}

	@Override
	public ServletOutputStream getOutputStream() {
		return this.out;
	}

	@Override
	public void close() {
		this.closed = true;
	}

	boolean isClosed() {
		return this.closed;
	}

	/** Client bytes arrive: onDataAvailable runs on this thread. */
	void feed(byte[]... chunks) {
		synchronized (this) {
			for (byte[] chunk : chunks) {
				this.input.add(chunk);
			}
		}
		synchronized (this.callbacks) {
			unchecked(this.readListener::onDataAvailable);
		}
	}

	/** The client closed its side. */
	void endOfInput() {
		synchronized (this) {
			this.eof = true;
		}
		synchronized (this.callbacks) {
			unchecked(this.readListener::onAllDataRead);
		}
	}

	/** Runs a callback as the engine would: serialised with the others. */
	void callback(Runnable callback) {
		synchronized (this.callbacks) {
			callback.run();
		}
	}

	/** The client reads everything written so far; onWritePossible runs if the output had stalled. */
	byte[] take() {
		byte[] taken;
		boolean notify;
		synchronized (this) {
			taken = this.output.toByteArray();
			this.output.reset();
			this.unsent = 0;
			notify = this.waitingForWrite;
			this.waitingForWrite = false;
		}
		if (notify) {
			synchronized (this.callbacks) {
				unchecked(this.writeListener::onWritePossible);
			}
		}
		return taken;
	}

	interface IoCallback {

		void run() throws IOException;

	}

	private static void unchecked(IoCallback callback) {
		try {
			callback.run();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	synchronized long unsent() {
		return this.unsent;
	}

}
