package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.starlet.testing.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The class-path resource cache behind ServletContext.getResource: jar entries are remembered,
 * directory entries and misses only for the TTL, so that a file added, changed or deleted in
 * target/classes during development is seen once the TTL has passed. Time is a {@link ManualClock}'s.
 */
@Timeout(30)
class ResourceCacheTest {

	private static final long TTL = Duration.ofMillis(200).toNanos();

	/** The cache's clock: time passes only when a test says so. */
	private final ManualClock clock = new ManualClock();

	@TempDir
	Path dir;

	/** Counts the lookups that reach the class path. */
	static final class CountingLoader extends URLClassLoader {

		final AtomicInteger lookups = new AtomicInteger();

		CountingLoader(URL... urls) {
			super(urls, null);
		}

		@Override
		public URL findResource(String name) {
			this.lookups.incrementAndGet();
			return super.findResource(name);
		}

	}

	@Test
	void aMissingResourceIsLookedUpOncePerTtl() throws Exception {
		try (CountingLoader loader = new CountingLoader(this.dir.toUri().toURL())) {
			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 100, this.clock);
			for (int i = 0; i < 50; i++) {
				assertThat(cache.find(loader, "/owners/42")).isNull();
			}
			assertThat(loader.lookups).hasValue(1);
			this.clock.advance(Duration.ofNanos(TTL + 1));
			assertThat(cache.find(loader, "/owners/42")).isNull();
			assertThat(loader.lookups).hasValue(2);
		}
	}

	@Test
	void aFileAddedChangedAndDeletedInAClassPathDirectoryIsSeenAfterTheTtl() throws Exception {
		Path file = this.dir.resolve("META-INF/resources/css/site.css");
		try (CountingLoader loader = new CountingLoader(this.dir.toUri().toURL())) {
			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 100, this.clock);
			assertThat(cache.find(loader, "/css/site.css")).isNull();

			Files.createDirectories(file.getParent());
			Files.writeString(file, "body { color: red; }");
			this.clock.advance(Duration.ofNanos(TTL + 1));
			URL url = cache.find(loader, "/css/site.css");
			assertThat(url).isNotNull();
			assertThat(read(url)).isEqualTo("body { color: red; }");

			// the content is never cached: a change is visible at once through the same URL
			Files.writeString(file, "body { color: blue; }");
			assertThat(read(cache.find(loader, "/css/site.css"))).isEqualTo("body { color: blue; }");

			Files.delete(file);
			this.clock.advance(Duration.ofNanos(TTL + 1));
			assertThat(cache.find(loader, "/css/site.css")).isNull();
		}
	}

	@Test
	void aResourceInAJarIsRememberedPastTheTtl() throws Exception {
		Path jar = this.dir.resolve("lib.jar");
		try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
			out.putNextEntry(new JarEntry("META-INF/resources/js/app.js"));
			out.write("console.log(1);".getBytes());
			out.closeEntry();
		}
		try (CountingLoader loader = new CountingLoader(jar.toUri().toURL())) {
			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 100, this.clock);
			URL url = cache.find(loader, "/js/app.js");
			assertThat(url).isNotNull();
			assertThat(url.getProtocol()).isEqualTo("jar");
			this.clock.advance(Duration.ofNanos(TTL + 1));
			assertThat(cache.find(loader, "/js/app.js")).isEqualTo(url);
			assertThat(loader.lookups).hasValue(1);
			assertThat(read(url)).isEqualTo("console.log(1);");
		}
	}

	@Test
	void aMissIsKeptForGoodWhenEveryLoaderReadsOnlyJars() throws Exception {
		Path jar = jar("lib.jar", null);
		try (CountingLoader loader = new CountingLoader(jar.toUri().toURL())) {
			assertThat(ClassPathShape.jarsOnly(loader)).isTrue();
			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 100, this.clock);
			assertThat(cache.find(loader, "/owners/42")).isNull();
			this.clock.advance(Duration.ofNanos(10 * TTL));
			assertThat(cache.find(loader, "/owners/42")).isNull();
			assertThat(loader.lookups).hasValue(1);
		}
	}

	@Test
	void aDirectoryOrAManifestClassPathAnywhereInTheChainKeepsTheTtlForMisses() throws Exception {
		Path plain = jar("plain.jar", null);
		Path pointing = jar("pointing.jar", "classes/");
		try (CountingLoader dirAbove = new CountingLoader(this.dir.toUri().toURL());
				URLClassLoader jarBelowDir = new URLClassLoader(new URL[] { plain.toUri().toURL() }, dirAbove);
				CountingLoader manifestClassPath = new CountingLoader(pointing.toUri().toURL());
				URLClassLoader underTheTestRun = new URLClassLoader(new URL[] { plain.toUri().toURL() },
						ClassLoader.getSystemClassLoader())) {
			assertThat(ClassPathShape.jarsOnly(jarBelowDir)).isFalse();
			assertThat(ClassPathShape.jarsOnly(manifestClassPath)).isFalse();
			// the test run's class path has target/classes
			assertThat(ClassPathShape.jarsOnly(underTheTestRun)).isFalse();

			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 100, this.clock);
			assertThat(cache.find(manifestClassPath, "/owners/42")).isNull();
			this.clock.advance(Duration.ofNanos(TTL + 1));
			assertThat(cache.find(manifestClassPath, "/owners/42")).isNull();
			assertThat(manifestClassPath.lookups).hasValue(2);
		}
	}

	@Test
	void aManifestClassPathNamingOnlyJarsKeepsMissesForGood() throws Exception {
		// Spring Boot's extracted layout: app.jar names lib/*.jar, which name nothing more
		Files.createDirectories(this.dir.resolve("lib"));
		jar("lib/a.jar", null);
		jar("lib/b c.jar", null);
		jar("lib/cycle.jar", "../app.jar");
		Path app = jar("app.jar", "lib/a.jar  lib/b%20c.jar lib/cycle.jar");
		Path missingEntry = jar("missing.jar", "lib/a.jar lib/gone.jar");
		Path remoteEntry = jar("remote.jar", "http://example.com/x.jar");
		Path viaDirectory = jar("indirect.jar", "pointing.jar");
		jar("pointing.jar", "classes/");
		try (CountingLoader extracted = new CountingLoader(app.toUri().toURL());
				URLClassLoader missing = new URLClassLoader(new URL[] { missingEntry.toUri().toURL() }, null);
				URLClassLoader remote = new URLClassLoader(new URL[] { remoteEntry.toUri().toURL() }, null);
				URLClassLoader indirect = new URLClassLoader(new URL[] { viaDirectory.toUri().toURL() }, null)) {
			assertThat(ClassPathShape.jarsOnly(extracted)).isTrue();
			assertThat(ClassPathShape.jarsOnly(missing)).as("a Class-Path entry that does not exist").isFalse();
			assertThat(ClassPathShape.jarsOnly(remote)).as("a Class-Path entry that is not a file").isFalse();
			assertThat(ClassPathShape.jarsOnly(indirect)).as("a directory two manifests down").isFalse();

			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 100, this.clock);
			assertThat(cache.find(extracted, "/owners/42")).isNull();
			this.clock.advance(Duration.ofNanos(10 * TTL));
			assertThat(cache.find(extracted, "/owners/42")).isNull();
			assertThat(extracted.lookups).hasValue(1);
		}
	}

	@Test
	void aCacheFullOfLastingMissesMakesRoomForNewNames() throws Exception {
		Path jar = jar("lib.jar", null);
		try (CountingLoader loader = new CountingLoader(jar.toUri().toURL())) {
			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 8, this.clock);
			for (int i = 0; i < 8; i++) {
				assertThat(cache.find(loader, "/missing-" + i)).isNull();
			}
			assertThat(cache.size()).isEqualTo(8);
			assertThat(cache.find(loader, "/js/app.js")).isNotNull();
			assertThat(cache.size()).isEqualTo(1);
			int lookups = loader.lookups.get();
			assertThat(cache.find(loader, "/js/app.js")).isNotNull();
			assertThat(loader.lookups).hasValue(lookups);
		}
	}

	/** A jar holding META-INF/resources/js/app.js, with a manifest Class-Path when one is given. */
	private Path jar(String name, String manifestClassPath) throws IOException {
		Path jar = this.dir.resolve(name);
		java.util.jar.Manifest manifest = new java.util.jar.Manifest();
		manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
		if (manifestClassPath != null) {
			manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, manifestClassPath);
		}
		try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
			out.putNextEntry(new JarEntry("META-INF/resources/js/app.js"));
			out.write("console.log(1);".getBytes());
			out.closeEntry();
		}
		return jar;
	}

	@Test
	void theCacheIsBoundedAndAFullCacheStillAnswers() throws Exception {
		Files.createDirectories(this.dir.resolve("META-INF/resources"));
		Files.writeString(this.dir.resolve("META-INF/resources/present.txt"), "x");
		try (CountingLoader loader = new CountingLoader(this.dir.toUri().toURL())) {
			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 8, this.clock);
			for (int i = 0; i < 100; i++) {
				assertThat(cache.find(loader, "/missing-" + i)).isNull();
			}
			assertThat(cache.size()).isEqualTo(8);
			assertThat(cache.find(loader, "/present.txt")).isNotNull();
			// once the entries have expired, a full cache makes room again
			this.clock.advance(Duration.ofNanos(TTL + 1));
			assertThat(cache.find(loader, "/present.txt")).isNotNull();
			assertThat(cache.size()).isEqualTo(1);
		}
	}

	@Test
	void anotherClassLoaderStartsAFreshCache() throws Exception {
		Path other = Files.createDirectories(this.dir.resolve("other/META-INF/resources"));
		Files.writeString(other.resolve("only-here.txt"), "x");
		try (CountingLoader first = new CountingLoader(this.dir.toUri().toURL());
				CountingLoader second = new CountingLoader(this.dir.resolve("other").toUri().toURL())) {
			ResourceCache cache = new ResourceCache("META-INF/resources", TTL, 100, this.clock);
			assertThat(cache.find(first, "/only-here.txt")).isNull();
			assertThat(cache.find(second, "/only-here.txt")).isNotNull();
		}
	}

	@Test
	void getResourceOfTheContextSeesANewClassPathFileOnceTheDefaultTtlIsOver() throws Exception {
		Path file = this.dir.resolve("META-INF/resources/late.txt");
		try (CountingLoader loader = new CountingLoader(this.dir.toUri().toURL())) {
			ServletContainer container = new ServletContainer(
					ContainerSettings.builder().classLoader(loader).clock(this.clock).build());
			ContainerContext context = (ContainerContext) container.getServletContext();
			assertThat(context.getResource("/late.txt")).isNull();
			Files.createDirectories(file.getParent());
			Files.writeString(file, "late");
			this.clock.advance(Duration.ofNanos(ResourceCache.TTL_NANOS - 1));
			assertThat(context.getResource("/late.txt")).as("the miss, kept for the TTL").isNull();
			this.clock.advance(Duration.ofNanos(1));
			assertThat(context.getResource("/late.txt")).as("looked up again once the TTL is over").isNotNull();
			try (InputStream in = context.getResourceAsStream("/late.txt")) {
				assertThat(in).isNotNull();
				assertThat(new String(in.readAllBytes())).isEqualTo("late");
			}
		}
	}

	private static String read(URL url) throws IOException {
		var connection = url.openConnection();
		connection.setUseCaches(false);
		try (InputStream in = connection.getInputStream()) {
			return new String(in.readAllBytes());
		}
	}

}
