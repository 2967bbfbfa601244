package io.starlet.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletSecurityElement;

/**
 * A registered servlet: its registration data and its instance, created and initialised once,
 * at startup for load-on-startup ≥ 0, else lazily (thread-safe) on first use.
 */
final class ServletHolder extends Registration<Servlet> implements ServletRegistration.Dynamic, ServletConfig {

	private final List<String> mappings = new ArrayList<>();

	private int loadOnStartup = -1;

	private MultipartConfigElement multipartConfig;

	private String runAsRole;

	private ServletSecurityElement servletSecurity;

	private final int order;

	ServletHolder(ContainerContext context, String name, String className, Servlet instance, int order) {
		super(context, name, className, Servlet.class, instance);
		this.order = order;
	}

	@Override
	public Set<String> addMapping(String... urlPatterns) {
		if (urlPatterns == null || urlPatterns.length == 0) {
			throw new IllegalArgumentException("At least one URL pattern is required");
		}
		this.context.checkNotStarted("addMapping");
		Set<String> conflicts = new LinkedHashSet<>();
		for (String pattern : urlPatterns) {
			UrlPattern.validate(pattern);
			ServletHolder owner = this.context.registrations.servletMappedTo(pattern);
			if (owner != null && owner != this) {
				conflicts.add(pattern);
			}
		}
		if (conflicts.isEmpty()) {
			synchronized (this.mappings) {
				for (String pattern : urlPatterns) {
					if (!this.mappings.contains(pattern)) {
						this.mappings.add(pattern);
					}
				}
			}
		}
		return conflicts;
	}

	/**
	 * Maps the container's own default servlet to "/", without the checks of {@link #addMapping}
	 * (it is created with the registrations, before they can be asked about conflicts).
	 */
	void mapAsDefault() {
		synchronized (this.mappings) {
			this.mappings.add("/");
		}
	}

	@Override
	public Collection<String> getMappings() {
		synchronized (this.mappings) {
			return Collections.unmodifiableList(new ArrayList<>(this.mappings));
		}
	}

	@Override
	public String getRunAsRole() {
		return this.runAsRole;
	}

	@Override
	public void setLoadOnStartup(int loadOnStartup) {
		this.context.checkNotStarted("setLoadOnStartup");
		this.loadOnStartup = loadOnStartup;
	}

	int getLoadOnStartup() {
		return this.loadOnStartup;
	}

	int order() {
		return this.order;
	}

	@Override
	public Set<String> setServletSecurity(ServletSecurityElement constraint) {
		if (constraint == null) {
			throw new IllegalArgumentException("constraint must not be null");
		}
		this.context.checkNotStarted("setServletSecurity");
		this.servletSecurity = constraint;
		return Collections.emptySet();
	}

	ServletSecurityElement getServletSecurity() {
		return this.servletSecurity;
	}

	@Override
	public void setMultipartConfig(MultipartConfigElement multipartConfig) {
		if (multipartConfig == null) {
			throw new IllegalArgumentException("multipartConfig must not be null");
		}
		this.context.checkNotStarted("setMultipartConfig");
		this.multipartConfig = multipartConfig;
	}

	MultipartConfigElement getMultipartConfig() {
		if (this.multipartConfig == null) {
			Servlet servlet = instanceIfAny();
			jakarta.servlet.annotation.MultipartConfig annotation = (servlet != null)
					? servlet.getClass().getAnnotation(jakarta.servlet.annotation.MultipartConfig.class)
					: null;
			if (annotation != null) {
				this.multipartConfig = new MultipartConfigElement(annotation);
			}
		}
		return this.multipartConfig;
	}

	@Override
	public void setRunAsRole(String roleName) {
		this.context.checkNotStarted("setRunAsRole");
		this.runAsRole = roleName;
	}

	// --- ServletConfig ----------------------------------------------------------------------

	@Override
	public String getServletName() {
		return getName();
	}

	// --- lifecycle --------------------------------------------------------------------------

	@Override
	Servlet createInstance(Class<? extends Servlet> type) throws ServletException {
		return this.context.createServlet(type);
	}

	@Override
	void initializeInstance(Servlet servlet) throws ServletException {
		// Servlets initialise with the application's class loader, whichever thread asks first.
		ClassLoader previous = Thread.currentThread().getContextClassLoader();
		Thread.currentThread().setContextClassLoader(this.context.getClassLoader());
		try {
			servlet.init(this);
		}
		finally {
			Thread.currentThread().setContextClassLoader(previous);
		}
		this.context.registrations.servletInitialized(this);
	}

	@Override
	void destroyInstance(Servlet servlet) {
		servlet.destroy();
	}

	/** The initialised servlet, creating and initialising it on first use. */
	Servlet servlet() throws ServletException {
		return initialized();
	}

	void service(ServletRequest request, ServletResponse response) throws ServletException, IOException {
		servlet().service(request, response);
	}

}
