package io.starlet.architecture;

import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.starlet.Handler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packages of starlet-core form layers: each uses only the ones below it, so a reader can
 * understand (and a test can exercise) a layer without those above. Read from the compiled
 * main classes, so it sees every reference, imported or fully qualified.
 *
 * <pre>
 *   servlet     server        the servlet container is a Handler; StarletServer assembles the engine
 *      │          │
 *      │        worker        acceptor, workers, queue, exchanges
 *      │          │
 *      │         net          connections, their buffers, listeners
 *      ▼          ▼
 *      io.starlet             the API: Handler, Exchange, StarletConfig, ServerStats
 *          │
 *         http                the protocol: parsing and framing, no I/O
 * </pre>
 *
 * The API sits below the engine because the engine implements it (ServerExchange is an
 * Exchange, the pool reports ServerStats) while the API must not know how: a user's code and
 * the servlet layer then depend on the API alone.
 */
class ArchitectureTest {

	/**
	 * Every package of starlet-core and the packages it may use. A new package must be added
	 * here, which makes its place in the layers a decision rather than an accident.
	 */
	static final Map<String, Set<String>> ALLOWED = allowed();

	/** The protocol's value types that the API hands out: the field collections. */
	static final Set<String> API_FIELD_TYPES = Set.of("io.starlet.http.Fields", "io.starlet.http.HttpFields");

	/** The protocol's types in the API's signatures: the field types, and the compliance policy users set. */
	static final Set<String> API_EXPOSED_HTTP_TYPES = Set.of("io.starlet.http.Fields", "io.starlet.http.HttpFields",
			"io.starlet.http.HttpCompliance");

	private static Map<String, Set<String>> allowed() {
		Map<String, Set<String>> allowed = new LinkedHashMap<>();
		allowed.put("io.starlet.http", Set.of());
		allowed.put("io.starlet", Set.of("io.starlet.http"));
		// The WebSocket codec stands alone: frames and the handshake, no server.
		allowed.put("io.starlet.websocket", Set.of());
		allowed.put("io.starlet.net", Set.of("io.starlet", "io.starlet.http"));
		allowed.put("io.starlet.worker", Set.of("io.starlet.net", "io.starlet", "io.starlet.http"));
		allowed.put("io.starlet.server", Set.of("io.starlet.worker", "io.starlet"));
		// The http part only for API_FIELD_TYPES; see below.
		allowed.put("io.starlet.servlet", Set.of("io.starlet", "io.starlet.http"));
		return allowed;
	}

	@Test
	void noPackageUsesAnotherThatUsesIt() throws Exception {
		assertThat(mainClasses().cycles()).as("package cycles").isEmpty();
	}

	@Test
	void everyPackageUsesOnlyTheLayersBelowIt() throws Exception {
		PackageGraph graph = mainClasses();
		assertThat(ALLOWED.keySet()).as("packages with a place in the layers").containsAll(graph.packages());
		List<String> forbidden = new ArrayList<>();
		for (String from : graph.packages()) {
			graph.uses(from).forEach((to, example) -> {
				if (!ALLOWED.get(from).contains(to)) {
					forbidden.add(from + " -> " + to + "   e.g. " + example);
				}
			});
		}
		assertThat(forbidden).as("uses across the layers").isEmpty();
	}

	@Test
	void theAllowedUsesThemselvesFormLayers() {
		PackageGraph allowed = new PackageGraph("io.starlet");
		ALLOWED.forEach((from, tos) -> tos.forEach((to) -> allowed.add(from + ".A", to + ".B")));
		assertThat(allowed.cycles()).isEmpty();
	}

	/**
	 * The servlet layer is a Handler like any other: it sees the request through the API only.
	 * Of the protocol it uses just the field types that {@link io.starlet.Exchange} hands out, so
	 * that the engine's framing streams and exceptions can change without it.
	 */
	@Test
	void theServletLayerSeesOnlyTheApiAndTheFieldTypesItExposes() throws Exception {
		PackageGraph graph = mainClasses();
		assertThat(graph.classesUsed("io.starlet.servlet", "io.starlet.http")).as("http types the servlet layer uses")
			.isSubsetOf(API_FIELD_TYPES);
		assertThat(graph.classesUsed("io.starlet", "io.starlet.http")).as("http types the API exposes")
			.containsAll(API_FIELD_TYPES);
	}

	/**
	 * What users compile against shows no engine: the public and protected members of the API's
	 * public types name only API types, the JDK, and of the protocol the field types and the
	 * compliance policy a user passes to {@link io.starlet.StarletConfig}. The engine may then
	 * change its classes without changing the API.
	 */
	@Test
	void theApiExposesNoEngineTypeInItsSignatures() throws Exception {
		Set<String> exposed = new TreeSet<>();
		for (Class<?> type : apiTypes()) {
			exposed.addAll(ApiSignatures.engineTypes(type, API_EXPOSED_HTTP_TYPES));
		}
		assertThat(exposed).as("engine types in the API's public signatures").isEmpty();
	}

	@Test
	void anEngineTypeInAPublicSignatureIsFound() {
		assertThat(ApiSignatures.engineTypes(Leaky.class, API_EXPOSED_HTTP_TYPES)).containsExactlyInAnyOrder(
				"Leaky.connection(): io.starlet.net.Connection",
				"Leaky.stats(java.util.List<io.starlet.http.RequestHead>): io.starlet.http.RequestHead");
	}

	/** A type that leaks: for the test above. */
	public static class Leaky {

		public io.starlet.net.Connection connection() {
			return null;
		}

		public void stats(List<io.starlet.http.RequestHead> heads) {
		}

		// not public: not exposed
		io.starlet.worker.WorkerPool pool() {
			return null;
		}

		public io.starlet.http.Fields fields() {
			return null;
		}

	}

	private static List<Class<?>> apiTypes() throws Exception {
		List<Class<?>> types = new ArrayList<>();
		try (Stream<Path> files = Files.list(classesDirectory().resolve("io/starlet"))) {
			for (Path file : (Iterable<Path>) files.filter((f) -> f.toString().endsWith(".class"))::iterator) {
				String name = file.getFileName().toString().replaceFirst("\\.class$", "");
				Class<?> type = Class.forName("io.starlet." + name, false, Handler.class.getClassLoader());
				if (Modifier.isPublic(type.getModifiers())) {
					types.add(type);
				}
			}
		}
		assertThat(types).as("public API types").contains(Handler.class, io.starlet.Exchange.class);
		return types;
	}

	/** The reading sees real uses, so an empty answer above means something. */
	@Test
	void theGraphSeesTheEngineUnderTheServer() throws Exception {
		PackageGraph graph = mainClasses();
		assertThat(graph.uses("io.starlet.server")).containsKey("io.starlet.worker");
		assertThat(graph.uses("io.starlet.worker")).containsKeys("io.starlet.net", "io.starlet", "io.starlet.http");
		assertThat(graph.uses("io.starlet.servlet")).containsKey("io.starlet");
	}

	@Test
	void aCycleIsFoundAndShownWithExamples() {
		PackageGraph graph = new PackageGraph("io.starlet");
		graph.add("io.starlet.Api", "io.starlet.http.Parser");
		graph.add("io.starlet.Api", "io.starlet.worker.Pool");
		graph.add("io.starlet.worker.Pool", "io.starlet.net.Connection");
		graph.add("io.starlet.net.Connection", "io.starlet.Api");
		graph.add("java.lang.Object", "io.starlet.Api");
		assertThat(graph.cycles()).singleElement().satisfies((cycle) -> assertThat(cycle)
			.contains("io.starlet -> io.starlet.worker   e.g. io.starlet.Api -> io.starlet.worker.Pool")
			.contains("io.starlet.worker -> io.starlet.net")
			.contains("io.starlet.net -> io.starlet   e.g. io.starlet.net.Connection -> io.starlet.Api")
			.doesNotContain("http"));
	}

	private static PackageGraph mainClasses() throws Exception {
		Path classes = classesDirectory();
		assertThat(classes).as("starlet-core's compiled classes").isDirectory();
		return PackageGraph.of(classes, "io.starlet");
	}

	private static Path classesDirectory() throws URISyntaxException {
		return Path.of(Handler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
	}

}
