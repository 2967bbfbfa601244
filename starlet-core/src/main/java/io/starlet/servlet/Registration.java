package io.starlet.servlet;

import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.ServletContext;

/** What servlet and filter registrations share: name, class, init parameters, async support. */
abstract class Registration implements jakarta.servlet.Registration.Dynamic {

	final ContainerContext context;

	private final String name;

	private final String className;

	private final Map<String, String> initParameters = new LinkedHashMap<>();

	private volatile boolean asyncSupported;

	Registration(ContainerContext context, String name, String className) {
		this.context = context;
		this.name = name;
		this.className = className;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public String getClassName() {
		return this.className;
	}

	@Override
	public boolean setInitParameter(String name, String value) {
		if (name == null || value == null) {
			throw new IllegalArgumentException("Init parameter name and value must not be null");
		}
		this.context.checkNotStarted("setInitParameter");
		synchronized (this.initParameters) {
			if (this.initParameters.containsKey(name)) {
				return false;
			}
			this.initParameters.put(name, value);
			return true;
		}
	}

	@Override
	public String getInitParameter(String name) {
		synchronized (this.initParameters) {
			return this.initParameters.get(name);
		}
	}

	@Override
	public Set<String> setInitParameters(Map<String, String> initParameters) {
		this.context.checkNotStarted("setInitParameters");
		Set<String> conflicts = new HashSet<>();
		synchronized (this.initParameters) {
			for (Map.Entry<String, String> entry : initParameters.entrySet()) {
				if (entry.getKey() == null || entry.getValue() == null) {
					throw new IllegalArgumentException("Init parameter name and value must not be null");
				}
				if (this.initParameters.containsKey(entry.getKey())) {
					conflicts.add(entry.getKey());
				}
			}
			if (conflicts.isEmpty()) {
				this.initParameters.putAll(initParameters);
			}
		}
		return conflicts;
	}

	@Override
	public Map<String, String> getInitParameters() {
		synchronized (this.initParameters) {
			return Collections.unmodifiableMap(new LinkedHashMap<>(this.initParameters));
		}
	}

	Enumeration<String> initParameterNames() {
		return Collections.enumeration(getInitParameters().keySet());
	}

	@Override
	public void setAsyncSupported(boolean isAsyncSupported) {
		this.context.checkNotStarted("setAsyncSupported");
		this.asyncSupported = isAsyncSupported;
	}

	boolean isAsyncSupported() {
		return this.asyncSupported;
	}

	ServletContext servletContext() {
		return this.context;
	}

	@SuppressWarnings("unchecked")
	<T> Class<? extends T> loadClass(Class<T> type) throws ClassNotFoundException {
		Class<?> loaded = Class.forName(this.className, true, this.context.getClassLoader());
		if (!type.isAssignableFrom(loaded)) {
			throw new ClassCastException(this.className + " is not a " + type.getName());
		}
		return (Class<? extends T>) loaded;
	}

}
