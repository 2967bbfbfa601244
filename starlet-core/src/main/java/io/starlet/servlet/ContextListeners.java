package io.starlet.servlet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

/**
 * The context's listeners in registration order, with a cache by type: requests ask for them on
 * every request and every attribute change, and the set is fixed once the context has started.
 */
final class ContextListeners {

	private static final Set<Class<? extends EventListener>> TYPES = Set.of(ServletContextListener.class,
			ServletContextAttributeListener.class, ServletRequestListener.class, ServletRequestAttributeListener.class,
			HttpSessionListener.class, HttpSessionAttributeListener.class, HttpSessionIdListener.class);

	private final List<EventListener> all = new CopyOnWriteArrayList<>();

	private final Map<Class<?>, List<?>> byType = new ConcurrentHashMap<>();

	/**
	 * {@link #of}({@code ServletRequestAttributeListener.class}) as a field: a request asks for it
	 * on every attribute it sets or removes, and a Thymeleaf page sets and removes a few dozen
	 * (the map lookup was 0.9% of a detail page in Round 14).
	 */
	private volatile List<ServletRequestAttributeListener> requestAttribute = List.of();

	void add(EventListener listener) {
		checkType(listener.getClass());
		this.all.add(listener);
		this.byType.clear();
		this.requestAttribute = of(ServletRequestAttributeListener.class);
	}

	/** The request attribute listeners, in registration order (unmodifiable). */
	List<ServletRequestAttributeListener> requestAttribute() {
		return this.requestAttribute;
	}

	/** Refuses a class that implements none of the listener interfaces a context takes. */
	static void checkType(Class<?> type) {
		for (Class<?> supported : TYPES) {
			if (supported.isAssignableFrom(type)) {
				return;
			}
		}
		throw new IllegalArgumentException(type.getName() + " implements no supported listener interface");
	}

	/** The listeners of a type, in registration order (unmodifiable, cached). */
	@SuppressWarnings("unchecked")
	<T extends EventListener> List<T> of(Class<T> type) {
		List<?> cached = this.byType.get(type);
		if (cached == null) {
			List<T> result = new ArrayList<>(2);
			for (EventListener listener : this.all) {
				if (type.isInstance(listener)) {
					result.add(type.cast(listener));
				}
			}
			cached = result.isEmpty() ? List.of() : Collections.unmodifiableList(result);
			this.byType.put(type, cached);
		}
		return (List<T>) cached;
	}

	/** The listeners of a type, last registered first (destruction order). */
	<T extends EventListener> List<T> reversed(Class<T> type) {
		List<T> reversed = new ArrayList<>(of(type));
		Collections.reverse(reversed);
		return reversed;
	}

}
