package io.starlet.websocket;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.websocket.Decoder;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;

/**
 * Where a session's incoming messages go: at most one handler each for text, binary and pong
 * messages (Jakarta WebSocket 2.2 §2.1.3). A handler is chosen by the type it takes; messages
 * are assembled before delivery, so a {@code MessageHandler.Partial} receives every message as a
 * single last part.
 */
final class Inbound {

	enum Kind {
		TEXT, BINARY, PONG
	}

	/** One way to consume a message: a String (text), byte[] (binary) or ByteBuffer (pong). */
	interface Sink {

		void accept(Object payload) throws Exception;

	}

	private record Registered(Object key, Sink sink) {
	}

	private final Map<Kind, Registered> sinks = new LinkedHashMap<>();

	/** Registers a sink under {@code key} (a MessageHandler, or the annotated endpoint). */
	synchronized void set(Kind kind, Object key, Sink sink) {
		if (this.sinks.containsKey(kind)) {
			throw new IllegalStateException("A " + kind.name().toLowerCase() + " message handler is already registered");
		}
		this.sinks.put(kind, new Registered(key, sink));
	}

	synchronized Sink sink(Kind kind) {
		Registered registered = this.sinks.get(kind);
		return registered == null ? null : registered.sink();
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	void add(Class<?> type, MessageHandler handler, boolean partial, java.util.List<Class<? extends Decoder>> decoders,
			Codecs codecs) {
		if (type == null) {
			throw new IllegalStateException("Cannot tell the message type of " + handler.getClass().getName()
					+ " (a lambda?); use Session.addMessageHandler(Class, handler)");
		}
		if (partial) {
			MessageHandler.Partial p = (MessageHandler.Partial) handler;
			if (type == String.class) {
				set(Kind.TEXT, handler, payload -> p.onMessage(payload, true));
			}
			else if (type == ByteBuffer.class) {
				set(Kind.BINARY, handler, payload -> p.onMessage(ByteBuffer.wrap((byte[]) payload), true));
			}
			else if (type == byte[].class) {
				set(Kind.BINARY, handler, payload -> p.onMessage(payload, true));
			}
			else {
				throw new IllegalStateException("A partial message handler takes String, ByteBuffer or byte[], not "
						+ type.getName());
			}
			return;
		}
		MessageHandler.Whole w = (MessageHandler.Whole) handler;
		if (type == String.class) {
			set(Kind.TEXT, handler, w::onMessage);
		}
		else if (type == Reader.class) {
			set(Kind.TEXT, handler, payload -> w.onMessage(new StringReader((String) payload)));
		}
		else if (type == ByteBuffer.class) {
			set(Kind.BINARY, handler, payload -> w.onMessage(ByteBuffer.wrap((byte[]) payload)));
		}
		else if (type == byte[].class) {
			set(Kind.BINARY, handler, w::onMessage);
		}
		else if (type == InputStream.class) {
			set(Kind.BINARY, handler, payload -> w.onMessage(new ByteArrayInputStream((byte[]) payload)));
		}
		else if (type == PongMessage.class) {
			set(Kind.PONG, handler, w::onMessage);
		}
		else if (Codecs.decodesText(decoders, type) || Primitives.isConvertible(type)) {
			set(Kind.TEXT, handler, payload -> w.onMessage(codecs.decodeText(type, (String) payload)));
		}
		else if (Codecs.decodesBinary(decoders, type)) {
			set(Kind.BINARY, handler, payload -> w.onMessage(codecs.decodeBinary(type, (byte[]) payload)));
		}
		else {
			throw new IllegalStateException("No decoder for messages of type " + type.getName());
		}
	}

	synchronized Set<MessageHandler> handlers() {
		Set<MessageHandler> handlers = new java.util.LinkedHashSet<>();
		for (Registered registered : this.sinks.values()) {
			if (registered.key() instanceof MessageHandler handler) {
				handlers.add(handler);
			}
		}
		return Set.copyOf(handlers);
	}

	synchronized void remove(MessageHandler handler) {
		this.sinks.values().removeIf(registered -> registered.key() == handler);
	}

	synchronized void clear() {
		this.sinks.clear();
	}

}
