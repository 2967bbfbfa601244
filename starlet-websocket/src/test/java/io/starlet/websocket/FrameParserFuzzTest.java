package io.starlet.websocket;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.starlet.websocket.ClientFrames.FIN;
import static io.starlet.websocket.ClientFrames.close;
import static io.starlet.websocket.ClientFrames.concat;
import static io.starlet.websocket.ClientFrames.frame;
import static io.starlet.websocket.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame parser on mutated client traffic: valid sequences of frames (text in fragments with
 * a ping between them, multi-byte UTF-8, binary, pong, Close with a reason) with bytes replaced,
 * inserted and deleted, in headers, lengths, masks and payloads alike. Whatever the bytes, the
 * parser reports messages and at most one violation, last, with one of the close codes RFC 6455
 * gives for it; it never throws; and it reports the same whether fed whole, byte by byte or in
 * random pieces ({@link FrameParserTest#events}). The seed is fixed; a failure prints the input.
 */
class FrameParserFuzzTest {

	private static final byte[][] SEEDS = {
		concat(frame(0x01, "Hel"), frame(0x89, "p"), frame(0x00, "lo, "), frame(FIN, "w\u00f6rld \u20ac")),
		concat(frame(0x82, new byte[] { 0, 1, 2, (byte) 0xff, 0x7e, 0x7f }), frame(0x8a, "pong")),
		concat(frame(0x81, "\ud83d\ude00 caf\u00e9"), close(1000, utf8("bye \u00e9"))),
		concat(frame(0x81, "x".repeat(130)), frame(0x81, ""), close(1001, new byte[0])),
	};

	private static final byte[] INTERESTING = { 0x00, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x0b, 0x7d, 0x7e, 0x7f, (byte) 0x80,
		(byte) 0x81, (byte) 0x82, (byte) 0x88, (byte) 0x89, (byte) 0x8a, (byte) 0xc0, (byte) 0xe2, (byte) 0xed,
		(byte) 0xf0, (byte) 0xf4, (byte) 0xfe, (byte) 0xff };

	/** Close codes a violation may carry: protocol error, invalid payload data, message too big. */
	private static final Set<String> CODES = Set.of("1002", "1007", "1009");

	@Test
	@DisplayName("20,000 mutated frame sequences: messages and at most one violation, last, the same in any pieces")
	void mutatedFrames() {
		fuzz(SEEDS, 6455, 20_000, (input) -> FrameParserTest.events(input, 256, 256));
	}

	/** With permessage-deflate: compressed messages (RSV1), whole and in fragments, beside plain ones. */
	private static final byte[][] COMPRESSED_SEEDS = {
		concat(frame(0xC1, ClientFrames.deflate(utf8("w\u00f6rld \u20ac ".repeat(20)))), frame(0x81, "plain")),
		concat(frame(0x41, ClientFrames.deflate(utf8("abc".repeat(50)))), frame(0x89, "p"), frame(0x80, new byte[0])),
		concat(frame(0xC2, ClientFrames.deflate(new byte[300])), close(1000, utf8("bye"))),
	};

	@Test
	@DisplayName("5,000 mutated compressed frame sequences: the same guarantees, with inflation in the way")
	void mutatedCompressedFrames() {
		fuzz(COMPRESSED_SEEDS, 7692, 5_000, (input) -> {
			List<String> whole = ClientFrames.parseDeflated(input, 0, 256, 256).events;
			assertThat(ClientFrames.parseDeflated(input, 1, 256, 256).events).as("fed byte by byte").isEqualTo(whole);
			assertThat(ClientFrames.parseDeflated(input, 7, 256, 256).events).as("fed in pieces").isEqualTo(whole);
			return whole;
		});
	}

	private static void fuzz(byte[][] seeds, long seed, int rounds, Function<byte[], List<String>> parse) {
		SplittableRandom random = new SplittableRandom(seed);
		int clean = 0;
		int violated = 0;
		for (int round = 0; round < rounds; round++) {
			byte[] input = mutate(seeds[random.nextInt(seeds.length)], random);
			List<String> events;
			try {
				events = parse.apply(input);
			}
			catch (RuntimeException ex) {
				throw new AssertionError("the parser threw " + ex + " on " + HexFormat.of().formatHex(input), ex);
			}
			long violations = events.stream().filter((e) -> e.startsWith("violation:")).count();
			assertThat(violations).as("violations in %s", events).isLessThanOrEqualTo(1);
			if (violations == 1) {
				violated++;
				String last = events.get(events.size() - 1);
				assertThat(last).as("the violation comes last: %s", events).startsWith("violation:");
				assertThat(last.substring(last.lastIndexOf(':') + 1)).as(last).isIn(CODES);
			}
			else {
				clean++;
			}
		}
		// the mutations must keep reaching both sides, or this test proves nothing
		assertThat(clean).isGreaterThan(rounds / 20);
		assertThat(violated).isGreaterThan(rounds / 20);
	}

	private static byte[] mutate(byte[] seed, SplittableRandom random) {
		byte[] bytes = seed.clone();
		for (int m = 1 + random.nextInt(3); m > 0 && bytes.length > 0; m--) {
			int at = random.nextInt(bytes.length);
			if (random.nextInt(3) > 0) {
				bytes[at] = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : (byte) random.nextInt(256);
			}
			else {
				// a byte dropped shifts every header, length and mask after it
				byte[] shorter = new byte[bytes.length - 1];
				System.arraycopy(bytes, 0, shorter, 0, at);
				System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
				bytes = shorter;
			}
		}
		return bytes;
	}

}
