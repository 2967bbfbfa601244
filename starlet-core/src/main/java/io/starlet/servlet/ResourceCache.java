package io.starlet.servlet;

import java.net.URL;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.starlet.Clock;

/**
 * Remembers where {@code META-INF/resources/...} lookups on the class path led, for
 * {@link ContainerContext#getResource} and the {@link DefaultServlet}.
 *
 * <p>Why: Spring's resource URL resolution asks the servlet context, for every link a Thymeleaf
 * page renders, whether {@code /css/app.css}, {@code /owners/42} and so on exist as servlet
 * context resources (through {@code ServletContextResource.isReadable}). Almost all do not. A
 * class-path lookup for a missing name walks every jar of a Spring Boot fat jar; on a list page
 * with a hundred links that took a large share of the server's CPU (issue 21). Tomcat answers
 * the same questions from its resource cache.
 *
 * <p>What may be cached, and for how long, follows what can change while the application runs:
 * <ul>
 * <li>a resource found inside a jar ({@code jar:} URL) cannot change or disappear while its
 * class loader is open: kept for good;
 * <li>a resource found in a directory on the class path ({@code file:}, as when an IDE or
 * {@code spring-boot:run} runs from {@code target/classes}) may be deleted, and a missing one may
 * be added by a rebuild: both are kept for {@link #TTL_NANOS} only (Tomcat's resource cache uses
 * the same 5 s), so a change on disk is seen within 5 s. The content is never cached: the URL is
 * read afresh on every open.
 * <li>a miss is kept for good when no directory can add the name: every class loader up the
 * chain reads only jars (see {@link ClassPathShape}), as in a Spring Boot fat jar. With the TTL,
 * each distinct missing name went back to the class path every 5 s, walking jars that cannot
 * change (Round 9 of docs/benchmarks.md measured it).
 * </ul>
 * The document root (a directory the application serves from) is not looked up here at all: the
 * caller checks it live, before asking this cache.
 *
 * <p>The names come from request paths, so the map is bounded: when it is full, expired entries
 * are dropped, then the misses kept for good (each is only a lookup to redo), and if that frees
 * nothing the lookup is answered uncached (never worse than no cache). The cache belongs to one
 * class loader; if the context's class loader changes, the cache starts over for the new one.
 */
final class ResourceCache {

	static final long TTL_NANOS = TimeUnit.SECONDS.toNanos(5);

	static final int MAX_ENTRIES = 4096;

	/** A lookup's answer: url null means "not on the class path". */
	private record Entry(URL url, long loadedAt, boolean permanent) {

		boolean fresh(long now, long ttl) {
			return this.permanent || now - this.loadedAt < ttl;
		}

	}

	/** The entries of one class loader; {@code jarsOnly}: its misses cannot turn into hits. */
	private record State(ClassLoader loader, boolean jarsOnly, ConcurrentHashMap<String, Entry> entries) {
	}

	private final String prefix;

	private final long ttlNanos;

	private final int maxEntries;

	/** The container's clock: the TTL is measured in its {@link Clock#nanoTime()}. */
	private final Clock clock;

	private volatile State state;

	ResourceCache(String prefix, Clock clock) {
		this(prefix, TTL_NANOS, MAX_ENTRIES, clock);
	}

	ResourceCache(String prefix, long ttlNanos, int maxEntries, Clock clock) {
		this.prefix = prefix;
		this.ttlNanos = ttlNanos;
		this.maxEntries = maxEntries;
		this.clock = clock;
	}

	/**
	 * The class-path resource {@code prefix + path} as {@code loader.getResource} finds it, or
	 * null; {@code path} must already be normalised (it is the cache key).
	 */
	URL find(ClassLoader loader, String path) {
		State current = this.state;
		if (current == null || current.loader() != loader) {
			current = new State(loader, ClassPathShape.jarsOnly(loader), new ConcurrentHashMap<>());
			this.state = current;
		}
		long now = this.clock.nanoTime();
		Entry entry = current.entries().get(path);
		if (entry != null && entry.fresh(now, this.ttlNanos)) {
			return entry.url();
		}
		URL url = loader.getResource(this.prefix + path);
		boolean permanent = (url != null) ? "jar".equals(url.getProtocol()) : current.jarsOnly();
		entry = new Entry(url, now, permanent);
		if (current.entries().size() >= this.maxEntries && !current.entries().containsKey(path)) {
			current.entries().values().removeIf((e) -> !e.fresh(now, this.ttlNanos));
			if (current.entries().size() >= this.maxEntries) {
				current.entries().values().removeIf((e) -> e.url() == null && e.permanent());
			}
			if (current.entries().size() >= this.maxEntries) {
				return url;
			}
		}
		current.entries().put(path, entry);
		return url;
	}

	/** How many answers are held (for tests). */
	int size() {
		State current = this.state;
		return (current != null) ? current.entries().size() : 0;
	}

}
