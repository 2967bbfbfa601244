package io.starlet.servlet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;

/** A registered filter: registration data, and its instance, initialised at context start. */
final class FilterHolder extends Registration implements FilterRegistration.Dynamic, FilterConfig {

	private volatile Filter instance;

	private volatile boolean initialized;

	FilterHolder(ContainerContext context, String name, String className, Filter instance) {
		super(context, name, className);
		this.instance = instance;
	}

	@Override
	public void addMappingForServletNames(EnumSet<DispatcherType> dispatcherTypes, boolean isMatchAfter,
			String... servletNames) {
		if (servletNames == null || servletNames.length == 0) {
			throw new IllegalArgumentException("At least one servlet name is required");
		}
		this.context.checkNotStarted("addMappingForServletNames");
		for (String servletName : servletNames) {
			this.context.addFilterMapping(new FilterMapping(this, null, servletName, dispatcherTypes), isMatchAfter);
		}
	}

	@Override
	public Collection<String> getServletNameMappings() {
		List<String> names = new ArrayList<>();
		for (FilterMapping mapping : this.context.filterMappings()) {
			if (mapping.filter() == this && mapping.servletName() != null) {
				names.add(mapping.servletName());
			}
		}
		return names;
	}

	@Override
	public void addMappingForUrlPatterns(EnumSet<DispatcherType> dispatcherTypes, boolean isMatchAfter,
			String... urlPatterns) {
		if (urlPatterns == null || urlPatterns.length == 0) {
			throw new IllegalArgumentException("At least one URL pattern is required");
		}
		this.context.checkNotStarted("addMappingForUrlPatterns");
		for (String pattern : urlPatterns) {
			UrlPattern.validate(pattern);
			this.context.addFilterMapping(new FilterMapping(this, pattern, null, dispatcherTypes), isMatchAfter);
		}
	}

	@Override
	public Collection<String> getUrlPatternMappings() {
		List<String> patterns = new ArrayList<>();
		for (FilterMapping mapping : this.context.filterMappings()) {
			if (mapping.filter() == this && mapping.urlPattern() != null) {
				patterns.add(mapping.urlPattern());
			}
		}
		return patterns;
	}

	// --- FilterConfig -----------------------------------------------------------------------

	@Override
	public String getFilterName() {
		return getName();
	}

	@Override
	public ServletContext getServletContext() {
		return servletContext();
	}

	@Override
	public Enumeration<String> getInitParameterNames() {
		return initParameterNames();
	}

	// --- lifecycle --------------------------------------------------------------------------

	synchronized void init() throws ServletException {
		if (this.initialized) {
			return;
		}
		Filter filter = this.instance;
		if (filter == null) {
			try {
				filter = this.context.createFilter(loadClass(Filter.class));
			}
			catch (ClassNotFoundException | ClassCastException ex) {
				throw new ServletException("Cannot load filter class " + getClassName(), ex);
			}
		}
		filter.init(this);
		this.instance = filter;
		this.initialized = true;
	}

	Filter filter() throws ServletException {
		if (!this.initialized) {
			init();
		}
		return this.instance;
	}

	synchronized void destroy() {
		if (this.initialized) {
			this.initialized = false;
			try {
				this.instance.destroy();
			}
			catch (RuntimeException ex) {
				this.context.log("Filter.destroy() of " + getName() + " failed", ex);
			}
		}
	}

}
