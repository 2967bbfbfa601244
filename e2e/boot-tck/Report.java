import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Sorts the outcome of Spring Boot's web-server tests on Starlet (surefire's XML reports) into
 * passed, skipped, refused by design and unexpected failures; exits 1 if there is any of the last.
 *
 * <pre>java e2e/boot-tck/Report.java e2e/boot-tck/target/surefire-reports</pre>
 */
public class Report {

	/** What Starlet refuses at startup on purpose (README: "rejected at startup"). */
	private static final List<String> REFUSALS = List.of("Starlet does not support server.ssl.enabled=true",
			"Starlet does not support server.http2.enabled=true");

	public static void main(String[] args) throws Exception {
		List<String> passed = new ArrayList<>();
		List<String> skipped = new ArrayList<>();
		List<String> refused = new ArrayList<>();
		List<String> namesServer = new ArrayList<>();
		List<String> unexpected = new ArrayList<>();
		try (Stream<Path> files = Files.list(Path.of(args[0]))) {
			for (Path file : files.filter((f) -> f.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList()) {
				NodeList cases = DocumentBuilderFactory.newInstance()
					.newDocumentBuilder()
					.parse(file.toFile())
					.getElementsByTagName("testcase");
				for (int i = 0; i < cases.getLength(); i++) {
					Element test = (Element) cases.item(i);
					String name = simpleName(test.getAttribute("classname")) + "." + test.getAttribute("name");
					String failure = text(test, "failure") + text(test, "error");
					if (!text(test, "skipped").isEmpty() || test.getElementsByTagName("skipped").getLength() > 0) {
						skipped.add(name);
					}
					else if (failure.isEmpty()) {
						passed.add(name);
					}
					else if (REFUSALS.stream().anyMatch(failure::contains)) {
						refused.add(name);
					}
					else if (test.getAttribute("name").startsWith("startedLogMessage")
							&& failure.contains("(Jetty|Tomcat) started on")) {
						namesServer.add(name);
					}
					else {
						unexpected.add(name + "\n      " + firstLine(failure));
					}
				}
			}
		}
		print("passed", passed, false);
		print("skipped by the tests themselves (JSP: Starlet has no JSP engine)", skipped, true);
		print("failed because Starlet refuses TLS and HTTP/2 at startup, as documented", refused, true);
		print("failed because the test expects the log line of Tomcat or Jetty", namesServer, true);
		print("UNEXPECTED failures", unexpected, true);
		System.exit(unexpected.isEmpty() && !passed.isEmpty() ? 0 : 1);
	}

	private static void print(String what, List<String> tests, boolean list) {
		System.out.println(tests.size() + " " + what);
		if (list) {
			tests.forEach((test) -> System.out.println("    " + test));
		}
	}

	private static String text(Element test, String tag) {
		NodeList nodes = test.getElementsByTagName(tag);
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < nodes.getLength(); i++) {
			Element node = (Element) nodes.item(i);
			text.append(node.getAttribute("message")).append('\n').append(node.getTextContent());
		}
		return text.toString().strip();
	}

	private static String simpleName(String className) {
		return className.substring(className.lastIndexOf('.') + 1);
	}

	private static String firstLine(String text) {
		int end = text.indexOf('\n');
		return (end < 0) ? text : text.substring(0, end);
	}

}
