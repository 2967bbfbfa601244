package io.starlet.architecture;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The engine types a class shows to its users: those named, at any depth of generics, by its
 * public and protected fields, constructors and methods (parameters, results, exceptions), and by
 * its public nested classes. Read by reflection, so it sees the signatures as compiled.
 */
final class ApiSignatures {

	private ApiSignatures() {
	}

	/**
	 * @param type a public type of the API
	 * @param allowedHttp the protocol types the API may show
	 * @return one line per member and engine type, {@code Owner.member(params): engine.Type}
	 */
	static Set<String> engineTypes(Class<?> type, Set<String> allowedHttp) {
		Set<String> found = new TreeSet<>();
		for (Field field : type.getDeclaredFields()) {
			if (exposed(field) && !field.isSynthetic()) {
				check(found, type.getSimpleName() + "." + field.getName(), List.of(field.getGenericType()), allowedHttp);
			}
		}
		for (Constructor<?> constructor : type.getDeclaredConstructors()) {
			if (exposed(constructor)) {
				List<Type> types = new ArrayList<>(Arrays.asList(constructor.getGenericParameterTypes()));
				types.addAll(Arrays.asList(constructor.getGenericExceptionTypes()));
				check(found, type.getSimpleName() + ".<init>" + params(constructor.getGenericParameterTypes()), types,
						allowedHttp);
			}
		}
		for (Method method : type.getDeclaredMethods()) {
			if (exposed(method) && !method.isSynthetic()) {
				List<Type> types = new ArrayList<>(Arrays.asList(method.getGenericParameterTypes()));
				types.add(method.getGenericReturnType());
				types.addAll(Arrays.asList(method.getGenericExceptionTypes()));
				check(found, type.getSimpleName() + "." + method.getName() + params(method.getGenericParameterTypes()),
						types, allowedHttp);
			}
		}
		for (Class<?> nested : type.getDeclaredClasses()) {
			if (Modifier.isPublic(nested.getModifiers()) || Modifier.isProtected(nested.getModifiers())) {
				found.addAll(engineTypes(nested, allowedHttp));
			}
		}
		return found;
	}

	private static boolean exposed(Member member) {
		return Modifier.isPublic(member.getModifiers()) || Modifier.isProtected(member.getModifiers());
	}

	private static String params(Type[] types) {
		return Arrays.stream(types).map(Type::getTypeName).collect(Collectors.joining(",", "(", ")"));
	}

	private static void check(Set<String> found, String member, List<Type> types, Set<String> allowedHttp) {
		Set<Class<?>> named = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
		for (Type type : types) {
			collect(type, named);
		}
		for (Class<?> used : named) {
			String pkg = used.getPackageName();
			boolean engine = pkg.startsWith("io.starlet.") && !(pkg.equals("io.starlet.http")
					&& allowedHttp.contains(used.getName().replaceFirst("\\$.*", "")));
			if (engine) {
				found.add(member + ": " + used.getName());
			}
		}
	}

	private static void collect(Type type, Set<Class<?>> into) {
		if (type instanceof Class<?> c) {
			if (c.isArray()) {
				collect(c.getComponentType(), into);
			}
			else if (!c.isPrimitive()) {
				into.add(c);
			}
		}
		else if (type instanceof ParameterizedType p) {
			collect(p.getRawType(), into);
			for (Type argument : p.getActualTypeArguments()) {
				collect(argument, into);
			}
		}
		else if (type instanceof GenericArrayType a) {
			collect(a.getGenericComponentType(), into);
		}
		else if (type instanceof WildcardType w) {
			Arrays.stream(w.getUpperBounds()).forEach((t) -> collect(t, into));
			Arrays.stream(w.getLowerBounds()).forEach((t) -> collect(t, into));
		}
		else if (type instanceof TypeVariable<?> v) {
			// Bounds only: a variable bounded by itself (T extends Comparable<T>) would recurse.
			for (Type bound : v.getBounds()) {
				if (!(bound instanceof ParameterizedType)) {
					collect(bound, into);
				}
			}
		}
	}

}
