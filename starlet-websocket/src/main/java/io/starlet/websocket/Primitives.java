package io.starlet.websocket;

import java.util.Map;

/** Java primitives and their boxes, which text messages and path parameters convert to (§4.3, §4.6). */
final class Primitives {

	private static final Map<Class<?>, Class<?>> BOXES = Map.of(boolean.class, Boolean.class, byte.class, Byte.class,
			char.class, Character.class, short.class, Short.class, int.class, Integer.class, long.class, Long.class,
			float.class, Float.class, double.class, Double.class);

	private Primitives() {
	}

	static Class<?> box(Class<?> type) {
		return type.isPrimitive() ? BOXES.getOrDefault(type, type) : type;
	}

	static boolean isBoxedPrimitive(Class<?> type) {
		return BOXES.containsValue(type);
	}

	/** Whether a text message or path parameter converts to {@code type} without a decoder. */
	static boolean isConvertible(Class<?> type) {
		return type == String.class || type.isPrimitive() || isBoxedPrimitive(type);
	}

	/**
	 * {@code text} as {@code type} (String, a primitive or its box); null when {@code type} is
	 * none of those.
	 * @throws NumberFormatException when the text is not a value of the type
	 */
	static Object fromText(Class<?> type, String text) {
		Class<?> boxed = box(type);
		if (boxed == String.class) {
			return text;
		}
		if (boxed == Integer.class) {
			return Integer.valueOf(text);
		}
		if (boxed == Long.class) {
			return Long.valueOf(text);
		}
		if (boxed == Boolean.class) {
			return Boolean.valueOf(text);
		}
		if (boxed == Double.class) {
			return Double.valueOf(text);
		}
		if (boxed == Float.class) {
			return Float.valueOf(text);
		}
		if (boxed == Short.class) {
			return Short.valueOf(text);
		}
		if (boxed == Byte.class) {
			return Byte.valueOf(text);
		}
		if (boxed == Character.class) {
			if (text.length() != 1) {
				throw new NumberFormatException("'" + text + "' is not one character");
			}
			return text.charAt(0);
		}
		return null;
	}

}
