package io.starlet.websocket;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.websocket.DeploymentException;

/**
 * An endpoint path: literal segments and whole-segment variables, as in {@code /chat/{room}}
 * (Jakarta WebSocket 2.2 §3.1.1, a level-1 URI template). A variable matches one non-empty
 * segment. Ordering ({@link #compareTo}) puts the most specific template first: at the first
 * segment where two templates differ, a literal beats a variable.
 */
final class PathTemplate implements Comparable<PathTemplate> {

	private final String path;

	private final String[] segments;

	/** The variable's name at each segment, null for a literal. */
	private final String[] variables;

	private PathTemplate(String path, String[] segments, String[] variables) {
		this.path = path;
		this.segments = segments;
		this.variables = variables;
	}

	static PathTemplate parse(String path) throws DeploymentException {
		if (path == null || !path.startsWith("/")) {
			throw new DeploymentException("Endpoint path '" + path + "' must start with '/'");
		}
		String[] segments = path.equals("/") ? new String[0] : path.substring(1).split("/", -1);
		String[] variables = new String[segments.length];
		List<String> seen = new ArrayList<>();
		for (int i = 0; i < segments.length; i++) {
			String segment = segments[i];
			if (segment.startsWith("{") && segment.endsWith("}") && segment.length() > 2) {
				String name = segment.substring(1, segment.length() - 1);
				if (name.contains("{") || name.contains("}") || seen.contains(name)) {
					throw new DeploymentException("Endpoint path '" + path + "': invalid or repeated variable {" + name + "}");
				}
				seen.add(name);
				variables[i] = name;
			}
			else if (segment.contains("{") || segment.contains("}")) {
				throw new DeploymentException("Endpoint path '" + path
						+ "': a variable must be a whole segment, as in /chat/{room}");
			}
		}
		return new PathTemplate(path, segments, variables);
	}

	String path() {
		return this.path;
	}

	boolean hasVariables() {
		for (String variable : this.variables) {
			if (variable != null) {
				return true;
			}
		}
		return false;
	}

	/** The variables' values when {@code path} matches, null otherwise. */
	Map<String, String> match(String path) {
		String[] actual = path.equals("/") ? new String[0] : path.substring(1).split("/", -1);
		if (actual.length != this.segments.length) {
			return null;
		}
		Map<String, String> values = new LinkedHashMap<>();
		for (int i = 0; i < actual.length; i++) {
			if (this.variables[i] != null) {
				if (actual[i].isEmpty()) {
					return null;
				}
				values.put(this.variables[i], actual[i]);
			}
			else if (!this.segments[i].equals(actual[i])) {
				return null;
			}
		}
		return Collections.unmodifiableMap(values);
	}

	/** Whether both templates match exactly the same paths ({@code /a/{x}} and {@code /a/{y}}). */
	boolean sameShape(PathTemplate other) {
		if (other.segments.length != this.segments.length) {
			return false;
		}
		for (int i = 0; i < this.segments.length; i++) {
			boolean variable = this.variables[i] != null;
			if (variable != (other.variables[i] != null) || (!variable && !this.segments[i].equals(other.segments[i]))) {
				return false;
			}
		}
		return true;
	}

	@Override
	public int compareTo(PathTemplate other) {
		int n = Math.min(this.segments.length, other.segments.length);
		for (int i = 0; i < n; i++) {
			boolean mine = this.variables[i] != null;
			boolean theirs = other.variables[i] != null;
			if (mine != theirs) {
				return mine ? 1 : -1;
			}
		}
		return Integer.compare(this.segments.length, other.segments.length);
	}

	@Override
	public String toString() {
		return this.path;
	}

}
