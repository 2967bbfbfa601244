package io.starlet.websocket;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import jakarta.websocket.EncodeException;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;

/**
 * The two {@link RemoteEndpoint}s of a session. Both queue frames on the session's non-blocking
 * output; {@link Basic} then waits until the bytes are handed to the engine (bounded by the send
 * timeout, and by the engine's write timeout, which fails the connection), {@link Async} returns
 * at once. Partial messages keep their state here: a continuation follows its first fragment and
 * no whole message may start while one is open (Jakarta WebSocket 2.2 §2.1.4).
 */
abstract class Remote implements RemoteEndpoint {

	final WsSession session;

	/** The opcode of the partial message being sent, 0 when none is open; guarded by {@code this}. */
	private int openFragment;

	Remote(WsSession session) {
		this.session = session;
	}

	/**
	 * Queues a data frame, keeping the partial-message state. Synchronized on the session's
	 * {@code Basic} so the frame order matches the fragment order whichever remote sends.
	 */
	CompletableFuture<Void> data(int opcode, ByteBuffer payload, boolean last) {
		this.session.checkOpenForSending();
		// Compressed before the lock (each message on its own: no state shared between messages);
		// used only if the message turns out to be whole, not the end of a fragmented one.
		ByteBuffer compressed = last && this.session.compresses() && payload.remaining() >= PerMessageDeflate.MIN_SIZE
				? PerMessageDeflate.compress(payload) : null;
		Object guard = this.session.getBasicRemote();
		CompletableFuture<Void> future;
		synchronized (guard) {
			Remote state = (Remote) guard;
			int frameOpcode;
			if (state.openFragment == 0) {
				frameOpcode = opcode;
			}
			else if (state.openFragment == opcode) {
				frameOpcode = Opcode.CONTINUATION;
			}
			else {
				throw new IllegalStateException("A partial " + Opcode.name(state.openFragment)
						+ " message is being sent; finish it before sending a " + Opcode.name(opcode) + " message");
			}
			state.openFragment = last ? 0 : opcode;
			ByteBuffer body = (compressed != null && frameOpcode != Opcode.CONTINUATION) ? compressed : payload.duplicate();
			ByteBuffer header = FrameWriter.header(last, body == compressed, frameOpcode, body.remaining());
			future = this.session.sender().queueFrame(new ByteBuffer[] { header, body }, last);
		}
		// Outside the lock: draining runs completions, which are application code.
		this.session.sender().drain();
		return future;
	}

	CompletableFuture<Void> text(String text, boolean last) {
		return data(Opcode.TEXT, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), last);
	}

	CompletableFuture<Void> object(Object value) throws IOException, EncodeException {
		if (value == null) {
			throw new IllegalArgumentException("Cannot send null");
		}
		this.session.checkOpenForSending();
		Codecs.Encoded encoded = this.session.codecs().encode(value);
		return encoded.text() != null ? text(encoded.text(), true) : data(Opcode.BINARY, encoded.binary(), true);
	}

	@Override
	public void setBatchingAllowed(boolean allowed) {
		// Batching is not offered: every send is flushed to the engine, which writes without blocking.
	}

	@Override
	public boolean getBatchingAllowed() {
		return false;
	}

	@Override
	public void flushBatch() {
		// Nothing is ever batched (see setBatchingAllowed).
	}

	@Override
	public void sendPing(ByteBuffer data) throws IOException {
		this.session.sendControl(FrameWriter.ping(control(data)));
	}

	@Override
	public void sendPong(ByteBuffer data) throws IOException {
		this.session.sendControl(FrameWriter.pong(control(data)));
	}

	private static byte[] control(ByteBuffer data) {
		if (data == null) {
			return new byte[0];
		}
		if (data.remaining() > 125) {
			throw new IllegalArgumentException("A ping or pong carries at most 125 bytes, not " + data.remaining());
		}
		byte[] bytes = new byte[data.remaining()];
		data.duplicate().get(bytes);
		return bytes;
	}

	/** {@link RemoteEndpoint.Basic}: returns when the message is handed to the engine. */
	static final class Basic extends Remote implements RemoteEndpoint.Basic {

		Basic(WsSession session) {
			super(session);
		}

		private void await(CompletableFuture<Void> future) throws IOException {
			this.session.sender().await(future, ((Remote.Async) this.session.getAsyncRemote()).getSendTimeout());
		}

		@Override
		public void sendText(String text) throws IOException {
			await(text(requireNonNull(text), true));
		}

		@Override
		public void sendBinary(ByteBuffer data) throws IOException {
			await(data(Opcode.BINARY, requireNonNull(data), true));
			data.position(data.limit());
		}

		@Override
		public void sendText(String partialMessage, boolean isLast) throws IOException {
			await(text(requireNonNull(partialMessage), isLast));
		}

		@Override
		public void sendBinary(ByteBuffer partialByte, boolean isLast) throws IOException {
			await(data(Opcode.BINARY, requireNonNull(partialByte), isLast));
			partialByte.position(partialByte.limit());
		}

		@Override
		public OutputStream getSendStream() {
			return new MessageStream(this);
		}

		@Override
		public Writer getSendWriter() {
			return new MessageWriter(this);
		}

		@Override
		public void sendObject(Object data) throws IOException, EncodeException {
			await(object(data));
		}

	}

	/** {@link RemoteEndpoint.Async}: returns at once; a Future or SendHandler reports the end. */
	static final class Async extends Remote implements RemoteEndpoint.Async {

		private volatile long sendTimeout;

		Async(WsSession session, long sendTimeout) {
			super(session);
			this.sendTimeout = sendTimeout;
		}

		@Override
		public long getSendTimeout() {
			return this.sendTimeout;
		}

		@Override
		public void setSendTimeout(long timeoutmillis) {
			this.sendTimeout = timeoutmillis;
		}

		private CompletableFuture<Void> timed(CompletableFuture<Void> future) {
			this.session.sender().enforceTimeout(future, this.sendTimeout);
			return future;
		}

		private void handled(CompletableFuture<Void> future, SendHandler handler) {
			if (handler == null) {
				throw new IllegalArgumentException("SendHandler must not be null");
			}
			timed(future).whenComplete((ignored, failure) -> handler.onResult(failure == null
					? new SendResult(this.session) : new SendResult(this.session, unwrap(failure))));
		}

		@Override
		public void sendText(String text, SendHandler handler) {
			handled(text(requireNonNull(text), true), handler);
		}

		@Override
		public Future<Void> sendText(String text) {
			return timed(text(requireNonNull(text), true));
		}

		@Override
		public Future<Void> sendBinary(ByteBuffer data) {
			return timed(data(Opcode.BINARY, requireNonNull(data), true));
		}

		@Override
		public void sendBinary(ByteBuffer data, SendHandler handler) {
			handled(data(Opcode.BINARY, requireNonNull(data), true), handler);
		}

		@Override
		public Future<Void> sendObject(Object data) {
			return timed(encodeQuietly(data));
		}

		@Override
		public void sendObject(Object data, SendHandler handler) {
			handled(encodeQuietly(data), handler);
		}

		private CompletableFuture<Void> encodeQuietly(Object data) {
			try {
				return object(data);
			}
			catch (IOException | EncodeException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}

		private static Throwable unwrap(Throwable failure) {
			return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
					? failure.getCause() : failure;
		}

	}

	private static <T> T requireNonNull(T value) {
		if (value == null) {
			throw new IllegalArgumentException("Cannot send null");
		}
		return value;
	}

	/** {@code getSendStream()}: a binary message sent in fragments as it is written. */
	private static final class MessageStream extends OutputStream {

		private static final int FRAGMENT = 16 * 1024;

		private final Basic remote;

		private byte[] buffer = new byte[FRAGMENT];

		private int count;

		private boolean closed;

		MessageStream(Basic remote) {
			this.remote = remote;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			if (this.closed) {
				throw new IOException("Stream closed");
			}
			while (len > 0) {
				if (this.count == this.buffer.length) {
					this.remote.sendBinary(ByteBuffer.wrap(this.buffer, 0, this.count), false);
					this.buffer = new byte[FRAGMENT];
					this.count = 0;
				}
				int n = Math.min(len, this.buffer.length - this.count);
				System.arraycopy(b, off, this.buffer, this.count, n);
				this.count += n;
				off += n;
				len -= n;
			}
		}

		@Override
		public void close() throws IOException {
			if (!this.closed) {
				this.closed = true;
				this.remote.sendBinary(ByteBuffer.wrap(this.buffer, 0, this.count), true);
			}
		}

	}

	/** {@code getSendWriter()}: a text message sent in fragments as it is written. */
	private static final class MessageWriter extends Writer {

		private static final int FRAGMENT = 8 * 1024;

		private final Basic remote;

		private final StringBuilder buffer = new StringBuilder();

		private boolean closed;

		MessageWriter(Basic remote) {
			this.remote = remote;
		}

		@Override
		public void write(char[] cbuf, int off, int len) throws IOException {
			if (this.closed) {
				throw new IOException("Writer closed");
			}
			this.buffer.append(cbuf, off, len);
			if (this.buffer.length() >= FRAGMENT) {
				// Keep a trailing high surrogate for the next fragment: a String cannot end mid-pair.
				int end = this.buffer.length();
				if (Character.isHighSurrogate(this.buffer.charAt(end - 1))) {
					end--;
				}
				this.remote.sendText(this.buffer.substring(0, end), false);
				this.buffer.delete(0, end);
			}
		}

		@Override
		public void flush() {
			// Fragments go out as the buffer fills; the rest goes with close().
		}

		@Override
		public void close() throws IOException {
			if (!this.closed) {
				this.closed = true;
				this.remote.sendText(this.buffer.toString(), true);
			}
		}

	}

}
