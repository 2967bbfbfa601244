package io.starlet.architecture;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which package of a code base uses which, read from compiled classes: the class names and the
 * type descriptors in each class file's constant pool. Compiled classes, not imports, because
 * they also see fully qualified names in code and miss nothing an import list would hide; the
 * JDK reads the constant pool well enough with a DataInputStream, so no library is needed.
 */
final class PackageGraph {

	/** A type in a field, method or generic signature: {@code Lio/starlet/worker/WorkerPool;}. */
	private static final Pattern DESCRIBED_TYPE = Pattern.compile("L([\\w/$]+)[;<]");

	private final String prefix;

	/** Package → used package → one class-to-class example, for the failure message. */
	private final Map<String, Map<String, String>> edges = new TreeMap<>();

	private final Set<String> packages = new TreeSet<>();

	/** Package → used package → the top-level classes used there. */
	private final Map<String, Map<String, Set<String>>> classes = new TreeMap<>();

	/** @param prefix the packages to look at, e.g. {@code io.starlet}; others are ignored */
	PackageGraph(String prefix) {
		this.prefix = prefix;
	}

	/** Reads every class file under a class-path directory. */
	static PackageGraph of(Path classes, String prefix) throws IOException {
		PackageGraph graph = new PackageGraph(prefix);
		try (Stream<Path> files = Files.walk(classes)) {
			for (Path file : (Iterable<Path>) files.filter((f) -> f.toString().endsWith(".class"))::iterator) {
				if (file.getFileName().toString().equals("module-info.class")) {
					continue;
				}
				try (InputStream in = Files.newInputStream(file)) {
					graph.addClass(in);
				}
			}
		}
		return graph;
	}

	/** Adds a dependency by hand: for tests of the graph itself. */
	void add(String fromClass, String toClass) {
		String from = packageOf(fromClass);
		String to = packageOf(toClass);
		if (!inScope(from) || !inScope(to)) {
			return;
		}
		this.packages.add(from);
		this.packages.add(to);
		if (!from.equals(to)) {
			this.classes.computeIfAbsent(from, (k) -> new TreeMap<>())
				.computeIfAbsent(to, (k) -> new TreeSet<>())
				.add(toClass.replaceFirst("\\$.*", ""));
			this.edges.computeIfAbsent(from, (k) -> new TreeMap<>()).putIfAbsent(to, fromClass + " -> " + toClass);
		}
	}

	private boolean inScope(String pkg) {
		return pkg.equals(this.prefix) || pkg.startsWith(this.prefix + ".");
	}

	Set<String> packages() {
		return this.packages;
	}

	/** The packages {@code from} uses, each with an example. */
	Map<String, String> uses(String from) {
		return this.edges.getOrDefault(from, Map.of());
	}

	/** The top-level classes of package {@code to} that package {@code from} uses. */
	Set<String> classesUsed(String from, String to) {
		return this.classes.getOrDefault(from, Map.of()).getOrDefault(to, Set.of());
	}

	/**
	 * The cycles among packages: each strongly connected component of two or more packages, as
	 * one path around it with an example per step. Empty when the packages form layers.
	 */
	List<String> cycles() {
		List<String> found = new ArrayList<>();
		for (Set<String> component : new StronglyConnected().components()) {
			if (component.size() > 1) {
				found.add(describe(component));
			}
		}
		return found;
	}

	/**
	 * A loop inside the component: every package of it uses another one of it, so walking from
	 * any package reaches a package seen before; the walk from there on is the loop.
	 */
	private String describe(Set<String> component) {
		List<String> walk = new ArrayList<>();
		String at = component.iterator().next();
		while (!walk.contains(at)) {
			walk.add(at);
			at = uses(at).keySet().stream().filter(component::contains).findFirst().orElseThrow();
		}
		StringBuilder text = new StringBuilder();
		for (String from : walk.subList(walk.indexOf(at), walk.size())) {
			String to = uses(from).keySet().stream().filter(component::contains).findFirst().orElseThrow();
			text.append(from).append(" -> ").append(to).append("   e.g. ").append(uses(from).get(to)).append('\n');
		}
		return text.toString();
	}

	private void addClass(InputStream stream) throws IOException {
		DataInputStream in = new DataInputStream(stream);
		if (in.readInt() != 0xCAFEBABE) {
			throw new IOException("not a class file");
		}
		in.readUnsignedShort();
		in.readUnsignedShort();
		int count = in.readUnsignedShort();
		String[] utf8 = new String[count];
		// Pool index of a Class entry → pool index of its name; 0 for other entries.
		int[] classNames = new int[count];
		for (int i = 1; i < count; i++) {
			int tag = in.readUnsignedByte();
			switch (tag) {
				case 1 -> utf8[i] = in.readUTF();
				case 7 -> classNames[i] = in.readUnsignedShort();
				case 8, 16, 19, 20 -> in.readUnsignedShort();
				case 15 -> in.skipNBytes(3);
				case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
				case 5, 6 -> {
					in.skipNBytes(8);
					i++; // a long or a double takes two entries
				}
				default -> throw new IOException("unknown constant pool tag " + tag);
			}
		}
		in.readUnsignedShort(); // access flags
		String self = dotted(utf8[classNames[in.readUnsignedShort()]]);
		for (int name : classNames) {
			if (name != 0) {
				if (utf8[name].startsWith("[")) {
					addDescribed(self, utf8[name]);
				}
				else {
					add(self, dotted(utf8[name]));
				}
			}
		}
		// Descriptors and generic signatures of fields, methods, calls, annotations.
		for (String text : utf8) {
			if (text != null) {
				addDescribed(self, text);
			}
		}
	}

	private void addDescribed(String self, String text) {
		Matcher types = DESCRIBED_TYPE.matcher(text);
		while (types.find()) {
			add(self, dotted(types.group(1)));
		}
	}
	private static String dotted(String internalName) {
		return internalName.replace('/', '.');
	}

	private static String packageOf(String className) {
		int dot = className.lastIndexOf('.');
		return (dot < 0) ? "" : className.substring(0, dot);
	}

	/** Tarjan's algorithm over the package graph. */
	private final class StronglyConnected {

		private final Map<String, Integer> index = new TreeMap<>();

		private final Map<String, Integer> low = new TreeMap<>();

		private final List<String> stack = new ArrayList<>();

		private final List<Set<String>> components = new ArrayList<>();

		List<Set<String>> components() {
			for (String p : PackageGraph.this.packages) {
				if (!this.index.containsKey(p)) {
					visit(p);
				}
			}
			return this.components;
		}

		private void visit(String p) {
			this.index.put(p, this.index.size());
			this.low.put(p, this.index.get(p));
			this.stack.add(p);
			for (String q : uses(p).keySet()) {
				if (!this.index.containsKey(q)) {
					visit(q);
					this.low.put(p, Math.min(this.low.get(p), this.low.get(q)));
				}
				else if (this.stack.contains(q)) {
					this.low.put(p, Math.min(this.low.get(p), this.index.get(q)));
				}
			}
			if (this.low.get(p).equals(this.index.get(p))) {
				Set<String> component = new TreeSet<>();
				String q;
				do {
					q = this.stack.remove(this.stack.size() - 1);
					component.add(q);
				}
				while (!q.equals(p));
				this.components.add(component);
			}
		}

	}

}
