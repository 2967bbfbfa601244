package io.starlet.servlet;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Tells whether a class loader, and every loader above it, reads only from jars, so that a name
 * it cannot find now will never be found while it is open ({@link ResourceCache} then keeps its
 * misses for good).
 *
 * <p>A jar's entries cannot change under an open class loader; a directory's can (an IDE or
 * {@code spring-boot:run} rebuilds {@code target/classes}). The answer is "jars only" only when
 * every loader is one of these, and "no" for anything else, since a wrong "yes" would hide a file
 * added during development:
 * <ul>
 * <li>a {@link URLClassLoader} (Spring Boot's launcher is one) whose URLs are all {@code jar:}
 * URLs (entries of an archive, as a fat jar's {@code BOOT-INF/classes} and nested jars are) or
 * existing jar files;
 * <li>the JDK's application class loader when {@code java.class.path}, {@code jdk.module.path}
 * and {@code jdk.boot.class.path.append} name only such jar files ({@code java -jar app.jar});
 * <li>the platform and bootstrap loaders (the JDK's own modules).
 * </ul>
 * A jar file counts only if every entry of its manifest {@code Class-Path} is, in turn, an
 * existing jar file of that kind: the loader follows those entries, and one may be a directory.
 * Spring Boot's extracted layout ({@code java -Djarmode=tools -jar app.jar extract}, then
 * {@code java -jar app/app.jar}) is such a chain: {@code app.jar} names {@code lib/*.jar}.
 * Devtools' restart loader and a test run from {@code target/classes} list directories, so their
 * misses keep the TTL.
 */
final class ClassPathShape {

	private ClassPathShape() {
	}

	static boolean jarsOnly(ClassLoader loader) {
		ClassLoader platform = ClassLoader.getPlatformClassLoader();
		for (ClassLoader current = loader; current != null; current = current.getParent()) {
			if (current == platform) {
				continue;
			}
			if (current instanceof URLClassLoader urls) {
				for (URL url : urls.getURLs()) {
					if (!isArchive(url)) {
						return false;
					}
				}
			}
			else if (!isJdkApplicationLoader(current) || !jarFilesOnly("java.class.path")
					|| !jarFilesOnly("jdk.module.path") || !jarFilesOnly("jdk.boot.class.path.append")) {
				return false;
			}
		}
		return true;
	}

	private static boolean isJdkApplicationLoader(ClassLoader loader) {
		return loader == ClassLoader.getSystemClassLoader()
				&& loader.getClass().getName().startsWith("jdk.internal.loader.");
	}

	private static boolean isArchive(URL url) {
		if ("jar".equals(url.getProtocol())) {
			return true;
		}
		if (!"file".equals(url.getProtocol())) {
			return false;
		}
		try {
			return isJarFile(Path.of(url.toURI()));
		}
		catch (URISyntaxException | IllegalArgumentException ex) {
			return false;
		}
	}

	/** Every entry of a path-list system property is a jar file (an unset property has none). */
	private static boolean jarFilesOnly(String property) {
		String value = System.getProperty(property);
		if (value == null || value.isEmpty()) {
			return true;
		}
		for (String entry : value.split(File.pathSeparator, -1)) {
			// an empty entry means the working directory
			if (entry.isEmpty() || !isJarFile(Path.of(entry))) {
				return false;
			}
		}
		return true;
	}

	private static boolean isJarFile(Path path) {
		return isJarFile(path, new HashSet<>());
	}

	/**
	 * {@code path} is a jar file, and so is everything its manifest {@code Class-Path} names,
	 * recursively; {@code seen} holds the jars already being checked, so a cycle ends.
	 */
	private static boolean isJarFile(Path path, Set<Path> seen) {
		if (!Files.isRegularFile(path)) {
			return false;
		}
		if (!seen.add(path.toAbsolutePath().normalize())) {
			return true;
		}
		String classPath;
		try (JarFile jar = new JarFile(path.toFile())) {
			Manifest manifest = jar.getManifest();
			classPath = (manifest != null) ? manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH) : null;
		}
		catch (IOException | SecurityException ex) {
			return false;
		}
		if (classPath == null) {
			return true;
		}
		// Entries are URLs relative to the jar, separated by spaces (JAR File Specification).
		URI base = path.toAbsolutePath().toUri();
		for (String entry : classPath.trim().split(" +")) {
			if (entry.isEmpty()) {
				continue;
			}
			try {
				URI resolved = base.resolve(new URI(entry));
				if (!"file".equals(resolved.getScheme()) || !isJarFile(Path.of(resolved), seen)) {
					return false;
				}
			}
			catch (URISyntaxException | IllegalArgumentException ex) {
				return false;
			}
		}
		return true;
	}

}
