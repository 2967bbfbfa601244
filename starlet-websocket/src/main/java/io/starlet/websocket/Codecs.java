package io.starlet.websocket;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;
import jakarta.websocket.EncodeException;
import jakarta.websocket.Encoder;
import jakarta.websocket.EndpointConfig;

/**
 * The encoders and decoders of one session, created and initialised when it opens and destroyed
 * when it closes (Jakarta WebSocket 2.2 §4.1.2). Each is found by the type argument of the
 * interface it implements; the first one declared for a type wins.
 */
final class Codecs {

	/** A value and how to send it: text or binary. */
	record Encoded(String text, ByteBuffer binary) {
	}

	private record Entry<T>(Class<?> type, T instance) {
	}

	private final List<Entry<Encoder>> encoders = new ArrayList<>();

	private final List<Entry<Decoder>> decoders = new ArrayList<>();

	Codecs(EndpointConfig config) throws ReflectiveOperationException {
		for (Class<? extends Encoder> type : config.getEncoders()) {
			Encoder encoder = type.getConstructor().newInstance();
			encoder.init(config);
			this.encoders.add(new Entry<>(encodedType(type), encoder));
		}
		for (Class<? extends Decoder> type : config.getDecoders()) {
			Decoder decoder = type.getConstructor().newInstance();
			decoder.init(config);
			this.decoders.add(new Entry<>(decodedType(type), decoder));
		}
	}

	private static final List<Class<?>> ENCODER_KINDS = List.of(Encoder.Text.class, Encoder.TextStream.class,
			Encoder.Binary.class, Encoder.BinaryStream.class);

	private static final List<Class<?>> DECODER_KINDS = List.of(Decoder.Text.class, Decoder.TextStream.class,
			Decoder.Binary.class, Decoder.BinaryStream.class);

	/** The class an encoder encodes, or null when it implements none of the four interfaces. */
	static Class<?> encodedType(Class<?> encoder) {
		return typeArgument(encoder, ENCODER_KINDS);
	}

	/** The class a decoder produces, or null when it implements none of the four interfaces. */
	static Class<?> decodedType(Class<?> decoder) {
		return typeArgument(decoder, DECODER_KINDS);
	}

	private static Class<?> typeArgument(Class<?> codec, List<Class<?>> kinds) {
		for (Class<?> kind : kinds) {
			Class<?> type = Generics.typeArgument(codec, kind);
			if (type != null) {
				return type;
			}
		}
		return null;
	}

	/** Whether a decoder of text messages (Text or TextStream) produces {@code type}. */
	static boolean decodesText(List<Class<? extends Decoder>> decoders, Class<?> type) {
		return decodes(decoders, type, Decoder.Text.class, Decoder.TextStream.class);
	}

	/** Whether a decoder of binary messages (Binary or BinaryStream) produces {@code type}. */
	static boolean decodesBinary(List<Class<? extends Decoder>> decoders, Class<?> type) {
		return decodes(decoders, type, Decoder.Binary.class, Decoder.BinaryStream.class);
	}

	private static boolean decodes(List<Class<? extends Decoder>> decoders, Class<?> type, Class<?> whole,
			Class<?> stream) {
		for (Class<? extends Decoder> decoder : decoders) {
			if ((whole.isAssignableFrom(decoder) || stream.isAssignableFrom(decoder))
					&& type.isAssignableFrom(boxed(decodedType(decoder)))) {
				return true;
			}
		}
		return false;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	Object decodeText(Class<?> type, String text) throws DecodeException {
		for (Entry<Decoder> entry : this.decoders) {
			if (!type.isAssignableFrom(boxed(entry.type()))) {
				continue;
			}
			try {
				if (entry.instance() instanceof Decoder.Text decoder && decoder.willDecode(text)) {
					return decoder.decode(text);
				}
				if (entry.instance() instanceof Decoder.TextStream decoder) {
					return decoder.decode(new StringReader(text));
				}
			}
			catch (IOException ex) {
				throw new DecodeException(text, "Decoding failed: " + ex.getMessage(), ex);
			}
		}
		try {
			Object primitive = Primitives.fromText(type, text);
			if (primitive != null) {
				return primitive;
			}
		}
		catch (NumberFormatException ex) {
			throw new DecodeException(text, "Not a " + type.getName() + ": " + ex.getMessage(), ex);
		}
		throw new DecodeException(text, "No decoder for " + type.getName() + " accepts this text message");
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	Object decodeBinary(Class<?> type, byte[] data) throws DecodeException {
		for (Entry<Decoder> entry : this.decoders) {
			if (!type.isAssignableFrom(boxed(entry.type()))) {
				continue;
			}
			try {
				if (entry.instance() instanceof Decoder.Binary decoder && decoder.willDecode(ByteBuffer.wrap(data))) {
					return decoder.decode(ByteBuffer.wrap(data));
				}
				if (entry.instance() instanceof Decoder.BinaryStream decoder) {
					return decoder.decode(new ByteArrayInputStream(data));
				}
			}
			catch (IOException ex) {
				throw new DecodeException(ByteBuffer.wrap(data), "Decoding failed: " + ex.getMessage(), ex);
			}
		}
		throw new DecodeException(ByteBuffer.wrap(data), "No decoder for " + type.getName() + " accepts this binary message");
	}

	/**
	 * What to send for {@code value}: Strings and primitives as text, ByteBuffer and byte[] as
	 * binary, anything else through the first encoder for its class (§2.1.3).
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	Encoded encode(Object value) throws EncodeException, IOException {
		if (value instanceof String text) {
			return new Encoded(text, null);
		}
		if (value instanceof ByteBuffer buffer) {
			return new Encoded(null, buffer);
		}
		if (value instanceof byte[] bytes) {
			return new Encoded(null, ByteBuffer.wrap(bytes));
		}
		for (Entry<Encoder> entry : this.encoders) {
			if (entry.type() == null || !boxed(entry.type()).isInstance(value)) {
				continue;
			}
			Encoder encoder = entry.instance();
			if (encoder instanceof Encoder.Text text) {
				return new Encoded(text.encode(value), null);
			}
			if (encoder instanceof Encoder.TextStream stream) {
				StringWriter writer = new StringWriter();
				stream.encode(value, writer);
				return new Encoded(writer.toString(), null);
			}
			if (encoder instanceof Encoder.Binary binary) {
				return new Encoded(null, binary.encode(value));
			}
			if (encoder instanceof Encoder.BinaryStream stream) {
				ByteArrayOutputStream out = new ByteArrayOutputStream();
				stream.encode(value, out);
				return new Encoded(null, ByteBuffer.wrap(out.toByteArray()));
			}
		}
		if (value != null && Primitives.isBoxedPrimitive(value.getClass())) {
			return new Encoded(value.toString(), null);
		}
		throw new EncodeException(value, "No encoder for " + (value == null ? "null" : value.getClass().getName()));
	}

	/** Calls every codec's destroy(), once, when the session closes. */
	void destroy() {
		for (Entry<Encoder> entry : this.encoders) {
			entry.instance().destroy();
		}
		for (Entry<Decoder> entry : this.decoders) {
			entry.instance().destroy();
		}
		this.encoders.clear();
		this.decoders.clear();
	}

	static Class<?> boxed(Class<?> type) {
		return type == null ? Void.class : Primitives.box(type);
	}

}
