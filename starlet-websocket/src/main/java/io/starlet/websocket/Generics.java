package io.starlet.websocket;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the class a generic interface is parameterised with in an implementation, e.g. the
 * {@code T} of {@code MessageHandler.Whole<T>} or {@code Decoder.Text<T>}: a handler or codec is
 * registered by its type argument, which only reflection on the class hierarchy can tell. A
 * lambda has none (its class implements the raw interface), so this returns null for it.
 */
final class Generics {

	private Generics() {
	}

	/** The class of {@code target}'s single type argument as implemented by {@code type}, or null. */
	static Class<?> typeArgument(Class<?> type, Class<?> target) {
		return resolve(type, target, new HashMap<>());
	}

	private static Class<?> resolve(Type type, Class<?> target, Map<TypeVariable<?>, Type> bindings) {
		Class<?> raw = rawClass(type, bindings);
		if (raw == null) {
			return null;
		}
		if (type instanceof ParameterizedType parameterized) {
			TypeVariable<?>[] variables = raw.getTypeParameters();
			Type[] arguments = parameterized.getActualTypeArguments();
			for (int i = 0; i < variables.length; i++) {
				bindings.put(variables[i], arguments[i]);
			}
			if (raw == target) {
				return rawClass(arguments[0], bindings);
			}
		}
		for (Type next : raw.getGenericInterfaces()) {
			Class<?> found = resolve(next, target, bindings);
			if (found != null) {
				return found;
			}
		}
		Type superclass = raw.getGenericSuperclass();
		return superclass == null ? null : resolve(superclass, target, bindings);
	}

	private static Class<?> rawClass(Type type, Map<TypeVariable<?>, Type> bindings) {
		if (type instanceof Class<?> c) {
			return c;
		}
		if (type instanceof ParameterizedType p) {
			return (Class<?>) p.getRawType();
		}
		if (type instanceof TypeVariable<?> v) {
			Type bound = bindings.get(v);
			return bound == null || bound == v ? null : rawClass(bound, bindings);
		}
		if (type instanceof GenericArrayType a) {
			Class<?> component = rawClass(a.getGenericComponentType(), bindings);
			return component == null ? null : component.arrayType();
		}
		return null;
	}

}
