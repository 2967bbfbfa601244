package io.starlet.http;

import java.util.ArrayList;
import java.util.List;

/**
 * A mutable list of fields: response headers and request trailers. Small and allocation-light:
 * names and values live in one list, lookups are linear (responses carry a handful of headers).
 */
public final class HttpFields implements Fields {

	private final List<String> entries = new ArrayList<>(16);

	@Override
	public int size() {
		return this.entries.size() / 2;
	}

	@Override
	public String name(int index) {
		return this.entries.get(2 * index);
	}

	@Override
	public String value(int index) {
		return this.entries.get(2 * index + 1);
	}

	/** Appends a field, keeping any others of the same name. */
	public HttpFields add(String name, String value) {
		this.entries.add(name);
		this.entries.add(value);
		return this;
	}

	/** Replaces every field of this name with one value, or removes them when value is null. */
	public HttpFields set(String name, String value) {
		int i = indexOf(name, 0);
		if (i < 0) {
			if (value != null) {
				add(name, value);
			}
			return this;
		}
		if (value == null) {
			remove(name);
			return this;
		}
		this.entries.set(2 * i + 1, value);
		int next = indexOf(name, i + 1);
		while (next >= 0) {
			removeAt(next);
			next = indexOf(name, next);
		}
		return this;
	}

	/** Removes every field of this name. */
	public HttpFields remove(String name) {
		int i = indexOf(name, 0);
		while (i >= 0) {
			removeAt(i);
			i = indexOf(name, i);
		}
		return this;
	}

	private void removeAt(int index) {
		this.entries.remove(2 * index + 1);
		this.entries.remove(2 * index);
	}

	public void clear() {
		this.entries.clear();
	}

	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < size(); i++) {
			sb.append(name(i)).append(": ").append(value(i)).append('\n');
		}
		return sb.toString();
	}

}
