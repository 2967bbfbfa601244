package io.starlet.servlet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.MappingMatch;

/**
 * Maps a decoded, context-relative path to a servlet by the rules of Servlet §12.1: exact match,
 * then the longest {@code /prefix/*}, then {@code *.ext} on the last segment, then the default
 * servlet ({@code /}). Immutable: built once when the context starts.
 */
final class ServletMapper {

	private final Map<String, ServletHolder> exact = new HashMap<>();

	/** Prefixes without the trailing {@code /*}, longest first. */
	private final List<Map.Entry<String, ServletHolder>> prefixes = new ArrayList<>();

	private final Map<String, ServletHolder> extensions = new HashMap<>();

	private ServletHolder contextRoot;

	private final ServletHolder defaultServlet;

	ServletMapper(List<ServletHolder> servlets, ServletHolder fallback) {
		ServletHolder defaultHolder = null;
		for (ServletHolder holder : servlets) {
			for (String pattern : holder.getMappings()) {
				if (pattern.isEmpty()) {
					this.contextRoot = holder;
				}
				else if (pattern.equals("/")) {
					defaultHolder = holder;
				}
				else if (pattern.endsWith("/*")) {
					this.prefixes.add(Map.entry(pattern.substring(0, pattern.length() - 2), holder));
				}
				else if (pattern.startsWith("*.")) {
					this.extensions.put(pattern.substring(2), holder);
				}
				else {
					this.exact.put(pattern, holder);
				}
			}
		}
		this.prefixes.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
		this.defaultServlet = (defaultHolder != null) ? defaultHolder : fallback;
	}

	ServletMapping map(String path) {
		if (path.equals("/") && this.contextRoot != null) {
			return new ServletMapping(this.contextRoot, this.contextRoot.getName(), "", MappingMatch.CONTEXT_ROOT, "",
					"", "/");
		}
		ServletHolder holder = this.exact.get(path);
		if (holder != null) {
			return new ServletMapping(holder, holder.getName(), path, MappingMatch.EXACT, path.substring(1), path,
					null);
		}
		for (Map.Entry<String, ServletHolder> prefix : this.prefixes) {
			String p = prefix.getKey();
			if (path.equals(p) || (path.startsWith(p) && path.charAt(p.length()) == '/')) {
				String pathInfo = (path.length() > p.length()) ? path.substring(p.length()) : null;
				String matchValue = (pathInfo != null) ? pathInfo.substring(1) : "";
				ServletHolder h = prefix.getValue();
				return new ServletMapping(h, h.getName(), p + "/*", MappingMatch.PATH, matchValue, p, pathInfo);
			}
		}
		int slash = path.lastIndexOf('/');
		int dot = path.lastIndexOf('.');
		if (dot > slash && !this.extensions.isEmpty()) {
			holder = this.extensions.get(path.substring(dot + 1));
			if (holder != null) {
				return new ServletMapping(holder, holder.getName(), "*." + path.substring(dot + 1),
						MappingMatch.EXTENSION, path.substring(1, dot), path, null);
			}
		}
		return new ServletMapping(this.defaultServlet, this.defaultServlet.getName(), "/", MappingMatch.DEFAULT, "",
				path, null);
	}

	/** Servlet mapping for a named dispatch: no path of its own. */
	static ServletMapping named(ServletHolder holder, ServletMapping current) {
		return new ServletMapping(holder, holder.getName(), (current != null) ? current.pattern() : "",
				(current != null) ? current.mappingMatch() : MappingMatch.EXACT,
				(current != null) ? current.matchValue() : "", (current != null) ? current.servletPath() : "",
				(current != null) ? current.pathInfo() : null);
	}

}
