package io.starlet.servlet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletException;

/** A registered filter: registration data, and its instance, initialised at context start. */
final class FilterHolder extends Registration<Filter> implements FilterRegistration.Dynamic, FilterConfig {

	FilterHolder(ContainerContext context, String name, String className, Filter instance) {
		super(context, name, className, Filter.class, instance);
	}

	@Override
	public void addMappingForServletNames(EnumSet<DispatcherType> dispatcherTypes, boolean isMatchAfter,
			String... servletNames) {
		if (servletNames == null || servletNames.length == 0) {
			throw new IllegalArgumentException("At least one servlet name is required");
		}
		this.context.checkNotStarted("addMappingForServletNames");
		for (String servletName : servletNames) {
			this.context.registrations.addFilterMapping(new FilterMapping(this, null, servletName, dispatcherTypes), isMatchAfter);
		}
	}

	@Override
	public Collection<String> getServletNameMappings() {
		List<String> names = new ArrayList<>();
		for (FilterMapping mapping : this.context.registrations.filterMappings()) {
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
			this.context.registrations.addFilterMapping(new FilterMapping(this, pattern, null, dispatcherTypes), isMatchAfter);
		}
	}

	@Override
	public Collection<String> getUrlPatternMappings() {
		List<String> patterns = new ArrayList<>();
		for (FilterMapping mapping : this.context.registrations.filterMappings()) {
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

	// --- lifecycle --------------------------------------------------------------------------

	@Override
	Filter createInstance(Class<? extends Filter> type) throws ServletException {
		return this.context.createFilter(type);
	}

	@Override
	void initializeInstance(Filter filter) throws ServletException {
		filter.init(this);
	}

	@Override
	void destroyInstance(Filter filter) {
		filter.destroy();
	}

	/** The initialised filter (filters are initialised when the context starts). */
	Filter filter() throws ServletException {
		return initialized();
	}

}
