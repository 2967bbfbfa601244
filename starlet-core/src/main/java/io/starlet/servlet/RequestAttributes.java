package io.starlet.servlet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request's attributes: names, their hashes and values in parallel arrays, searched linearly.
 *
 * <p>Spring MVC sets and removes about twenty attributes on every request. A
 * {@code ConcurrentHashMap} allocated a table, a node per entry and the map itself for that:
 * about a kilobyte, a twelfth of all the bytes a Spring MVC request allocated. Here it is three
 * arrays, and a lookup compares cached string hashes before it compares names.
 *
 * <p>The methods are synchronized: during an async cycle the application's thread and the
 * worker may both touch a request's attributes. Uncontended, as nearly always, that costs about
 * what the concurrent map's own atomic operations did.
 */
final class RequestAttributes {

	/** Spring MVC with Actuator sets up to about twenty at once. */
	private static final int INITIAL_CAPACITY = 32;

	private String[] names = new String[INITIAL_CAPACITY];

	private int[] hashes = new int[INITIAL_CAPACITY];

	private Object[] values = new Object[INITIAL_CAPACITY];

	private int size;

	synchronized Object get(String name) {
		int i = indexOf(name);
		return (i >= 0) ? this.values[i] : null;
	}

	/** Sets a value (never null); returns the value it replaced, or null. */
	synchronized Object put(String name, Object value) {
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

	/** Removes a name; returns its value, or null if it was not set. Keeps the others' order. */
	synchronized Object remove(String name) {
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

	/** A snapshot of the names, in the order they were first set. */
	synchronized List<String> names() {
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
