package io.starlet.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ordered, read-only list of HTTP fields (header or trailer lines). Names compare
 * case-insensitively (RFC 9110 §5.1); values are as received, without surrounding whitespace.
 */
public interface Fields {

	int size();

	String name(int index);

	String value(int index);

	/** Index of the first field with this name at or after {@code from}, or -1. */
	default int indexOf(String name, int from) {
		for (int i = from; i < size(); i++) {
			if (name(i).equalsIgnoreCase(name)) {
				return i;
			}
		}
		return -1;
	}

	/** The first value of the named field, or {@code null}. */
	default String get(String name) {
		int i = indexOf(name, 0);
		return (i < 0) ? null : value(i);
	}

	default boolean contains(String name) {
		return indexOf(name, 0) >= 0;
	}

	/** Every value of the named field in order; empty when absent. */
	default List<String> getAll(String name) {
		int i = indexOf(name, 0);
		if (i < 0) {
			return Collections.emptyList();
		}
		List<String> values = new ArrayList<>(2);
		while (i >= 0) {
			values.add(value(i));
			i = indexOf(name, i + 1);
		}
		return values;
	}

	/** The distinct names, in the spelling of their first occurrence. */
	default Set<String> names() {
		Set<String> names = new LinkedHashSet<>();
		outer: for (int i = 0; i < size(); i++) {
			String name = name(i);
			for (String seen : names) {
				if (seen.equalsIgnoreCase(name)) {
					continue outer;
				}
			}
			names.add(name);
		}
		return names;
	}

}
