import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Turns one bench/run result directory into the markdown tables of docs/benchmarks.md (between
 * its markers, so hand-written text around them survives) and a gnuplot script for the chart.
 * A single-file program ({@code java Report.java OUT MARKDOWN CHART}): the harness needs only the
 * JDK it benchmarks with.
 */
public class Report {

	static final String BEGIN = "<!-- bench/run:begin (generated, do not edit by hand) -->";

	static final String END = "<!-- bench/run:end -->";

	static final List<String> KINDS = List.of("starlet", "starletka", "tomcat", "jetty", "netty", "plain",
			"nginx");

	static final Map<String, String> LABELS = Map.of("starlet", "Starlet (Spring MVC)", "starletka",
			"Starlet with keep-alive on (`max-workers=16`, `max-keepalive-reqs=1000`, page workload)", "tomcat",
			"Tomcat (Spring MVC)", "jetty", "Jetty (Spring MVC)", "netty", "Reactor Netty (WebFlux)", "plain",
			"starlet-core alone (plain servlets, no Spring)", "nginx", "nginx (static files, reference)");

	/** The page workload's instances (bench/run), whose memory and threads are the pages application's. */
	static final Set<String> PAGE_INSTANCES = Set.of("pstarlet", "pstarletka", "ptomcat", "pjetty");

	static final Map<String, String> SHORT = Map.of("starlet", "Starlet", "starletka", "Starlet keep-alive", "tomcat",
			"Tomcat", "jetty", "Jetty",
			"netty", "Reactor Netty", "plain", "starlet-core alone", "nginx", "nginx");

	static final List<String> SCENARIOS = List.of("ka16", "ka256", "close16", "post64k", "json", "list", "detail",
			"mix", "wsecho");

	static final List<String> PAGES = List.of("list", "detail", "mix");

	static final Map<String, String> SCENARIO_TEXT = Map.of("ka16",
			"`GET /hello`, keep-alive, 16 connections (Starlet: `max-workers=16`, `max-keepalive-reqs=1000`)", "ka256",
			"`GET /hello`, keep-alive, 256 connections (Starlet: default `max-workers=10`, `max-keepalive-reqs=1000`)",
			"close16", "`GET /hello` with `Connection: close`, a new TCP connection per request, 16 connections",
			"post64k", "`POST /echo` with a 64 KiB body echoed back, keep-alive, 16 connections", "json",
			"`GET /json` (small object), keep-alive, 16 connections", "list",
			"page workload: `GET /owners?page=N`, a Thymeleaf list page (13 KB, two JPA queries, ~120 links), 16 connections (Starlet: defaults, and keep-alive on)",
			"detail", "page workload: `GET /owners/N`, detail page (two JPA queries, session attribute), 16 connections",
			"mix", "page workload: list, detail, 5 KB JSON, static CSS/JS/PNG (conditional and not), form POST (valid: 302, invalid: 200), 16 connections",
			"wsecho", "WebSocket echo: 64 open WebSockets on `/ws/echo` (a Spring `@EnableWebSocket` handler), each sending a 64-byte text message and waiting for its echo, by `bench/ws/WsLoad.java`; requests are echoes, errors count failed handshakes (non-2xx), wrong echoes and closes (Starlet: default `max-workers=10`)");

	record Run(int round, String scenario, String kind, String instance, long requests, long durationUs,
			long connect, long read, long write, long status, long timeout, long p50, long p99, long p999, long max,
			long cpuTicks, long listenq, double load1, long clientCpuUs) {

		double rps() {
			return this.requests * 1e6 / this.durationUs;
		}

		long errors() {
			return this.connect + this.read + this.write + this.status + this.timeout;
		}

	}

	record Stat(double median, double min, double max) {

		static Stat of(Collection<Double> values) {
			List<Double> sorted = new ArrayList<>(values);
			sorted.sort(null);
			if (sorted.isEmpty()) {
				return null;
			}
			int n = sorted.size();
			double median = (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
			return new Stat(median, sorted.get(0), sorted.get(n - 1));
		}

	}

	public static void main(String[] args) throws IOException {
		if (args.length != 3) {
			System.err.println("usage: java Report.java RESULT_DIR MARKDOWN CHART_PNG");
			System.exit(2);
		}
		Path out = Path.of(args[0]);
		Path markdown = Path.of(args[1]);
		Path chart = Path.of(args[2]);
		Map<String, String> meta = readMeta(out.resolve("meta.txt"));
		List<Run> runs = readRuns(out.resolve("results.tsv"));
		List<String[]> servers = readTsv(out.resolve("servers.tsv"));
		double clkTck = Double.parseDouble(meta.getOrDefault("clk_tck", "100"));
		List<String> kinds = KINDS.stream().filter((k) -> runs.stream().anyMatch((r) -> r.kind().equals(k))).toList();
		List<String> scenarios = SCENARIOS.stream()
			.filter((s) -> runs.stream().anyMatch((r) -> r.scenario().equals(s)))
			.toList();

		StringBuilder md = new StringBuilder();
		md.append(BEGIN).append("\n\n");
		md.append("Generated by `bench/run").append("smoke".equals(meta.get("mode")) ? " --smoke" : "").append("` on ")
			.append(meta.get("date")).append(".\n\n");
		md.append("| | |\n|---|---|\n");
		md.append("| Machine | ").append(meta.get("nproc")).append(" CPUs, ").append(meta.get("cpu")).append(", ")
			.append(meta.get("mem")).append(" RAM, Linux ").append(meta.get("kernel")).append(" |\n");
		md.append("| Load average before / after | ").append(meta.get("loadavg_start")).append(" / ")
			.append(meta.getOrDefault("loadavg_end", "?")).append(" |\n");
		md.append("| Java | ").append(meta.get("java")).append(" |\n");
		md.append("| JVM flags (every server) | `").append(meta.get("jvm_flags")).append("` |\n");
		md.append("| Application layout | ").append("extracted".equals(meta.get("layout"))
				? "Spring Boot's extracted layout (`java -Djarmode=tools -jar app.jar extract`, then `java -jar app/app.jar`)"
				: "executable jar (`java -jar app.jar`)").append(" |\n");
		md.append("| Load generator | wrk ").append(meta.get("wrk"));
		if (meta.containsKey("wsload")) {
			md.append("; wsecho: `bench/ws/WsLoad.java ").append(meta.get("wsload")).append("` (text messages, client JVM `")
				.append(meta.getOrDefault("wsload_jvm", "")).append("`)");
		}
		md.append(", on the same machine, 127.0.0.1 |\n");
		md.append("| Campaign | ").append(jvmPasses(meta)).append(meta.get("rounds")).append(" rounds × ").append(meta.get("duration"))
			.append(" s per scenario and server, interleaved; ").append(meta.get("warmup"))
			.append(" s discarded warm-up per server").append(discardedRounds(meta))
			.append("; startup measured ").append(meta.get("startups"))
			.append(" times |\n");
		md.append("| Starlet commit | ").append(meta.get("starlet")).append(" |\n");
		for (String kind : kinds) {
			String jars = meta.getOrDefault("jars_" + kind, "").trim();
			if (!jars.isEmpty()) { // none for Starlet's keep-alive instance: the same jar as Starlet's
				md.append("| ").append(SHORT.get(kind)).append(" | ").append(jars).append(" |\n");
			}
		}
		for (Map.Entry<String, String> e : meta.entrySet()) {
			if (e.getKey().startsWith("broken_")) {
				md.append("\n**Broken during this run:** `").append(e.getKey().substring(7)).append("` (")
					.append(e.getValue()).append("); it was not measured after that, see its log.\n");
			}
			if (e.getKey().startsWith("nows_")) {
				md.append("\n**No WebSocket echo:** `").append(e.getKey().substring(5)).append("` failed the `/ws/echo` check (")
					.append(e.getValue().trim()).append("); it was not measured in wsecho.\n");
			}
		}
		md.append("\nMedians over the rounds, with min..max; **×Tomcat** is the ratio of medians to Tomcat's ")
			.append("(requests/s: higher is better; latency, CPU, startup, memory: lower is better). ")
			.append("Errors are wrk's connect/read/write/timeout errors plus non-2xx responses, summed over the ")
			.append("rounds. CPU is the server process's user+system time (`/proc/PID/stat`) per request. ")
			.append("Listen queue is the listening socket's Recv-Q (`ss -ltn`) half-way through the load, the ")
			.append("largest of the rounds: connections the kernel accepted that no thread has taken yet, which ")
			.append("wrk's latency does not see. Load is the machine's 1-minute load average half-way through (the ")
			.append("server and wrk alone account for about 2-3 on this machine; more means something else was running).\n\n");

		md.append("![Requests per second relative to Tomcat](")
			.append(relative(markdown.toAbsolutePath().getParent(), chart.toAbsolutePath()))
			.append(")\n\n");

		Map<String, Map<String, Double>> rpsRatio = new LinkedHashMap<>();
		for (String scenario : scenarios) {
			md.append("### ").append(scenario).append(": ").append(SCENARIO_TEXT.get(scenario)).append("\n\n");
			md.append("| server | requests/s | ×Tomcat | p50 ms | p99 ms | p99 ×Tomcat | p99.9 ms | errors | CPU µs/req | CPU ×Tomcat | listen queue | load |\n");
			md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
			Map<String, List<Run>> byKind = new LinkedHashMap<>();
			for (String kind : kinds) {
				List<Run> list = runs.stream()
					.filter((r) -> r.scenario().equals(scenario) && r.kind().equals(kind))
					.toList();
				if (!list.isEmpty()) {
					byKind.put(kind, list);
				}
			}
			List<Run> tomcat = byKind.get("tomcat");
			Stat tRps = (tomcat != null) ? stat(tomcat, Run::rps) : null;
			Stat tP99 = (tomcat != null) ? stat(tomcat, (r) -> r.p99()) : null;
			Stat tCpu = (tomcat != null) ? stat(tomcat, (r) -> cpuUs(r, clkTck)) : null;
			Map<String, Double> ratios = new LinkedHashMap<>();
			for (Map.Entry<String, List<Run>> e : byKind.entrySet()) {
				List<Run> list = e.getValue();
				Stat rps = stat(list, Run::rps);
				Stat p99 = stat(list, (r) -> r.p99());
				Stat cpu = stat(list, (r) -> cpuUs(r, clkTck));
				long errors = list.stream().mapToLong(Run::errors).sum();
				long listenq = list.stream().mapToLong(Run::listenq).max().orElse(0);
				ratios.put(e.getKey(), ratio(rps, tRps));
				md.append("| ").append(LABELS.get(e.getKey()))
					.append(instanceNote(list.get(0).instance()))
					.append(" | ").append(range(rps, 0)).append(" | ").append(fmtRatio(ratio(rps, tRps)))
					.append(" | ").append(ms(stat(list, (r) -> r.p50()))).append(" | ").append(msRange(p99))
					.append(" | ").append(fmtRatio(ratio(p99, tP99))).append(" | ").append(ms(stat(list, (r) -> r.p999())))
					.append(" | ").append(errors(list, errors)).append(" | ").append(range(cpu, 1)).append(" | ")
					.append(fmtRatio(ratio(cpu, tCpu))).append(" | ").append(listenq).append(" | ")
					.append(String.format(Locale.ROOT, "%.1f", stat(list, Run::load1).median())).append(" |\n");
			}
			rpsRatio.put(scenario, ratios);
			md.append("\n");
			md.append(clientCpu(byKind));
			md.append(perJvmCpu(byKind, meta, clkTck));
		}

		md.append("### Per server: startup, memory, threads\n\n");
		md.append("Startup is the wall-clock time from launching `java -jar` to the first `200` on `/hello`. ")
			.append("RSS is `VmRSS` after the warm-up and at the end of the campaign; threads likewise.\n\n");
		md.append("| server | startup ms | ×Tomcat | RSS after warm-up MiB | ×Tomcat | RSS at end MiB | ×Tomcat | threads after warm-up / end |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
		Stat tStart = serverStat(servers, "tomcat", null, "startup_ms");
		for (String kind : kinds) {
			List<String> instances = servers.stream()
				.filter((row) -> row[0].equals(kind) && row[2].startsWith("rss"))
				.map((row) -> row[1])
				.distinct()
				.toList();
			Stat start = serverStat(servers, kind, null, "startup_ms");
			boolean first = true;
			for (String instance : instances) {
				Stat rssWarm = serverStat(servers, kind, instance, "rss_warm_kb");
				Stat rssEnd = serverStat(servers, kind, instance, "rss_end_kb");
				Stat thWarm = serverStat(servers, kind, instance, "threads_warm");
				Stat thEnd = serverStat(servers, kind, instance, "threads_end");
				// a page instance's memory is compared with Tomcat's page instance, not with its hello one
				String tomcat = PAGE_INSTANCES.contains(instance) ? "ptomcat" : "tomcat";
				Stat tRssWarm = serverStat(servers, "tomcat", tomcat, "rss_warm_kb");
				Stat tRssEnd = serverStat(servers, "tomcat", tomcat, "rss_end_kb");
				String pageNote = (PAGE_INSTANCES.contains(instance) && !kind.equals("starletka")) ? ", page workload" : "";
				md.append("| ").append(LABELS.get(kind)).append(instanceNote(instance)).append(pageNote).append(" | ")
					.append(first ? range(start, 0) : "").append(" | ")
					.append(first ? fmtRatio(ratio(start, tStart)) : "").append(" | ").append(mib(rssWarm))
					.append(" | ").append(fmtRatio(ratio(rssWarm, tRssWarm))).append(" | ").append(mib(rssEnd))
					.append(" | ").append(fmtRatio(ratio(rssEnd, tRssEnd))).append(" | ").append(num(thWarm))
					.append(" / ").append(num(thEnd)).append(" |\n");
				first = false;
			}
		}
		md.append("\n");
		if (kinds.contains("starlet") && kinds.contains("tomcat")) {
			md.append(targets(runs, servers, clkTck));
		}
		md.append(END).append("\n");
		writeMarkdown(markdown, md.toString());
		writeChart(out, chart, scenarios, kinds, rpsRatio, meta);
		System.out.println("wrote " + markdown + " and " + out.resolve("chart.gp"));
	}

	// --- the targets ----------------------------------------------------------------------

	static String targets(List<Run> runs, List<String[]> servers, double clkTck) {
		StringBuilder t = new StringBuilder();
		if (runs.stream().anyMatch((r) -> PAGES.contains(r.scenario()))) {
			t.append(pageTargets(runs, clkTck));
		}
		if (runs.stream().noneMatch((r) -> r.scenario().equals("ka16"))) {
			return t.toString();
		}
		t.append("### Targets (issue 9), this run\n\n| target | measured | met |\n|---|---|---|\n");
		for (String s : List.of("ka16", "close16")) {
			double r = rpsRatio(runs, s, "starlet", "tomcat");
			double p = p99Ratio(runs, s, "starlet", "tomcat");
			target(t, s + ": ≥ 1.3× Tomcat's requests/s, lower p99", "%.2f×, p99 %.2f×".formatted(r, p), r >= 1.3 && p < 1);
		}
		double r256 = rpsRatio(runs, "ka256", "starlet", "tomcat");
		double p256 = p99Ratio(runs, "ka256", "starlet", "tomcat");
		long e256 = runs.stream().filter((r) -> r.scenario().equals("ka256") && r.kind().equals("starlet"))
			.mapToLong(Run::errors).sum();
		target(t, "ka256: ≥ Tomcat, p99 ≤ Tomcat's, zero errors", "%.2f×, p99 %.2f×, %d errors".formatted(r256, p256, e256),
				r256 >= 1 && p256 <= 1 && e256 == 0);
		double rPost = rpsRatio(runs, "post64k", "starlet", "tomcat");
		target(t, "post64k: ≥ 1.5× Tomcat", "%.2f×".formatted(rPost), rPost >= 1.5);
		for (String other : List.of("jetty", "netty")) {
			StringBuilder m = new StringBuilder();
			boolean all = true;
			for (String s : SCENARIOS) {
				double r = rpsRatio(runs, s, "starlet", other);
				if (Double.isNaN(r)) {
					continue;
				}
				m.append(s).append(' ').append("%.2f×".formatted(r)).append("; ");
				all &= r > 1;
			}
			target(t, "ahead of " + SHORT.get(other) + " in every scenario", m.toString().trim(), all);
		}
		double cpu = ratioOf(runs, "ka16", "starlet", "tomcat", (r) -> cpuUs(r, clkTck));
		target(t, "ka16: CPU per request ≤ 0.7× Tomcat's", "%.2f×".formatted(cpu), cpu <= 0.7);
		double start = ratio(serverStat(servers, "starlet", null, "startup_ms"),
				serverStat(servers, "tomcat", null, "startup_ms"));
		target(t, "startup ≤ 0.8× Tomcat's", "%.2f×".formatted(start), start <= 0.8);
		double rss = ratio(serverStat(servers, "starlet", "starlet16", "rss_warm_kb"),
				serverStat(servers, "tomcat", "tomcat", "rss_warm_kb"));
		target(t, "RSS after warm-up ≤ 0.75× Tomcat's (16-worker instance)", "%.2f×".formatted(rss), rss <= 0.75);
		double nginx = rpsRatio(runs, "close16", "plain", "nginx");
		if (!Double.isNaN(nginx)) {
			target(t, "close16: starlet-core alone ≥ 0.8× nginx", "%.2f×".formatted(nginx), nginx >= 0.8);
		}
		return t.append("\n").toString();
	}

	/** Issue 21: the page workload, Starlet with its defaults and with keep-alive on. */
	static String pageTargets(List<Run> runs, double clkTck) {
		StringBuilder t = new StringBuilder("### Targets (issue 21, page workload), this run\n\n| target | measured | met |\n|---|---|---|\n");
		for (String s : PAGES) {
			if (runs.stream().noneMatch((r) -> r.scenario().equals(s))) {
				continue;
			}
			double d = rpsRatio(runs, s, "starlet", "tomcat");
			target(t, s + ": Starlet (defaults) ≥ 1.0× Tomcat", "%.2f×".formatted(d), d >= 1.0);
			double k = rpsRatio(runs, s, "starletka", "tomcat");
			double p = p99Ratio(runs, s, "starletka", "tomcat");
			double c = ratioOf(runs, s, "starletka", "tomcat", (r) -> cpuUs(r, clkTck));
			target(t, s + ": Starlet keep-alive ≥ 1.2× Tomcat, lower p99 and CPU per request",
					"%.2f×, p99 %.2f×, CPU %.2f×".formatted(k, p, c), k >= 1.2 && p < 1 && c < 1);
			double dj = rpsRatio(runs, s, "starlet", "jetty");
			double kj = rpsRatio(runs, s, "starletka", "jetty");
			target(t, s + ": both ahead of Jetty", "defaults %.2f×, keep-alive %.2f×".formatted(dj, kj), dj > 1 && kj > 1);
		}
		return t.append("\n").toString();
	}

	/**
	 * With --jvms, each JVM's median CPU per request, in the order they ran: whether a ratio is the
	 * servers' or one JVM's compilation shows here, not in the pooled medians.
	 */
	static String perJvmCpu(Map<String, List<Run>> byKind, Map<String, String> meta, double clkTck) {
		int jvms = jvms(meta);
		int rounds = Integer.parseInt(meta.get("rounds"));
		if (jvms < 2) {
			return "";
		}
		StringBuilder c = new StringBuilder("CPU µs per request, the median of each JVM's rounds, JVM by JVM:");
		for (Map.Entry<String, List<Run>> e : byKind.entrySet()) {
			List<String> medians = new ArrayList<>();
			for (int jvm = 0; jvm < jvms; jvm++) {
				int first = jvm * rounds + 1;
				int last = first + rounds - 1;
				Stat cpu = stat(e.getValue().stream().filter((r) -> r.round() >= first && r.round() <= last).toList(),
						(r) -> cpuUs(r, clkTck));
				medians.add((cpu != null) ? String.format(Locale.ROOT, "%,.0f", cpu.median()) : "–");
			}
			c.append(" ").append(SHORT.get(e.getKey())).append(" ").append(String.join(", ", medians)).append(";");
		}
		c.setLength(c.length() - 1);
		return c.append(".\n\n").toString();
	}

	/** WsLoad's own CPU per echo: the client runs on the same cores as the server. */
	static String clientCpu(Map<String, List<Run>> byKind) {
		StringBuilder c = new StringBuilder();
		for (Map.Entry<String, List<Run>> e : byKind.entrySet()) {
			Stat us = stat(e.getValue().stream().filter((r) -> r.clientCpuUs() >= 0 && r.requests() > 0).toList(),
					(r) -> (double) r.clientCpuUs() / r.requests());
			if (us != null) {
				c.append(c.isEmpty() ? "The load client's own CPU per echo (median): " : ", ").append(SHORT.get(e.getKey()))
					.append(String.format(Locale.ROOT, " %.1f µs", us.median()));
			}
		}
		return c.isEmpty() ? "" : c.append(".\n\n").toString();
	}

	static void target(StringBuilder t, String what, String measured, boolean met) {
		t.append("| ").append(what).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**").append(" |\n");
	}

	static double rpsRatio(List<Run> runs, String scenario, String kind, String base) {
		return ratioOf(runs, scenario, kind, base, Run::rps);
	}

	static double p99Ratio(List<Run> runs, String scenario, String kind, String base) {
		return ratioOf(runs, scenario, kind, base, (r) -> r.p99());
	}

	static double ratioOf(List<Run> runs, String scenario, String kind, String base, ToDoubleFunction<Run> f) {
		Stat a = stat(runs.stream().filter((r) -> r.scenario().equals(scenario) && r.kind().equals(kind)).toList(), f);
		Stat b = stat(runs.stream().filter((r) -> r.scenario().equals(scenario) && r.kind().equals(base)).toList(), f);
		return ratio(a, b);
	}

	// --- chart ------------------------------------------------------------------------------------

	static void writeChart(Path out, Path chart, List<String> scenarios, List<String> kinds,
			Map<String, Map<String, Double>> ratios, Map<String, String> meta) throws IOException {
		StringBuilder dat = new StringBuilder("scenario");
		for (String kind : kinds) {
			dat.append('\t').append('"').append(SHORT.get(kind)).append('"');
		}
		dat.append('\n');
		for (String scenario : scenarios) {
			dat.append(scenario);
			for (String kind : kinds) {
				Double r = ratios.getOrDefault(scenario, Map.of()).get(kind);
				dat.append('\t').append((r == null || r.isNaN()) ? "NaN" : String.format(Locale.ROOT, "%.3f", r));
			}
			dat.append('\n');
		}
		Files.writeString(out.resolve("chart.dat"), dat);
		StringBuilder gp = new StringBuilder();
		gp.append("set terminal pngcairo size 1100,560 enhanced font 'DejaVu Sans,11'\n");
		gp.append("set output '").append(chart.toAbsolutePath()).append("'\n");
		gp.append("set title 'Requests per second relative to Tomcat (median of ").append(totalRounds(meta))
			.append(" rounds, ").append(meta.get("nproc")).append(" CPUs, ").append(meta.get("date"))
			.append("; higher is better)'\n");
		gp.append("set style data histograms\nset style histogram clustered gap 1\n");
		gp.append("set style fill solid 0.85 border -1\nset boxwidth 0.9\n");
		gp.append("set key outside right top\nset grid ytics\nset yrange [0:*]\nset ylabel 'requests/s ÷ Tomcat'\n");
		gp.append("set datafile separator '\\t'\nset datafile missing 'NaN'\n");
		gp.append("set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb '#444444'\n");
		String[] colors = { "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#7f7f7f", "#8c564b" };
		gp.append("plot ");
		for (int i = 0; i < kinds.size(); i++) {
			String color = colors[KINDS.indexOf(kinds.get(i)) % colors.length];
			gp.append(i == 0 ? "" : ", \\\n     ").append("'").append(out.resolve("chart.dat").toAbsolutePath())
				.append("' using ").append(i + 2).append(i == 0 ? ":xtic(1)" : "")
				.append(" title columnheader(").append(i + 2).append(") lc rgb '").append(color).append("'");
		}
		gp.append('\n');
		Files.createDirectories(chart.toAbsolutePath().getParent());
		Files.writeString(out.resolve("chart.gp"), gp);
	}

	// --- formatting -------------------------------------------------------------------------------

	/** bench/run's --jvms: how many JVMs per server ran the rounds, one after the other (1 before it existed). */
	static int jvms(Map<String, String> meta) {
		return Integer.parseInt(meta.getOrDefault("jvms", "1"));
	}

	/** The Campaign line's opening when there was more than one JVM per server. */
	static String jvmPasses(Map<String, String> meta) {
		int jvms = jvms(meta);
		return (jvms > 1) ? jvms + " fresh JVMs per server, one after the other (medians over all their rounds), each: " : "";
	}

	static int totalRounds(Map<String, String> meta) {
		return jvms(meta) * Integer.parseInt(meta.get("rounds"));
	}

	static String discardedRounds(Map<String, String> meta) {
		String n = meta.getOrDefault("warmup_rounds", "0");
		return switch (n) {
			case "0" -> "";
			case "1" -> ", then 1 discarded round";
			default -> ", then " + n + " discarded rounds";
		};
	}

	static String instanceNote(String instance) {
		if (instance.endsWith("16")) {
			return ", 16 workers";
		}
		if (instance.endsWith("10")) {
			return ", 10 workers";
		}
		return "";
	}

	static Stat stat(List<Run> runs, ToDoubleFunction<Run> f) {
		return Stat.of(runs.stream().map((r) -> f.applyAsDouble(r)).toList());
	}

	static double cpuUs(Run r, double clkTck) {
		return (r.requests() == 0) ? Double.NaN : r.cpuTicks() * (1e6 / clkTck) / r.requests();
	}

	static double ratio(Stat a, Stat b) {
		if (a == null || b == null || b.median() == 0) {
			return Double.NaN;
		}
		return a.median() / b.median();
	}

	static String fmtRatio(double r) {
		return Double.isNaN(r) ? "–" : String.format(Locale.ROOT, "%.2f", r);
	}

	static String range(Stat s, int decimals) {
		if (s == null) {
			return "–";
		}
		String f = "%,." + decimals + "f";
		String median = String.format(Locale.ROOT, f, s.median());
		if (s.min() == s.max()) {
			return median;
		}
		return median + " <sub>" + String.format(Locale.ROOT, f, s.min()) + "..." + String.format(Locale.ROOT, f, s.max())
				+ "</sub>";
	}

	static String ms(Stat us) {
		return (us == null) ? "–" : String.format(Locale.ROOT, "%.2f", us.median() / 1000);
	}

	static String msRange(Stat us) {
		if (us == null) {
			return "–";
		}
		return range(new Stat(us.median() / 1000, us.min() / 1000, us.max() / 1000), 2);
	}

	static String errors(List<Run> runs, long total) {
		if (total == 0) {
			return "0";
		}
		long c = 0, r = 0, w = 0, t = 0, s = 0;
		for (Run run : runs) {
			c += run.connect();
			r += run.read();
			w += run.write();
			t += run.timeout();
			s += run.status();
		}
		return "**" + total + "** <sub>c" + c + " r" + r + " w" + w + " t" + t + " non-2xx " + s + "</sub>";
	}

	static String mib(Stat kb) {
		return (kb == null) ? "–" : String.format(Locale.ROOT, "%.0f", kb.median() / 1024);
	}

	static String num(Stat s) {
		return (s == null) ? "–" : String.format(Locale.ROOT, "%.0f", s.median());
	}

	static Stat serverStat(List<String[]> rows, String kind, String instance, String metric) {
		List<Double> values = new ArrayList<>();
		for (String[] row : rows) {
			if (row[0].equals(kind) && (instance == null || row[1].equals(instance)) && row[2].equals(metric)
					&& !row[3].isBlank()) {
				values.add(Double.parseDouble(row[3]));
			}
		}
		return Stat.of(values);
	}

	static String relative(Path from, Path to) {
		try {
			return from.relativize(to).toString();
		}
		catch (IllegalArgumentException ex) {
			return to.toString();
		}
	}

	// --- input / output ---------------------------------------------------------------------------

	static void writeMarkdown(Path markdown, String block) throws IOException {
		String existing = Files.exists(markdown) ? Files.readString(markdown) : "";
		int begin = existing.indexOf(BEGIN);
		int end = existing.indexOf(END);
		String text;
		if (begin >= 0 && end > begin) {
			text = existing.substring(0, begin) + block + existing.substring(end + END.length()).replaceFirst("^\\n", "");
		}
		else if (existing.isEmpty()) {
			text = "# Benchmarks\n\n" + block;
		}
		else {
			text = existing + (existing.endsWith("\n") ? "\n" : "\n\n") + block;
		}
		Files.createDirectories(markdown.toAbsolutePath().getParent());
		Files.writeString(markdown, text);
	}

	static Map<String, String> readMeta(Path file) throws IOException {
		Map<String, String> meta = new LinkedHashMap<>();
		for (String line : Files.readAllLines(file)) {
			int eq = line.indexOf('=');
			if (eq > 0) {
				meta.put(line.substring(0, eq), line.substring(eq + 1));
			}
		}
		return meta;
	}

	static List<String[]> readTsv(Path file) throws IOException {
		List<String[]> rows = new ArrayList<>();
		List<String> lines = Files.readAllLines(file);
		for (String line : lines.subList(1, lines.size())) {
			if (!line.isBlank()) {
				rows.add(line.split("\t", -1));
			}
		}
		return rows;
	}

	static List<Run> readRuns(Path file) throws IOException {
		List<Run> runs = new ArrayList<>();
		for (String[] f : readTsv(file)) {
			runs.add(new Run(Integer.parseInt(f[0]), f[1], f[2], f[3], l(f[4]), l(f[5]), l(f[6]), l(f[7]), l(f[8]),
					l(f[9]), l(f[10]), l(f[11]), l(f[12]), l(f[13]), l(f[14]), l(f[15]), l(f[16]),
					(f.length > 17 && !f[17].isBlank()) ? Double.parseDouble(f[17]) : Double.NaN,
					(f.length > 18 && !f[18].isBlank()) ? Long.parseLong(f[18].trim()) : -1));
		}
		return runs;
	}

	static long l(String s) {
		return s.isBlank() ? 0 : Long.parseLong(s.trim());
	}

}
