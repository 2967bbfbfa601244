package io.starlet.servlet;

import java.util.Map;

import jakarta.servlet.ServletException;

/**
 * The container's error pages: by exception type (nearest superclass wins, then the root cause
 * of a {@link ServletException}), by status, then the global page.
 */
final class ErrorPages {

	private final Map<Class<?>, String> byException;

	private final Map<Integer, String> byStatus;

	private final String global;

	/** Locations already checked ({@link #checkLocation}); the maps are copied. */
	ErrorPages(Map<Class<?>, String> byException, Map<Integer, String> byStatus, String global) {
		this.byException = Map.copyOf(byException);
		this.byStatus = Map.copyOf(byStatus);
		this.global = global;
	}

	static String checkLocation(String location) {
		if (location == null || !location.startsWith("/")) {
			throw new IllegalArgumentException("Error page location must start with '/': " + location);
		}
		return location;
	}

	/** The page for an exception: its own type or a supertype, then the root causes it wraps. */
	String forException(Throwable throwable) {
		Throwable current = throwable;
		int depth = 0;
		while (current != null && depth++ < 16) {
			String location = forType(current.getClass());
			if (location != null) {
				return location;
			}
			if (current instanceof ServletException servletException && servletException.getRootCause() != null) {
				current = servletException.getRootCause();
			}
			else {
				break;
			}
		}
		return null;
	}

	private String forType(Class<?> type) {
		if (this.byException.isEmpty()) {
			return null;
		}
		Class<?> current = type;
		while (current != null && current != Object.class) {
			String location = this.byException.get(current);
			if (location != null) {
				return location;
			}
			current = current.getSuperclass();
		}
		return null;
	}

	String forStatus(int status) {
		String location = this.byStatus.get(status);
		return (location != null) ? location : this.global;
	}

	String global() {
		return this.global;
	}

}
