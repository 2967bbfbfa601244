package io.starlet.servlet;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.SessionCookieConfig;

/** The session cookie configuration; frozen (setters throw) once the context has started. */
final class SessionCookieSettings implements SessionCookieConfig {

	private final ContainerContext context;

	private String name = "JSESSIONID";

	private final Map<String, String> attributes = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

	SessionCookieSettings(ContainerContext context) {
		this.context = context;
		this.attributes.put("HttpOnly", "");
	}

	@Override
	public synchronized void setName(String name) {
		this.context.checkNotStarted("SessionCookieConfig.setName");
		if (name == null || !Cookies.isToken(name)) {
			throw new IllegalArgumentException("Invalid session cookie name '" + name + "'");
		}
		this.name = name;
	}

	@Override
	public synchronized String getName() {
		return this.name;
	}

	@Override
	public void setDomain(String domain) {
		setAttribute("Domain", domain);
	}

	@Override
	public String getDomain() {
		return getAttribute("Domain");
	}

	@Override
	public void setPath(String path) {
		setAttribute("Path", path);
	}

	@Override
	public String getPath() {
		return getAttribute("Path");
	}

	@Override
	@Deprecated
	public void setComment(String comment) {
		this.context.checkNotStarted("SessionCookieConfig.setComment");
	}

	@Override
	@Deprecated
	public String getComment() {
		return null;
	}

	@Override
	public void setHttpOnly(boolean httpOnly) {
		setAttribute("HttpOnly", httpOnly ? "" : null);
	}

	@Override
	public boolean isHttpOnly() {
		return getAttribute("HttpOnly") != null;
	}

	@Override
	public void setSecure(boolean secure) {
		setAttribute("Secure", secure ? "" : null);
	}

	@Override
	public boolean isSecure() {
		return getAttribute("Secure") != null;
	}

	@Override
	public void setMaxAge(int maxAge) {
		setAttribute("Max-Age", String.valueOf(maxAge));
	}

	@Override
	public int getMaxAge() {
		String value = getAttribute("Max-Age");
		return (value != null) ? Integer.parseInt(value) : -1;
	}

	@Override
	public synchronized void setAttribute(String name, String value) {
		this.context.checkNotStarted("SessionCookieConfig.setAttribute");
		if (name == null || !Cookies.isToken(name)) {
			throw new IllegalArgumentException("Invalid cookie attribute name '" + name + "'");
		}
		if (value == null) {
			this.attributes.remove(name);
		}
		else {
			this.attributes.put(name, ("Domain".equalsIgnoreCase(name)) ? value.toLowerCase(Locale.ROOT) : value);
		}
	}

	@Override
	public synchronized String getAttribute(String name) {
		return this.attributes.get(name);
	}

	@Override
	public synchronized Map<String, String> getAttributes() {
		return Collections.unmodifiableMap(new TreeMap<>(this.attributes));
	}

}
