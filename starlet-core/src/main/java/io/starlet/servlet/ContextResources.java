package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import io.starlet.Clock;

/**
 * The context's resources: files under the document root (never outside it, symbolic links
 * included), then {@code META-INF/resources} on the class path (cached: see ResourceCache).
 */
final class ContextResources {

	private static final String CLASS_PATH_ROOT = "META-INF/resources";

	private final Path documentRoot;

	private final Supplier<ClassLoader> classLoader;

	private final WorkDirectories workDirectories;

	private final ResourceCache classPathResources;

	/**
	 * @param documentRoot the configured document root, or null
	 * @param classLoader the application's class loader, asked each time (it may change until start)
	 * @param clock the container's clock, for the class-path cache's TTL
	 */
	ContextResources(Path documentRoot, Supplier<ClassLoader> classLoader, WorkDirectories workDirectories,
			Clock clock) {
		this.documentRoot = documentRoot;
		this.classPathResources = new ResourceCache(CLASS_PATH_ROOT, clock);
		this.classLoader = classLoader;
		this.workDirectories = workDirectories;
	}

	/** The file for a context-relative path under the document root, or null. */
	Path documentFile(String path) {
		if (this.documentRoot == null || path == null || !path.startsWith("/")) {
			return null;
		}
		String normalized = RequestPath.normalize(path);
		if (normalized == null) {
			return null;
		}
		Path root = this.documentRoot.toAbsolutePath().normalize();
		Path file = root.resolve(normalized.substring(1)).normalize();
		if (!file.startsWith(root) || !Files.exists(file)) {
			return null;
		}
		try {
			// no symbolic link may lead out of the document root (as Tomcat without allowLinking)
			return file.toRealPath().startsWith(root.toRealPath()) ? file : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** {@code META-INF/resources} + a normalised path on the class path, or null. */
	URL classPathResource(String normalized) {
		return this.classPathResources.find(this.classLoader.get(), normalized);
	}

	URL resource(String path) throws MalformedURLException {
		if (path == null || !path.startsWith("/")) {
			throw new MalformedURLException("Resource path must start with '/': " + path);
		}
		Path file = documentFile(path);
		if (file != null) {
			return file.toUri().toURL();
		}
		String normalized = RequestPath.normalize(path);
		if (normalized == null) {
			return null;
		}
		URL url = classPathResource(normalized);
		if (url != null) {
			return url;
		}
		if (normalized.equals("/")) {
			return rootDirectory().toUri().toURL();
		}
		return null;
	}

	/** The document root, or a temporary empty one when none is configured. */
	private Path rootDirectory() throws MalformedURLException {
		if (this.documentRoot != null) {
			return this.documentRoot;
		}
		try {
			return this.workDirectories.documentRoot();
		}
		catch (IOException ex) {
			throw new MalformedURLException("Cannot create a document root: " + ex.getMessage());
		}
	}

	InputStream resourceAsStream(String path) {
		try {
			URL url = resource(path);
			if (url == null) {
				return null;
			}
			if ("file".equals(url.getProtocol()) && Files.isDirectory(Path.of(url.toURI()))) {
				return null;
			}
			return url.openStream();
		}
		catch (IOException | URISyntaxException ex) {
			return null;
		}
	}

	Set<String> resourcePaths(String path) {
		if (path == null || !path.startsWith("/")) {
			return null;
		}
		String dir = path.endsWith("/") ? path : path + "/";
		Set<String> result = new TreeSet<>();
		Path file = documentFile(dir);
		if (file != null && Files.isDirectory(file)) {
			try {
				list(file, dir, result);
			}
			catch (IOException ex) {
				// unreadable directory: report what we have
			}
		}
		try {
			Enumeration<URL> urls = this.classLoader.get().getResources(CLASS_PATH_ROOT + dir);
			while (urls.hasMoreElements()) {
				URL url = urls.nextElement();
				if ("file".equals(url.getProtocol())) {
					list(Path.of(url.toURI()), dir, result);
				}
			}
		}
		catch (IOException | URISyntaxException | RuntimeException ex) {
			// class path entries we cannot list are skipped
		}
		return result.isEmpty() ? null : new LinkedHashSet<>(result);
	}

	/** Adds the entries of a directory as context paths under {@code dir}, directories with a '/'. */
	private static void list(Path directory, String dir, Set<String> result) throws IOException {
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
			for (Path entry : entries) {
				result.add(dir + entry.getFileName() + (Files.isDirectory(entry) ? "/" : ""));
			}
		}
	}

	String realPath(String path) {
		if (this.documentRoot == null || path == null) {
			return null;
		}
		String p = path.startsWith("/") ? path : "/" + path;
		String normalized = RequestPath.normalize(p);
		if (normalized == null) {
			return null;
		}
		Path root = this.documentRoot.toAbsolutePath().normalize();
		Path file = root.resolve(normalized.substring(1)).normalize();
		return file.startsWith(root) ? file.toString() : null;
	}

}
