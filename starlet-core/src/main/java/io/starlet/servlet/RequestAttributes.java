package io.starlet.servlet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request's attributes: names, their hashes and values in parallel arrays, searched linearly.
 *
 * <p>Spring MVC sets and removes about twenty attributes on every request. A
 * {@code ConcurrentHashMap} allocated a table, a node per entry and the map itself for that, a
 * large share of what a Spring MVC request allocated (docs/benchmarks.md). Here it is three
 * arrays, and a lookup compares cached string hashes before it compares names.
 *
 * <p>Until {@link #share()} only the worker touches a request, so nothing is locked: Spring MVC
 * makes close to a hundred calls for a GET with Actuator, and a monitor taken and released for
 * each showed in the JMH benchmark ({@code RequestAttributesBenchmark}). Once the request goes
 * async, the application's thread and the unwinding worker may both use the attributes, and
 * every call locks. The worker calls {@code share()} before it
 * hands the request to anyone, so whoever receives it sees the flag set.
 */
final class RequestAttributes {

	/** Spring MVC with Actuator sets up to about twenty at once. */
	private static final int INITIAL_CAPACITY = 32;

	private String[] names = new String[INITIAL_CAPACITY];

	private int[] hashes = new int[INITIAL_CAPACITY];

	private Object[] values = new Object[INITIAL_CAPACITY];

	private int size;

	private volatile boolean shared;

	/** From now on other threads may call too: every call locks. */
	void share() {
		this.shared = true;
	}

	Object get(String name) {
		if (this.shared) {
			synchronized (this) {
				return find(name);
			}
		}
		return find(name);
	}

	/** Sets a value (never null); returns the value it replaced, or null. */
	Object put(String name, Object value) {
		if (this.shared) {
			synchronized (this) {
				return store(name, value);
			}
		}
		return store(name, value);
	}

	/** Removes a name; returns its value, or null if it was not set. Keeps the others' order. */
	Object remove(String name) {
		if (this.shared) {
			synchronized (this) {
				return delete(name);
			}
		}
		return delete(name);
	}

	/** A snapshot of the names, in the order they were first set. */
	List<String> names() {
		if (this.shared) {
			synchronized (this) {
				return copyNames();
			}
		}
		return copyNames();
	}

	private Object find(String name) {
		int i = indexOf(name);
		return (i >= 0) ? this.values[i] : null;
	}

	private Object store(String name, Object value) {
		int i = indexOf(name);
		if (i >= 0) {
			Object old = this.values[i];
			this.values[i] = value;
			return old;
		}
		if (this.size == this.names.length) {
			int capacity = this.size * 2;
			this.names = Arrays.copyOf(this.names, capacity);
			this.hashes = Arrays.copyOf(this.hashes, capacity);
			this.values = Arrays.copyOf(this.values, capacity);
		}
		this.names[this.size] = name;
		this.hashes[this.size] = name.hashCode();
		this.values[this.size] = value;
		this.size++;
		return null;
	}

	private Object delete(String name) {
		int i = indexOf(name);
		if (i < 0) {
			return null;
		}
		Object old = this.values[i];
		int last = this.size - 1;
		System.arraycopy(this.names, i + 1, this.names, i, last - i);
		System.arraycopy(this.hashes, i + 1, this.hashes, i, last - i);
		System.arraycopy(this.values, i + 1, this.values, i, last - i);
		this.names[last] = null;
		this.values[last] = null;
		this.size = last;
		return old;
	}

	private List<String> copyNames() {
		return new ArrayList<>(Arrays.asList(this.names).subList(0, this.size));
	}

	private int indexOf(String name) {
		int hash = name.hashCode();
		int[] hashes = this.hashes;
		for (int i = 0; i < this.size; i++) {
			if (hashes[i] == hash) {
				String candidate = this.names[i];
				if (candidate == name || candidate.equals(name)) {
					return i;
				}
			}
		}
		return -1;
	}

}
