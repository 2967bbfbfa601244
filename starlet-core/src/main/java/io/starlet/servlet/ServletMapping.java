package io.starlet.servlet;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.MappingMatch;

/**
 * The outcome of mapping a path to a servlet: which servlet, and how the path splits into servlet
 * path and path info. Also the {@link HttpServletMapping} the request reports.
 */
record ServletMapping(ServletHolder servlet, String servletName, String pattern, MappingMatch mappingMatch,
		String matchValue, String servletPath, String pathInfo) implements HttpServletMapping {

	@Override
	public String getMatchValue() {
		return this.matchValue;
	}

	@Override
	public String getPattern() {
		return this.pattern;
	}

	@Override
	public String getServletName() {
		return this.servletName;
	}

	@Override
	public MappingMatch getMappingMatch() {
		return this.mappingMatch;
	}

	/** The context-relative path this mapping was made for. */
	String path() {
		return (this.pathInfo != null) ? this.servletPath + this.pathInfo : this.servletPath;
	}

	@Override
	public String toString() {
		return "ServletMapping[servlet=" + this.servletName + ", pattern=" + this.pattern + ", match="
				+ this.mappingMatch + "]";
	}

}
