package io.starlet.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads the repackaged sample jar (runs after {@code package}, under failsafe). */
class SampleJarIT {

	private static final List<String> FORBIDDEN = List.of("org/apache/catalina/", "org/apache/tomcat/",
			"org/apache/coyote/", "org/eclipse/jetty/", "org/springframework/boot/tomcat/",
			"org/springframework/boot/jetty/");

	@Test
	void containsStarletAndNoTomcatOrJetty() throws IOException {
		Path jar = Path.of(System.getProperty("sample.jar", "target/starlet-spring-boot-sample-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).isRegularFile();
		List<String> libraries = new ArrayList<>();
		List<String> forbidden = new ArrayList<>();
		try (JarFile file = new JarFile(jar.toFile())) {
			Enumeration<JarEntry> entries = file.entries();
			while (entries.hasMoreElements()) {
				JarEntry entry = entries.nextElement();
				check(entry.getName(), forbidden);
				if (entry.getName().startsWith("BOOT-INF/lib/") && entry.getName().endsWith(".jar")) {
					libraries.add(entry.getName().substring("BOOT-INF/lib/".length()));
					try (InputStream in = file.getInputStream(entry); JarInputStream nested = new JarInputStream(in)) {
						for (JarEntry inner = nested.getNextJarEntry(); inner != null; inner = nested.getNextJarEntry()) {
							check(entry.getName() + "!/" + inner.getName(), forbidden);
						}
					}
				}
			}
		}
		assertThat(forbidden).isEmpty();
		assertThat(libraries).anyMatch((name) -> name.startsWith("starlet-core-"))
			.anyMatch((name) -> name.startsWith("starlet-spring-boot-starter-"))
			.noneMatch((name) -> name.startsWith("tomcat-") || name.startsWith("jetty-")
					|| name.startsWith("spring-boot-tomcat") || name.startsWith("spring-boot-jetty"));
		assertThat(Files.size(jar)).isPositive();
	}

	private static void check(String name, List<String> forbidden) {
		String path = name.contains("!/") ? name.substring(name.indexOf("!/") + 2) : name;
		if (path.startsWith("BOOT-INF/classes/")) {
			path = path.substring("BOOT-INF/classes/".length());
		}
		for (String prefix : FORBIDDEN) {
			if (path.startsWith(prefix)) {
				forbidden.add(name);
			}
		}
	}

}
