package io.starlet.servlet;

import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;

/**
 * What servlet and filter registrations share: name, class, init parameters, async support, and
 * the life of the instance: created from the class when none was given, initialised once (at
 * startup, or lazily and thread-safe on first use), destroyed once.
 *
 * @param <T> {@code Servlet} or {@code Filter}
 */
abstract class Registration<T> implements jakarta.servlet.Registration.Dynamic {

	private final Object initLock = new Object();

	private final Class<T> type;

	/** "Servlet" or "Filter", for messages. */
	private final String kind;

	private volatile T instance;

	private volatile boolean initialized;

	private volatile boolean permanentlyUnavailable;

	final ContainerContext context;

	private final String name;

	private final String className;

	private final Map<String, String> initParameters = new LinkedHashMap<>();

	private volatile boolean asyncSupported;

	Registration(ContainerContext context, String name, String className, Class<T> type, T instance) {
		this.context = context;
		this.name = name;
		this.className = className;
		this.type = type;
		this.kind = type.getSimpleName();
		this.instance = instance;
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

	/** For {@code ServletConfig} and {@code FilterConfig}, which both declare it. */
	public Enumeration<String> getInitParameterNames() {
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

	/** For {@code ServletConfig} and {@code FilterConfig}, which both declare it. */
	public ServletContext getServletContext() {
		return this.context;
	}

	// --- the instance's life ----------------------------------------------------------------

	/** Creates an instance of {@code type} (the context's createServlet or createFilter). */
	abstract T createInstance(Class<? extends T> type) throws ServletException;

	/** Calls the instance's {@code init}. */
	abstract void initializeInstance(T instance) throws ServletException;

	/** Calls the instance's {@code destroy}. */
	abstract void destroyInstance(T instance);

	/** The initialised instance, created and initialised on first use. */
	final T initialized() throws ServletException {
		if (this.initialized) {
			return this.instance;
		}
		synchronized (this.initLock) {
			if (this.initialized) {
				return this.instance;
			}
			if (this.permanentlyUnavailable) {
				throw new UnavailableException(this.kind + " " + this.name + " is unavailable");
			}
			T created = this.instance;
			if (created == null) {
				try {
					created = createInstance(loadClass());
				}
				catch (ClassNotFoundException | ClassCastException ex) {
					this.permanentlyUnavailable = true;
					throw new ServletException("Cannot load " + this.kind.toLowerCase(java.util.Locale.ROOT) + " class "
							+ this.className, ex);
				}
			}
			try {
				initializeInstance(created);
			}
			catch (UnavailableException ex) {
				this.permanentlyUnavailable = ex.isPermanent();
				throw ex;
			}
			this.instance = created;
			this.initialized = true;
			return created;
		}
	}

	final boolean isInitialized() {
		return this.initialized;
	}

	/** The instance given or created so far, initialised or not; null before either. */
	final T instanceIfAny() {
		return this.instance;
	}

	/** Destroys the instance if it was initialised; it may be initialised again afterwards. */
	final void destroy() {
		synchronized (this.initLock) {
			if (this.initialized) {
				this.initialized = false;
				try {
					destroyInstance(this.instance);
				}
				catch (RuntimeException ex) {
					this.context.log(this.kind + ".destroy() of " + this.name + " failed", ex);
				}
			}
		}
	}

	private Class<? extends T> loadClass() throws ClassNotFoundException {
		Class<?> loaded = Class.forName(this.className, true, this.context.getClassLoader());
		if (!this.type.isAssignableFrom(loaded)) {
			throw new ClassCastException(this.className + " is not a " + this.type.getName());
		}
		return loaded.asSubclass(this.type);
	}

}
