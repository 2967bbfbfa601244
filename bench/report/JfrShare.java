import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a server's request threads spend their CPU, from a JFR recording (as {@code bench/run --jfr}
 * writes them): each execution sample goes to the first frame outside the JDK, grouped by who owns
 * it (the server, Spring Boot's jar loader, Spring, Thymeleaf, ...), and the server's own frames
 * are listed. Comparing two servers' shares tells how much of a page the server itself costs.
 *
 * <pre>
 * java bench/report/JfrShare.java RECORDING.jfr [THREAD_REGEX]
 * java bench/report/JfrShare.java bench/results/profile-.../pstarlet-j1.jfr starlet-worker
 * java bench/report/JfrShare.java bench/results/profile-.../ptomcat-j1.jfr '^http-nio-.*-exec-'
 * </pre>
 *
 * Without a thread pattern every sampled thread counts. Samples whose stack is JDK code alone
 * (a selector, a socket write) count as "jdk only".
 */
public class JfrShare {

	/** Owners in order: the first whose prefix matches a frame's class wins. */
	private static final Map<String, List<String>> OWNERS = new LinkedHashMap<>();

	static {
		// the benchmark applications live under io.starlet.bench: theirs, not the server's
		OWNERS.put("app/other", List.of("io.starlet.bench."));
		OWNERS.put("server", List.of("io.starlet.", "org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat.",
				"org.eclipse.jetty.", "reactor.netty.", "io.netty."));
		OWNERS.put("boot loader", List.of("org.springframework.boot.loader."));
		OWNERS.put("spring", List.of("org.springframework."));
		OWNERS.put("hibernate", List.of("org.hibernate."));
		OWNERS.put("thymeleaf", List.of("org.thymeleaf.", "org.attoparser.", "ognl."));
		OWNERS.put("h2/hikari", List.of("org.h2.", "com.zaxxer."));
		OWNERS.put("jackson", List.of("com.fasterxml.", "tools.jackson."));
	}

	private static final List<String> JDK = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

	public static void main(String[] args) throws IOException {
		if (args.length < 1 || args.length > 2) {
			System.err.println("usage: java bench/report/JfrShare.java RECORDING.jfr [THREAD_REGEX]");
			System.exit(2);
		}
		Pattern threads = (args.length == 2) ? Pattern.compile(args[1]) : null;
		Map<String, Integer> byOwner = new TreeMap<>();
		Map<String, Integer> serverFrames = new TreeMap<>();
		int total = 0;
		for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
			if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
				continue;
			}
			RecordedThread sampled = event.getThread("sampledThread");
			String thread = (sampled != null && sampled.getJavaName() != null) ? sampled.getJavaName() : "";
			if (threads != null && !threads.matcher(thread).find()) {
				continue;
			}
			total++;
			String owner = "jdk only";
			for (RecordedFrame frame : event.getStackTrace().getFrames()) {
				String type = frame.getMethod().getType().getName();
				if (startsWithAny(type, JDK)) {
					continue;
				}
				owner = ownerOf(type);
				if (owner.equals("server")) {
					serverFrames.merge(type + "." + frame.getMethod().getName(), 1, Integer::sum);
				}
				break;
			}
			byOwner.merge(owner, 1, Integer::sum);
		}
		if (total == 0) {
			System.err.println("no execution samples (a recording with settings=profile? does the thread pattern match?)");
			System.exit(1);
		}
		System.out.printf("%d samples%n", total);
		int all = Math.max(total, 1);
		byOwner.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
			.forEach((e) -> System.out.printf("%-12s %7d %5.1f%%%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / all));
		System.out.println("-- the server's own frames, most sampled first");
		serverFrames.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
			.forEach((e) -> System.out.printf("%7d %5.1f%% %s%n", e.getValue(), 100.0 * e.getValue() / all, e.getKey()));
	}

	private static String ownerOf(String type) {
		for (Map.Entry<String, List<String>> owner : OWNERS.entrySet()) {
			if (startsWithAny(type, owner.getValue())) {
				return owner.getKey();
			}
		}
		return "app/other";
	}

	private static boolean startsWithAny(String type, List<String> prefixes) {
		for (String prefix : prefixes) {
			if (type.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

}
