package io.starlet.servlet;

import java.util.EnumSet;

import jakarta.servlet.DispatcherType;

/** One filter mapping: a URL pattern or a servlet name, for a set of dispatcher types. */
record FilterMapping(FilterHolder filter, String urlPattern, String servletName,
		EnumSet<DispatcherType> dispatcherTypes) {

	FilterMapping {
		dispatcherTypes = (dispatcherTypes == null || dispatcherTypes.isEmpty()) ? EnumSet.of(DispatcherType.REQUEST)
				: EnumSet.copyOf(dispatcherTypes);
	}

	boolean appliesTo(DispatcherType type, String path, String servletNameOfTarget) {
		if (!this.dispatcherTypes.contains(type)) {
			return false;
		}
		if (this.servletName != null) {
			return this.servletName.equals("*") || this.servletName.equals(servletNameOfTarget);
		}
		return UrlPattern.matchesForFilter(this.urlPattern, path);
	}

}
