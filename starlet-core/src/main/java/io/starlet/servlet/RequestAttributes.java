package io.starlet.servlet;

import java.util.ArrayList;
import java.util.List;

/**
 * A request's attributes: names, their hashes and values in parallel arrays, found through a small
 * open-addressing index over those arrays.
 *
 * <p>Spring MVC sets and removes about twenty attributes on every request. A
 * {@code ConcurrentHashMap} allocated a table, a node per entry and the map itself for that, a
 * large share of what a Spring MVC request allocated (docs/benchmarks.md). Here it is four
 * arrays. A page rendered by Thymeleaf makes many more calls (1,550 for a list page of 50 rows):
 * it keeps the template's variables as request attributes, looks each expression's variable up
 * there, and sets and removes its iteration variable once per row. A linear scan over 30 names
 * was Starlet's largest frame on such a page (Round 13), hence the index.
 *
 * <p>A removed attribute keeps its name in its slot, with a null value, so setting it again
 * (the iteration variable, row after row) reuses the slot and the index never changes for it.
 * Slots are only reclaimed when the arrays fill up: the live attributes are then copied, in
 * order, into arrays twice as large if more than half of them are live.
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

	/** Null for a removed attribute whose name still holds its slot. */
	private Object[] values = new Object[INITIAL_CAPACITY];

	/**
	 * Slot + 1 of each name, at its hash's position or the next free one after it (linear
	 * probing); 0 is empty. Twice as long as the other arrays, so never more than half full.
	 */
	private int[] index = new int[2 * INITIAL_CAPACITY];

	/** Slots in use, removed attributes' included. */
	private int used;

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

	/**
	 * A snapshot of the names, in the order they were set; a name removed and set again may keep
	 * its first place.
	 */
	List<String> names() {
		if (this.shared) {
			synchronized (this) {
				return copyNames();
			}
		}
		return copyNames();
	}

	private Object find(String name) {
		int i = slotOf(name);
		return (i >= 0) ? this.values[i] : null;
	}

	private Object store(String name, Object value) {
		int i = slotOf(name);
		if (i >= 0) {
			Object old = this.values[i];
			this.values[i] = value;
			return old;
		}
		if (this.used == this.names.length) {
			reclaim();
		}
		i = this.used++;
		int hash = name.hashCode();
		this.names[i] = name;
		this.hashes[i] = hash;
		this.values[i] = value;
		addToIndex(this.index, hash, i);
		return null;
	}

	private Object delete(String name) {
		int i = slotOf(name);
		if (i < 0) {
			return null;
		}
		Object old = this.values[i];
		this.values[i] = null;
		return old;
	}

	private List<String> copyNames() {
		List<String> copy = new ArrayList<>(this.used);
		for (int i = 0; i < this.used; i++) {
			if (this.values[i] != null) {
				copy.add(this.names[i]);
			}
		}
		return copy;
	}

	/** The slot holding this name (removed or not), or -1. */
	private int slotOf(String name) {
		int hash = name.hashCode();
		int[] index = this.index;
		int mask = index.length - 1;
		for (int at = spread(hash) & mask;; at = (at + 1) & mask) {
			int entry = index[at];
			if (entry == 0) {
				return -1;
			}
			int i = entry - 1;
			if (this.hashes[i] == hash) {
				String candidate = this.names[i];
				if (candidate == name || candidate.equals(name)) {
					return i;
				}
			}
		}
	}

	/** The arrays are full: drops removed names' slots, and doubles the arrays if more than half are live. */
	private void reclaim() {
		int live = 0;
		for (int i = 0; i < this.used; i++) {
			if (this.values[i] != null) {
				live++;
			}
		}
		int capacity = (live * 2 > this.names.length) ? this.names.length * 2 : this.names.length;
		String[] names = new String[capacity];
		int[] hashes = new int[capacity];
		Object[] values = new Object[capacity];
		int[] index = new int[2 * capacity];
		int n = 0;
		for (int i = 0; i < this.used; i++) {
			if (this.values[i] != null) {
				names[n] = this.names[i];
				hashes[n] = this.hashes[i];
				values[n] = this.values[i];
				addToIndex(index, hashes[n], n);
				n++;
			}
		}
		this.names = names;
		this.hashes = hashes;
		this.values = values;
		this.index = index;
		this.used = n;
	}

	private static void addToIndex(int[] index, int hash, int slot) {
		int mask = index.length - 1;
		int at = spread(hash) & mask;
		while (index[at] != 0) {
			at = (at + 1) & mask;
		}
		index[at] = slot + 1;
	}

	/** Folds a hash's high bits into the low ones the index's mask keeps. */
	private static int spread(int hash) {
		return hash ^ (hash >>> 16);
	}

}
