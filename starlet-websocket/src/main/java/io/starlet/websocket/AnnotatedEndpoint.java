package io.starlet.websocket;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.ByteBuffer;
import java.util.List;

import jakarta.websocket.CloseReason;
import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an annotated endpoint (a class with {@code @OnOpen}, {@code @OnMessage}, {@code @OnClose},
 * {@code @OnError} methods) as an {@link Endpoint}. {@link Model} reads and checks the methods
 * once, at {@code addEndpoint}, so a mistake is a {@link DeploymentException} at startup rather
 * than a failure on the first message.
 */
final class AnnotatedEndpoint extends Endpoint {

	private static final Logger logger = LoggerFactory.getLogger(AnnotatedEndpoint.class);

	/** Where each argument of a callback comes from. */
	private enum Source {
		SESSION, CONFIG, CLOSE_REASON, THROWABLE, PATH_PARAM, PAYLOAD, LAST
	}

	private record Argument(Source source, Class<?> type, String name) {
	}

	private record Callback(Method method, Argument[] arguments) {
	}

	/** An {@code @OnMessage} method: what kind of message it takes, and as which type. */
	private record MessageMethod(Callback callback, Inbound.Kind kind, Class<?> payloadType, long maxMessageSize) {
	}

	/** The checked callbacks of one annotated class. */
	static final class Model {

		private final Callback onOpen;

		private final Callback onClose;

		private final Callback onError;

		private final List<MessageMethod> messages;

		private Model(Callback onOpen, Callback onClose, Callback onError, List<MessageMethod> messages) {
			this.onOpen = onOpen;
			this.onClose = onClose;
			this.onError = onError;
			this.messages = messages;
		}

		static Model of(Class<?> type, List<Class<? extends Decoder>> decoders) throws DeploymentException {
			Callback open = null;
			Callback close = null;
			Callback error = null;
			MessageMethod[] byKind = new MessageMethod[Inbound.Kind.values().length];
			for (Method method : type.getMethods()) {
				if (method.isBridge() || method.isSynthetic()) {
					continue;
				}
				if (method.isAnnotationPresent(OnOpen.class)) {
					open = once(open, callback(method, Source.CONFIG), OnOpen.class, type);
				}
				if (method.isAnnotationPresent(OnClose.class)) {
					close = once(close, callback(method, Source.CLOSE_REASON), OnClose.class, type);
				}
				if (method.isAnnotationPresent(OnError.class)) {
					Callback callback = callback(method, Source.THROWABLE);
					if (indexOf(callback, Source.THROWABLE) < 0) {
						throw new DeploymentException(describe(method) + ": an @OnError method needs a Throwable parameter");
					}
					error = once(error, callback, OnError.class, type);
				}
				if (method.isAnnotationPresent(OnMessage.class)) {
					MessageMethod message = message(method, decoders);
					if (byKind[message.kind().ordinal()] != null) {
						throw new DeploymentException(type.getName() + " has two @OnMessage methods for "
								+ message.kind().name().toLowerCase() + " messages: "
								+ byKind[message.kind().ordinal()].callback().method().getName() + " and " + method.getName());
					}
					byKind[message.kind().ordinal()] = message;
				}
			}
			List<MessageMethod> messages = new java.util.ArrayList<>();
			for (MessageMethod message : byKind) {
				if (message != null) {
					messages.add(message);
				}
			}
			return new Model(open, close, error, List.copyOf(messages));
		}

		private static Callback once(Callback existing, Callback next, Class<?> annotation, Class<?> type)
				throws DeploymentException {
			if (existing != null) {
				throw new DeploymentException(type.getName() + " has more than one @" + annotation.getSimpleName()
						+ " method: " + existing.method().getName() + " and " + next.method().getName());
			}
			return next;
		}

		/** A lifecycle callback: Session, @PathParam, and the one extra type it may take. */
		private static Callback callback(Method method, Source extra) throws DeploymentException {
			Parameter[] parameters = method.getParameters();
			Argument[] arguments = new Argument[parameters.length];
			for (int i = 0; i < parameters.length; i++) {
				Argument argument = common(parameters[i]);
				if (argument == null) {
					Class<?> type = parameters[i].getType();
					boolean fits = switch (extra) {
						case CONFIG -> type == EndpointConfig.class;
						case CLOSE_REASON -> type == CloseReason.class;
						case THROWABLE -> type == Throwable.class;
						default -> false;
					};
					if (!fits || indexOf(arguments, extra) >= 0) {
						throw new DeploymentException(describe(method) + ": cannot pass parameter " + i + " of type "
								+ type.getName());
					}
					argument = new Argument(extra, type, null);
				}
				arguments[i] = argument;
			}
			return new Callback(method, arguments);
		}

		private static MessageMethod message(Method method, List<Class<? extends Decoder>> decoders)
				throws DeploymentException {
			Parameter[] parameters = method.getParameters();
			Argument[] arguments = new Argument[parameters.length];
			Class<?> payloadType = null;
			Inbound.Kind kind = null;
			boolean last = false;
			for (int i = 0; i < parameters.length; i++) {
				Argument argument = common(parameters[i]);
				if (argument == null) {
					Class<?> type = parameters[i].getType();
					if (type == boolean.class && payloadType != null && !last) {
						last = true;
						argument = new Argument(Source.LAST, type, null);
					}
					else if (payloadType == null && (kind = kindOf(type, decoders)) != null) {
						payloadType = type;
						argument = new Argument(Source.PAYLOAD, type, null);
					}
					else {
						throw new DeploymentException(describe(method) + ": cannot pass parameter " + i + " of type "
								+ type.getName() + " (is a decoder missing?)");
					}
				}
				arguments[i] = argument;
			}
			if (payloadType == null) {
				throw new DeploymentException(describe(method) + ": an @OnMessage method needs a message parameter");
			}
			if (last && !(payloadType == String.class || payloadType == ByteBuffer.class || payloadType == byte[].class)) {
				throw new DeploymentException(describe(method)
						+ ": partial messages (with a boolean) come as String, ByteBuffer or byte[]");
			}
			if (kind == Inbound.Kind.PONG && last) {
				throw new DeploymentException(describe(method) + ": a pong is never partial");
			}
			long max = method.getAnnotation(OnMessage.class).maxMessageSize();
			if (max > Integer.MAX_VALUE) {
				throw new DeploymentException(describe(method) + ": maxMessageSize " + max + " is above 2^31-1");
			}
			return new MessageMethod(new Callback(method, arguments), kind, payloadType, max);
		}

		private static Inbound.Kind kindOf(Class<?> type, List<Class<? extends Decoder>> decoders) {
			if (type == String.class || type == Reader.class || Primitives.isConvertible(type)
					|| Codecs.decodesText(decoders, type)) {
				return Inbound.Kind.TEXT;
			}
			if (type == ByteBuffer.class || type == byte[].class || type == InputStream.class
					|| Codecs.decodesBinary(decoders, type)) {
				return Inbound.Kind.BINARY;
			}
			if (type == PongMessage.class) {
				return Inbound.Kind.PONG;
			}
			return null;
		}

		/** Session and @PathParam, which every callback may take; null for anything else. */
		private static Argument common(Parameter parameter) throws DeploymentException {
			Class<?> type = parameter.getType();
			if (type == Session.class) {
				return new Argument(Source.SESSION, type, null);
			}
			PathParam pathParam = parameter.getAnnotation(PathParam.class);
			if (pathParam != null) {
				if (!Primitives.isConvertible(type)) {
					throw new DeploymentException("@PathParam(\"" + pathParam.value() + "\") must be a String or a primitive, not "
							+ type.getName());
				}
				return new Argument(Source.PATH_PARAM, type, pathParam.value());
			}
			return null;
		}

		private static int indexOf(Callback callback, Source source) {
			return indexOf(callback.arguments(), source);
		}

		private static int indexOf(Argument[] arguments, Source source) {
			for (int i = 0; i < arguments.length; i++) {
				if (arguments[i] != null && arguments[i].source() == source) {
					return i;
				}
			}
			return -1;
		}

		private static String describe(Method method) {
			return method.getDeclaringClass().getName() + "." + method.getName();
		}

		/** The endpoint class must be public, concrete and have a public no-arg constructor to be created per session. */
		static void checkInstantiable(Class<?> type) throws DeploymentException {
			if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
				throw new DeploymentException(type.getName() + " must be a public, concrete class");
			}
			try {
				type.getConstructor();
			}
			catch (NoSuchMethodException ex) {
				throw new DeploymentException(type.getName() + " needs a public no-argument constructor", ex);
			}
		}

	}

	private final Object instance;

	private final Model model;

	AnnotatedEndpoint(Object instance, Model model) {
		this.instance = instance;
		this.model = model;
	}

	@Override
	public void onOpen(Session session, EndpointConfig config) {
		WsSession ws = (WsSession) session;
		for (MessageMethod message : this.model.messages) {
			if (message.maxMessageSize() > 0) {
				if (message.kind() == Inbound.Kind.TEXT) {
					ws.setMaxTextMessageBufferSize((int) message.maxMessageSize());
				}
				else if (message.kind() == Inbound.Kind.BINARY) {
					ws.setMaxBinaryMessageBufferSize((int) message.maxMessageSize());
				}
			}
			ws.addSink(message.kind(), this, payload -> onMessage(ws, message, payload));
		}
		if (this.model.onOpen != null) {
			call(this.model.onOpen, ws, config, null);
		}
	}

	@Override
	public void onClose(Session session, CloseReason closeReason) {
		if (this.model.onClose != null) {
			call(this.model.onClose, (WsSession) session, closeReason, null);
		}
	}

	@Override
	public void onError(Session session, Throwable thr) {
		if (this.model.onError == null) {
			logger.warn("{} ({} has no @OnError method)", session, this.instance.getClass().getName(), thr);
			return;
		}
		call(this.model.onError, (WsSession) session, thr, null);
	}

	private void onMessage(WsSession session, MessageMethod message, Object payload) throws Exception {
		Object value = switch (message.kind()) {
			case TEXT -> text(session, message.payloadType(), (String) payload);
			case BINARY -> binary(session, message.payloadType(), (byte[]) payload);
			case PONG -> payload;
		};
		Object result = invoke(message.callback(), session, value, Boolean.TRUE);
		if (result != null) {
			session.getBasicRemote().sendObject(result);
		}
	}

	private static Object text(WsSession session, Class<?> type, String text) throws DecodeException {
		if (type == String.class) {
			return text;
		}
		if (type == Reader.class) {
			return new StringReader(text);
		}
		return session.codecs().decodeText(type, text);
	}

	private static Object binary(WsSession session, Class<?> type, byte[] data) throws DecodeException {
		if (type == ByteBuffer.class) {
			return ByteBuffer.wrap(data);
		}
		if (type == byte[].class) {
			return data;
		}
		if (type == InputStream.class) {
			return new ByteArrayInputStream(data);
		}
		return session.codecs().decodeBinary(type, data);
	}

	/** A lifecycle callback; its exception goes to @OnError (or the log, from @OnError itself). */
	private void call(Callback callback, WsSession session, Object extra, Object last) {
		try {
			invoke(callback, session, extra, last);
		}
		catch (Exception ex) {
			if (callback == this.model.onError) {
				logger.warn("@OnError of {} failed", session, ex);
			}
			else {
				session.endpointError(ex);
			}
		}
	}

	private Object invoke(Callback callback, WsSession session, Object value, Object last) throws Exception {
		Argument[] arguments = callback.arguments();
		Object[] values = new Object[arguments.length];
		for (int i = 0; i < arguments.length; i++) {
			Argument argument = arguments[i];
			values[i] = switch (argument.source()) {
				case SESSION -> session;
				case PATH_PARAM -> pathParam(session, argument);
				case LAST -> last;
				default -> value;
			};
		}
		try {
			return callback.method().invoke(this.instance, values);
		}
		catch (InvocationTargetException ex) {
			Throwable cause = ex.getTargetException();
			if (cause instanceof Exception exception) {
				throw exception;
			}
			throw (Error) cause;
		}
	}

	private static Object pathParam(WsSession session, Argument argument) throws DecodeException {
		String value = session.getPathParameters().get(argument.name());
		if (value == null) {
			return argument.type().isPrimitive() ? Primitives.fromText(argument.type(), "0") : null;
		}
		try {
			return Primitives.fromText(argument.type(), value);
		}
		catch (NumberFormatException ex) {
			throw new DecodeException(value, "@PathParam(\"" + argument.name() + "\") is not a "
					+ argument.type().getName(), ex);
		}
	}

}
