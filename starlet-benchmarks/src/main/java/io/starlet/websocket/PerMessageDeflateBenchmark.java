package io.starlet.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What permessage-deflate costs per message ({@link PerMessageDeflate}): compressing a JSON
 * message as the server sends it, and inflating one as a browser sends it. Each message is
 * compressed on its own with a pooled codec (no context takeover), as on the wire. In the package
 * of the code it measures, which is package-private. Results: docs/websocket.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PerMessageDeflateBenchmark {

	/** Message size in bytes: the smallest sent compressed, a typical STOMP payload, a large one. */
	@Param({ "1024", "4096", "65536" })
	int size;

	private ByteBuffer message;

	private byte[] compressed;

	@Setup
	public void setUp() {
		StringBuilder json = new StringBuilder("[");
		for (int i = 0; json.length() < this.size; i++) {
			json.append("{\"id\":").append(i).append(",\"name\":\"item ").append(i * 7919 % 1000)
				.append("\",\"price\":").append(i * 31 % 977).append(".").append(i % 100)
				.append(",\"tags\":[\"a\",\"b").append(i % 13).append("\"]},");
		}
		byte[] bytes = json.substring(0, this.size).getBytes(StandardCharsets.UTF_8);
		this.message = ByteBuffer.wrap(bytes);
		ByteBuffer out = PerMessageDeflate.compress(this.message);
		this.compressed = new byte[out.remaining()];
		out.get(this.compressed);
	}

	@Benchmark
	public ByteBuffer compress() {
		return PerMessageDeflate.compress(this.message);
	}

	/** As a binary message is delivered: inflated, then copied out of the thread's array. */
	@Benchmark
	public byte[] inflate() throws DataFormatException {
		ByteBuffer out = PerMessageDeflate.decompress(this.compressed, this.compressed.length, Integer.MAX_VALUE - 8);
		return Arrays.copyOf(out.array(), out.limit());
	}

}
