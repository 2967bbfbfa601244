package io.starlet.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.starlet.http.BadRequestException;
import io.starlet.http.RequestHead;
import io.starlet.http.RequestParser;

/**
 * The request-head parser as the engine runs it: one parser and one reused {@link RequestHead}
 * per thread, parsing a head already in the receive buffer. {@code parse*} measures the parse
 * alone (what every request pays); {@code parseAndRead*} adds what a typical application reads
 * (target, path, query, Host and two fields), which is where strings get made.
 *
 * <p>Run with {@code -prof gc} for bytes allocated per operation (see docs/protocol.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestParserBenchmark {

	/** What Chrome 131 sends for a same-origin navigation (cookie shortened): 16 fields, 797 bytes. */
	static final String BROWSER = """
			GET /products/list?page=2&sort=price HTTP/1.1\r
			Host: shop.example.com\r
			Connection: keep-alive\r
			sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"\r
			sec-ch-ua-mobile: ?0\r
			sec-ch-ua-platform: "Linux"\r
			Upgrade-Insecure-Requests: 1\r
			User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r
			Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r
			Sec-Fetch-Site: same-origin\r
			Sec-Fetch-Mode: navigate\r
			Sec-Fetch-User: ?1\r
			Sec-Fetch-Dest: document\r
			Referer: https://shop.example.com/products\r
			Accept-Encoding: gzip, deflate, br, zstd\r
			Accept-Language: en-US,en;q=0.9,de;q=0.8\r
			Cookie: SESSION=5f1c0e4e-9b8a-4f3c-a1d2-7e6b5c4d3e2f; theme=dark; consent=1\r
			\r
			""";

	static final String MINIMAL = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	private final RequestParser parser = new RequestParser(8192, 100, -1);

	private final RequestHead head = new RequestHead();

	private byte[] browser;

	private byte[] minimal;

	@Setup
	public void setUp() throws BadRequestException {
		this.browser = BROWSER.getBytes(StandardCharsets.ISO_8859_1);
		this.minimal = MINIMAL.getBytes(StandardCharsets.ISO_8859_1);
		// Fail fast if a sample stops being a valid request.
		if (this.parser.parse(this.browser, 0, this.browser.length, this.head) != this.browser.length
				|| this.head.size() != 16) {
			throw new IllegalStateException("browser sample does not parse");
		}
		if (this.parser.parse(this.minimal, 0, this.minimal.length, this.head) != this.minimal.length) {
			throw new IllegalStateException("minimal sample does not parse");
		}
	}

	@Benchmark
	public int parseBrowser() throws BadRequestException {
		return this.parser.parse(this.browser, 0, this.browser.length, this.head);
	}

	@Benchmark
	public int parseMinimal() throws BadRequestException {
		return this.parser.parse(this.minimal, 0, this.minimal.length, this.head);
	}

	@Benchmark
	public void parseAndReadBrowser(Blackhole blackhole) throws BadRequestException {
		this.parser.parse(this.browser, 0, this.browser.length, this.head);
		read(blackhole);
	}

	@Benchmark
	public void parseAndReadMinimal(Blackhole blackhole) throws BadRequestException {
		this.parser.parse(this.minimal, 0, this.minimal.length, this.head);
		read(blackhole);
	}

	private void read(Blackhole blackhole) {
		blackhole.consume(this.head.method());
		blackhole.consume(this.head.path());
		blackhole.consume(this.head.query());
		blackhole.consume(this.head.host());
		blackhole.consume(this.head.get("Accept"));
		blackhole.consume(this.head.get("Cookie"));
	}

}
