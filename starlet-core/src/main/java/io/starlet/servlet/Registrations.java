package io.starlet.servlet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;

/**
 * The context's servlets, filters and filter mappings: added until the context starts, then
 * frozen into a {@link ServletMapper}; filters initialised at start, servlets at startup (by
 * load-on-startup) or on first use, both destroyed in reverse order.
 */
final class Registrations {

	private final ContainerContext context;

	private final Map<String, ServletHolder> servlets = new LinkedHashMap<>();

	private final Map<String, FilterHolder> filters = new LinkedHashMap<>();

	private final List<FilterMapping> filterMappings = new CopyOnWriteArrayList<>();

	/** Where the next isMatchAfter=false mapping goes: after earlier "before" ones, before the rest. */
	private int filterInsertPoint;

	private final List<ServletHolder> initializedServlets = new CopyOnWriteArrayList<>();

	private final ServletHolder fallbackServlet;

	private volatile ServletMapper mapper;

	private int servletOrder;

	Registrations(ContainerContext context) {
		this.context = context;
		this.fallbackServlet = new ServletHolder(context, "default", DefaultServlet.class.getName(),
				new DefaultServlet(), Integer.MAX_VALUE);
		this.fallbackServlet.mapAsDefault();
	}

	// --- adding -------------------------------------------------------------------------------

	ServletHolder addServlet(String name, String className, Servlet instance) {
		return add(this.servlets, "Servlet", name,
				() -> new ServletHolder(this.context, name, className, instance, this.servletOrder++));
	}

	FilterHolder addFilter(String name, String className, Filter instance) {
		return add(this.filters, "Filter", name, () -> new FilterHolder(this.context, name, className, instance));
	}

	/** Null when the name is taken (the specification's answer), else the new holder. */
	private <H> H add(Map<String, H> holders, String kind, String name, Supplier<H> holder) {
		if (name == null || name.isEmpty()) {
			throw new IllegalArgumentException(kind + " name must not be null or empty");
		}
		this.context.checkNotStarted("add" + kind);
		synchronized (holders) {
			if (holders.containsKey(name)) {
				return null;
			}
			H added = holder.get();
			holders.put(name, added);
			return added;
		}
	}

	/** The class name of a registration's instance, which must not be null. */
	static String classOf(Object instance, String what) {
		if (instance == null) {
			throw new IllegalArgumentException(what + " must not be null");
		}
		return instance.getClass().getName();
	}

	/** The name of a registration's class, which must not be null. */
	static String nameOf(Class<?> type, String what) {
		if (type == null) {
			throw new IllegalArgumentException(what + " must not be null");
		}
		return type.getName();
	}

	ServletHolder servlet(String name) {
		return get(this.servlets, name);
	}

	FilterHolder filter(String name) {
		return get(this.filters, name);
	}

	Map<String, ServletHolder> servlets() {
		return snapshot(this.servlets);
	}

	Map<String, FilterHolder> filters() {
		return snapshot(this.filters);
	}

	private static <H> H get(Map<String, H> holders, String name) {
		synchronized (holders) {
			return holders.get(name);
		}
	}

	private static <H> Map<String, H> snapshot(Map<String, H> holders) {
		synchronized (holders) {
			return Collections.unmodifiableMap(new LinkedHashMap<>(holders));
		}
	}

	// --- mappings -----------------------------------------------------------------------------

	void addFilterMapping(FilterMapping mapping, boolean isMatchAfter) {
		synchronized (this.filterMappings) {
			if (isMatchAfter) {
				this.filterMappings.add(mapping);
			}
			else {
				this.filterMappings.add(this.filterInsertPoint++, mapping);
			}
		}
	}

	List<FilterMapping> filterMappings() {
		return this.filterMappings;
	}

	/** The filters for a dispatch: URL-pattern mappings first, then servlet-name ones (Servlet §6.2.4). */
	List<FilterHolder> filtersFor(DispatcherType type, String path, String servletName) {
		List<FilterHolder> chain = null;
		for (FilterMapping mapping : this.filterMappings) {
			if (mapping.urlPattern() != null && path != null && mapping.appliesTo(type, path, servletName)) {
				chain = add(chain, mapping.filter());
			}
		}
		for (FilterMapping mapping : this.filterMappings) {
			if (mapping.servletName() != null && mapping.appliesTo(type, path, servletName)) {
				chain = add(chain, mapping.filter());
			}
		}
		return (chain != null) ? chain : Collections.emptyList();
	}

	/**
	 * Adds a filter to the chain unless it is there already: a filter that several of its mappings
	 * match (two URL patterns, or a pattern and the servlet's name) runs once, where it first
	 * matched, as on Tomcat.
	 */
	private static List<FilterHolder> add(List<FilterHolder> chain, FilterHolder filter) {
		List<FilterHolder> list = (chain != null) ? chain : new ArrayList<>(8);
		if (!list.contains(filter)) {
			list.add(filter);
		}
		return list;
	}

	ServletHolder servletMappedTo(String pattern) {
		synchronized (this.servlets) {
			for (ServletHolder holder : this.servlets.values()) {
				if (holder.getMappings().contains(pattern)) {
					return holder;
				}
			}
		}
		return null;
	}

	/** A servlet by name; "default" is the container's own when enabled and not replaced. */
	ServletHolder servletNamed(String name) {
		ServletHolder holder = servlet(name);
		if (holder == null && "default".equals(name) && this.context.settings.defaultServletEnabled()) {
			return this.fallbackServlet;
		}
		return holder;
	}

	ServletMapper mapper() {
		ServletMapper current = this.mapper;
		if (current == null) {
			throw new IllegalStateException("The servlet context has not been started");
		}
		return current;
	}

	// --- life ---------------------------------------------------------------------------------

	/** Freezes the servlet mapping (before the context listeners run, which may dispatch). */
	void freeze() {
		this.mapper = new ServletMapper(new ArrayList<>(servlets().values()), this.fallbackServlet);
	}

	void initFilters() throws ServletException {
		for (FilterHolder filter : filters().values()) {
			filter.filter();
		}
	}

	/** Initialises the load-on-startup servlets: by their number, then in registration order. */
	void initServlets() throws ServletException {
		List<ServletHolder> toLoad = new ArrayList<>();
		for (ServletHolder holder : servlets().values()) {
			if (holder.getLoadOnStartup() >= 0) {
				toLoad.add(holder);
			}
		}
		toLoad.sort((a, b) -> (a.getLoadOnStartup() != b.getLoadOnStartup())
				? Integer.compare(a.getLoadOnStartup(), b.getLoadOnStartup()) : Integer.compare(a.order(), b.order()));
		for (ServletHolder holder : toLoad) {
			holder.servlet();
		}
	}

	void servletInitialized(ServletHolder holder) {
		this.initializedServlets.add(holder);
	}

	/** Servlets in the reverse order of their initialisation, then filters in reverse order. */
	void destroy() {
		List<ServletHolder> holders = new ArrayList<>(this.initializedServlets);
		Collections.reverse(holders);
		holders.forEach(ServletHolder::destroy);
		List<FilterHolder> filterHolders = new ArrayList<>(filters().values());
		Collections.reverse(filterHolders);
		filterHolders.forEach(FilterHolder::destroy);
	}

}
