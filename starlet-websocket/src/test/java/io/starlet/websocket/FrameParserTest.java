package io.starlet.websocket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.starlet.websocket.ClientFrames.Recorder;

import static io.starlet.websocket.ClientFrames.FIN;
import static io.starlet.websocket.ClientFrames.bytes;
import static io.starlet.websocket.ClientFrames.concat;
import static io.starlet.websocket.ClientFrames.frame;
import static io.starlet.websocket.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * RFC 6455 §5 conformance of the frame parser, from bytes. Every input is parsed whole, byte by
 * byte and in random pieces, and all three must report the same events; a malformed input is
 * answered with exactly one violation carrying the right close code, and nothing after it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameParserTest {

	private static final int MAX = 1 << 20;

	static List<String> events(byte[] input) {
		return events(input, MAX, MAX);
	}

	static List<String> events(byte[] input, int maxText, int maxBinary) {
		List<String> whole = ClientFrames.parse(input, 0, maxText, maxBinary).events;
		assertThat(ClientFrames.parse(input, 1, maxText, maxBinary).events).as("fed byte by byte").isEqualTo(whole);
		Random random = new Random(input.length * 31L + whole.hashCode());
		for (int i = 0; i < 10; i++) {
			assertThat(ClientFrames.parseRandomly(input, random, maxText, maxBinary).events)
				.as("fed in random pieces").isEqualTo(whole);
		}
		return whole;
	}

	// --- Data frames and masking (§5.1, §5.2, §5.3) ---

	@Test
	void rfcExampleMaskedHello() {
		// RFC 6455 §5.7: a single-frame masked text message.
		byte[] frame = bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
		assertThat(events(frame)).containsExactly("text:Hello");
	}

	@Test
	void rfcExampleFragmentedHelloMasked() {
		// RFC 6455 §5.7 "Hel" + "lo", but masked as a client must.
		byte[] input = concat(frame(Opcode.TEXT, "Hel"), frame(FIN | Opcode.CONTINUATION, "lo"));
		assertThat(events(input)).containsExactly("text:Hello");
	}

	@Test
	void unmaskedClientFrameIsAProtocolError() {
		// RFC 6455 §5.7's unmasked "Hello" is what a server sends, never what it accepts.
		byte[] frame = bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
		assertThat(events(frame)).containsExactly("violation:UNMASKED_FRAME:1002");
	}

	@Test
	void unmaskedControlFrameIsAProtocolError() {
		byte[] frame = ClientFrames.frame(FIN | Opcode.PING, utf8("x"), ClientFrames.Length.MINIMAL, false);
		assertThat(events(frame)).containsExactly("violation:UNMASKED_FRAME:1002");
	}

	@Test
	void anyMaskingKeyAndAnyPieceBoundaryUnmaskTheSame() {
		Random random = new Random(7);
		for (int round = 0; round < 200; round++) {
			byte[] mask = new byte[4];
			random.nextBytes(mask);
			byte[] payload = new byte[random.nextInt(300)];
			random.nextBytes(payload);
			byte[] input = concat(ClientFrames.frame(Opcode.BINARY, Arrays.copyOf(payload, payload.length / 3),
					ClientFrames.Length.MINIMAL, mask),
					ClientFrames.frame(FIN | Opcode.CONTINUATION,
							Arrays.copyOfRange(payload, payload.length / 3, payload.length), ClientFrames.Length.MINIMAL,
							mask));
			assertThat(ClientFrames.parseRandomly(input, random, MAX, MAX).events)
				.containsExactly("binary:" + ClientFrames.hex(payload));
		}
	}

	@Test
	void binaryMessage() {
		assertThat(events(frame(FIN | Opcode.BINARY, bytes(0, 1, 0xfe, 0xff)))).containsExactly("binary:0001feff");
	}

	@Test
	void emptyMessages() {
		byte[] input = concat(frame(FIN | Opcode.TEXT, new byte[0]), frame(FIN | Opcode.BINARY, new byte[0]),
				frame(Opcode.TEXT, new byte[0]), frame(Opcode.CONTINUATION, new byte[0]),
				frame(FIN | Opcode.CONTINUATION, new byte[0]));
		assertThat(events(input)).containsExactly("text:", "binary:", "text:");
	}

	@Test
	void severalMessagesInOneRead() {
		byte[] input = concat(frame(FIN | Opcode.TEXT, "one"), frame(FIN | Opcode.BINARY, bytes(2)),
				frame(FIN | Opcode.TEXT, "three"));
		assertThat(events(input)).containsExactly("text:one", "binary:02", "text:three");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x40, 0x20, 0x10, 0x70 })
	void reservedBitsWithoutAnExtensionAreAProtocolError(int rsv) {
		assertThat(events(frame(FIN | rsv | Opcode.TEXT, "x"))).containsExactly("violation:RESERVED_BITS:1002");
		assertThat(events(frame(FIN | rsv | Opcode.PING, "x"))).containsExactly("violation:RESERVED_BITS:1002");
	}

	@ParameterizedTest
	@ValueSource(ints = { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF })
	void unknownOpcodesAreAProtocolError(int opcode) {
		assertThat(events(frame(FIN | opcode, "x"))).containsExactly("violation:UNKNOWN_OPCODE:1002");
	}

	@Test
	void unknownOpcodeInsideAFragmentedMessage() {
		byte[] input = concat(frame(Opcode.TEXT, "a"), frame(FIN | 0xB, "x"));
		assertThat(events(input)).containsExactly("violation:UNKNOWN_OPCODE:1002");
	}

	// --- Payload lengths (§5.2) ---

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 125, 126, 127, 128, 65535, 65536, 70000 })
	void payloadLengthsAtEveryEncodingBoundary(int length) {
		byte[] payload = new byte[length];
		new Random(length).nextBytes(payload);
		List<String> events = ClientFrames.parse(frame(FIN | Opcode.BINARY, payload), 0, MAX, MAX).events;
		assertThat(events).containsExactly("binary:" + ClientFrames.hex(payload));
		if (length <= 65536) {
			assertThat(events(frame(FIN | Opcode.BINARY, payload))).isEqualTo(events);
		}
	}

	@Test
	void nonMinimalLengthEncodingsAreAccepted() {
		assertThat(events(ClientFrames.frame(FIN | Opcode.TEXT, utf8("short"), ClientFrames.Length.BITS_16, true)))
			.containsExactly("text:short");
		assertThat(events(ClientFrames.frame(FIN | Opcode.TEXT, utf8("short"), ClientFrames.Length.BITS_64, true)))
			.containsExactly("text:short");
		assertThat(events(ClientFrames.frame(FIN | Opcode.BINARY, new byte[0], ClientFrames.Length.BITS_64, true)))
			.containsExactly("binary:");
	}

	@Test
	void sixtyFourBitLengthIsReadAsUnsignedBigEndian() {
		byte[] payload = new byte[0x10203];
		Arrays.fill(payload, (byte) 'a');
		byte[] frame = frame(FIN | Opcode.TEXT, payload);
		assertThat(Arrays.copyOfRange(frame, 1, 10)).isEqualTo(bytes(0xFF, 0, 0, 0, 0, 0, 1, 2, 3));
		assertThat(events(frame)).containsExactly("text:" + "a".repeat(0x10203));
	}

	@ParameterizedTest
	@ValueSource(longs = { Long.MIN_VALUE, -1L, 0x8000000000000001L })
	void sixtyFourBitLengthWithTheMostSignificantBitSetIsAProtocolError(long length) {
		assertThat(events(ClientFrames.header(FIN | Opcode.BINARY, length)))
			.containsExactly("violation:INVALID_LENGTH:1002");
	}

	@Test
	void invalidLengthIsReportedAtItsFirstByte() {
		byte[] input = bytes(FIN | Opcode.BINARY, 0xFF, 0x80);
		assertThat(events(input)).containsExactly("violation:INVALID_LENGTH:1002");
	}

	// --- Control frames (§5.5) ---

	@Test
	void pingAndPongCarryTheirPayload() {
		byte[] input = concat(frame(FIN | Opcode.PING, "Hello"), frame(FIN | Opcode.PONG, new byte[0]));
		assertThat(events(input)).containsExactly("ping:48656c6c6f", "pong:");
	}

	@Test
	void controlFrameOf125BytesIsAccepted() {
		byte[] payload = new byte[125];
		Arrays.fill(payload, (byte) 7);
		assertThat(events(frame(FIN | Opcode.PING, payload))).containsExactly("ping:" + "07".repeat(125));
	}

	@ParameterizedTest
	@ValueSource(ints = { Opcode.PING, Opcode.PONG, Opcode.CLOSE })
	void controlFrameOver125BytesIsAProtocolError(int opcode) {
		byte[] payload = new byte[126];
		payload[0] = 0x03;
		payload[1] = (byte) 0xE8;
		assertThat(events(frame(FIN | opcode, payload))).containsExactly("violation:CONTROL_FRAME_TOO_LONG:1002");
		assertThat(events(ClientFrames.header(FIN | opcode, 5))).containsExactly("violation:CONTROL_FRAME_TOO_LONG:1002");
	}

	@ParameterizedTest
	@ValueSource(ints = { Opcode.PING, Opcode.PONG, Opcode.CLOSE })
	void fragmentedControlFrameIsAProtocolError(int opcode) {
		assertThat(events(frame(opcode, new byte[0]))).containsExactly("violation:FRAGMENTED_CONTROL_FRAME:1002");
	}

	// --- Fragmentation (§5.4) ---

	@Test
	void fragmentedBinaryMessageInManyPieces() {
		byte[] input = concat(frame(Opcode.BINARY, bytes(1)), frame(Opcode.CONTINUATION, bytes(2)),
				frame(Opcode.CONTINUATION, new byte[0]), frame(FIN | Opcode.CONTINUATION, bytes(3, 4)));
		assertThat(events(input)).containsExactly("binary:01020304");
	}

	@Test
	void controlFramesMayBeInterleavedInAFragmentedMessage() {
		byte[] input = concat(frame(Opcode.TEXT, "fra"), frame(FIN | Opcode.PING, "p"),
				frame(Opcode.CONTINUATION, "gm"), frame(FIN | Opcode.PONG, "q"),
				frame(FIN | Opcode.CONTINUATION, "ent"), frame(FIN | Opcode.TEXT, "next"));
		assertThat(events(input)).containsExactly("ping:70", "pong:71", "text:fragment", "text:next");
	}

	@Test
	void closeInsideAFragmentedMessageEndsTheConnection() {
		byte[] input = concat(frame(Opcode.TEXT, "half"), ClientFrames.close(1000, utf8("bye")),
				frame(FIN | Opcode.CONTINUATION, "never"));
		assertThat(events(input)).containsExactly("close:1000:bye");
	}

	@Test
	void continuationWithoutAMessageIsAProtocolError() {
		assertThat(events(frame(FIN | Opcode.CONTINUATION, "x")))
			.containsExactly("violation:CONTINUATION_WITHOUT_MESSAGE:1002");
		assertThat(events(concat(frame(FIN | Opcode.TEXT, "done"), frame(Opcode.CONTINUATION, "x"))))
			.containsExactly("text:done", "violation:CONTINUATION_WITHOUT_MESSAGE:1002");
	}

	@ParameterizedTest
	@ValueSource(ints = { Opcode.TEXT, Opcode.BINARY })
	void newDataFrameWhileAMessageIsOpenIsAProtocolError(int opcode) {
		assertThat(events(concat(frame(Opcode.TEXT, "a"), frame(FIN | opcode, "b"))))
			.containsExactly("violation:MESSAGE_NOT_FINISHED:1002");
		assertThat(events(concat(frame(Opcode.BINARY, "a"), frame(opcode, "b"))))
			.containsExactly("violation:MESSAGE_NOT_FINISHED:1002");
	}

	// --- UTF-8 (§5.6, §8.1) ---

	@Test
	void codePointSplitAcrossFragmentsIsFine() {
		byte[] euro = utf8("€"); // E2 82 AC
		byte[] emoji = utf8("😀"); // F0 9F 98 80
		byte[] input = concat(frame(Opcode.TEXT, Arrays.copyOf(euro, 1)),
				frame(Opcode.CONTINUATION, concat(Arrays.copyOfRange(euro, 1, 3), Arrays.copyOf(emoji, 1))),
				frame(Opcode.CONTINUATION, Arrays.copyOfRange(emoji, 1, 2)),
				frame(FIN | Opcode.CONTINUATION, Arrays.copyOfRange(emoji, 2, 4)));
		assertThat(events(input)).containsExactly("text:€😀");
	}

	@Test
	void invalidUtf8IsRefusedWith1007() {
		assertThat(events(frame(FIN | Opcode.TEXT, bytes('a', 0xC0, 0x80)))).containsExactly("violation:INVALID_UTF8:1007");
		assertThat(events(frame(FIN | Opcode.TEXT, bytes(0xED, 0xA0, 0x80)))).containsExactly("violation:INVALID_UTF8:1007");
		assertThat(events(frame(FIN | Opcode.TEXT, bytes(0xF4, 0x90, 0x80, 0x80)))).containsExactly("violation:INVALID_UTF8:1007");
	}

	@Test
	void textEndingInsideACodePointIsRefusedWith1007() {
		assertThat(events(frame(FIN | Opcode.TEXT, bytes('a', 0xE2, 0x82)))).containsExactly("violation:INVALID_UTF8:1007");
		byte[] input = concat(frame(Opcode.TEXT, bytes(0xF0, 0x9F)), frame(FIN | Opcode.CONTINUATION, bytes(0x98)));
		assertThat(events(input)).containsExactly("violation:INVALID_UTF8:1007");
	}

	@Test
	void invalidUtf8FailsFastBeforeTheMessageEnds() {
		// The first fragment alone is enough: no need to wait for the rest of the message.
		byte[] first = frame(Opcode.TEXT, bytes('o', 'k', 0xFF));
		assertThat(events(first)).containsExactly("violation:INVALID_UTF8:1007");
		// ...and inside a frame, before the frame's payload is complete.
		byte[] frame = frame(FIN | Opcode.TEXT, concat(bytes(0xC3, 0x28), new byte[100]));
		assertThat(events(Arrays.copyOf(frame, 2 + 4 + 2))).containsExactly("violation:INVALID_UTF8:1007");
	}

	@Test
	void binaryMessagesAreNotValidatedAsText() {
		assertThat(events(frame(FIN | Opcode.BINARY, bytes(0xFF, 0xC0)))).containsExactly("binary:ffc0");
	}

	// --- Close (§5.5.1, §7.4) ---

	@Test
	void closeWithoutPayloadReportsNoStatus() {
		assertThat(events(frame(FIN | Opcode.CLOSE, new byte[0]))).containsExactly("close:1005:");
	}

	@Test
	void closeWithCodeAndReason() {
		assertThat(events(ClientFrames.close(1001, utf8("going — away")))).containsExactly("close:1001:going — away");
		assertThat(events(ClientFrames.close(1000, new byte[0]))).containsExactly("close:1000:");
	}

	@Test
	void closePayloadOfOneByteIsAProtocolError() {
		assertThat(events(frame(FIN | Opcode.CLOSE, bytes(0x03)))).containsExactly("violation:INVALID_CLOSE_PAYLOAD:1002");
	}

	@ParameterizedTest
	@ValueSource(ints = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999 })
	void validCloseCodes(int code) {
		assertThat(events(ClientFrames.close(code, utf8("r")))).containsExactly("close:" + code + ":r");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535 })
	void closeCodesThatMustNotBeSentAreAProtocolError(int code) {
		assertThat(events(ClientFrames.close(code, new byte[0]))).containsExactly("violation:INVALID_CLOSE_CODE:1002");
	}

	@Test
	void closeReasonMustBeUtf8() {
		assertThat(events(ClientFrames.close(1000, bytes('o', 0xCE, 0xBA, 0xE1, 0xBD))))
			.containsExactly("violation:INVALID_CLOSE_REASON:1007");
		assertThat(events(ClientFrames.close(1000, bytes(0xED, 0xBF, 0xBF))))
			.containsExactly("violation:INVALID_CLOSE_REASON:1007");
	}

	@Test
	void everythingAfterCloseIsIgnored() {
		byte[] input = concat(ClientFrames.close(1000, new byte[0]), frame(FIN | Opcode.TEXT, "late"),
				bytes(0xFF, 0xFF, 0xFF));
		Recorder recorder = ClientFrames.parse(input, 0, MAX, MAX);
		assertThat(recorder.events).containsExactly("close:1000:");
		assertThat(recorder.parser.isClosed()).isTrue();
	}

	// --- Maximum message size (1009) ---

	@Test
	void messagesUpToTheLimitAreAccepted() {
		assertThat(events(frame(FIN | Opcode.TEXT, "0123456789"), 10, 20)).containsExactly("text:0123456789");
		assertThat(events(frame(FIN | Opcode.BINARY, new byte[20]), 10, 20)).containsExactly("binary:" + "00".repeat(20));
		assertThat(events(concat(frame(Opcode.TEXT, "01234"), frame(FIN | Opcode.CONTINUATION, "56789")), 10, 20))
			.containsExactly("text:0123456789");
	}

	@Test
	void textAndBinaryLimitsAreSeparate() {
		assertThat(events(frame(FIN | Opcode.TEXT, "01234567890"), 10, 20)).containsExactly("violation:MESSAGE_TOO_BIG:1009");
		assertThat(events(frame(FIN | Opcode.BINARY, new byte[15]), 10, 20)).containsExactly("binary:" + "00".repeat(15));
		assertThat(events(frame(FIN | Opcode.BINARY, new byte[21]), 10, 20)).containsExactly("violation:MESSAGE_TOO_BIG:1009");
		assertThat(events(frame(FIN | Opcode.TEXT, "0123456789ab"), 20, 10)).containsExactly("text:0123456789ab");
	}

	@Test
	void fragmentedMessageOverTheLimitIsRefusedAtTheHeaderOfTheFrameThatPassesIt() {
		byte[] first = frame(Opcode.BINARY, new byte[8]);
		byte[] second = frame(FIN | Opcode.CONTINUATION, new byte[8]);
		// Only the header of the second frame: its payload is never needed to decide.
		byte[] input = concat(first, Arrays.copyOf(second, 2));
		assertThat(events(input, 10, 10)).containsExactly("violation:MESSAGE_TOO_BIG:1009");
	}

	@Test
	void hugeDeclaredLengthIsRefusedWithoutBuffering() {
		byte[] header = Arrays.copyOf(ClientFrames.header(FIN | Opcode.BINARY, 1L << 62), 10);
		assertThat(events(header, MAX, MAX)).containsExactly("violation:MESSAGE_TOO_BIG:1009");
		byte[] justOver = Arrays.copyOf(ClientFrames.header(FIN | Opcode.TEXT, Integer.MAX_VALUE + 1L), 10);
		assertThat(events(justOver, Integer.MAX_VALUE, Integer.MAX_VALUE)).containsExactly("violation:MESSAGE_TOO_BIG:1009");
	}

	@Test
	void controlFramesInsideAMessageDoNotCountTowardsItsSize() {
		byte[] input = concat(frame(Opcode.TEXT, "01234"), frame(FIN | Opcode.PING, "0123456789"),
				frame(FIN | Opcode.CONTINUATION, "56789"));
		assertThat(events(input, 10, 10)).containsExactly("ping:" + ClientFrames.hex(utf8("0123456789")), "text:0123456789");
	}

	@Test
	void limitsApplyToEachMessageAfresh() {
		byte[] input = concat(frame(FIN | Opcode.TEXT, "0123456789"), frame(FIN | Opcode.TEXT, "0123456789"));
		assertThat(events(input, 10, 10)).containsExactly("text:0123456789", "text:0123456789");
	}

	// --- After a violation, and one event at a time ---

	@Test
	void nothingIsReportedAfterAViolation() {
		byte[] input = concat(frame(FIN | 0x40 | Opcode.TEXT, "x"), frame(FIN | Opcode.TEXT, "ignored"),
				ClientFrames.close(1000, new byte[0]));
		Recorder recorder = ClientFrames.parse(input, 0, MAX, MAX);
		assertThat(recorder.events).containsExactly("violation:RESERVED_BITS:1002");
		assertThat(recorder.parser.isFailed()).isTrue();
		recorder.parser.parse(frame(FIN | Opcode.TEXT, "more"), 0, 7);
		assertThat(recorder.events).hasSize(1);
	}

	@Test
	void parseNextStopsAfterEachEvent() {
		byte[] one = frame(FIN | Opcode.TEXT, "one");
		byte[] ping = frame(FIN | Opcode.PING, "p");
		byte[] partial = Arrays.copyOf(frame(FIN | Opcode.TEXT, "three"), 5);
		ByteBuffer in = ByteBuffer.wrap(concat(one, ping, partial));
		Recorder recorder = new Recorder();
		FrameParser parser = new FrameParser(recorder, MAX, MAX);
		assertThat(parser.parseNext(in)).isTrue();
		assertThat(in.position()).isEqualTo(one.length);
		assertThat(recorder.events).containsExactly("text:one");
		assertThat(parser.parseNext(in)).isTrue();
		assertThat(in.position()).isEqualTo(one.length + ping.length);
		assertThat(parser.parseNext(in)).isFalse();
		assertThat(in.hasRemaining()).isFalse();
		assertThat(recorder.events).containsExactly("text:one", "ping:70");
	}

	@Test
	void directBuffersWork() {
		byte[] input = concat(frame(Opcode.TEXT, "di"), frame(FIN | Opcode.CONTINUATION, "rect"));
		ByteBuffer direct = ByteBuffer.allocateDirect(input.length).put(input).flip();
		Recorder recorder = new Recorder();
		new FrameParser(recorder, MAX, MAX).parse(direct);
		assertThat(recorder.events).containsExactly("text:direct");
	}

	@Test
	void negativeLimitsAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new FrameParser(new Recorder(), -1, 10));
	}

	// --- Robustness: no input makes the parser throw, hang, or report after its end ---

	static IntStream seeds() {
		return IntStream.range(0, 10);
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void randomAndMutatedInputNeverThrowsNorHangs(int seed) {
		Random random = new Random(seed);
		byte[][] valid = { frame(FIN | Opcode.TEXT, "hello €"), frame(Opcode.BINARY, new byte[300]),
				frame(FIN | Opcode.CONTINUATION, "x"), frame(FIN | Opcode.PING, "ping"),
				ClientFrames.close(1000, utf8("bye")), frame(FIN | Opcode.TEXT, new byte[70000]) };
		for (int round = 0; round < 300; round++) {
			List<byte[]> parts = new ArrayList<>();
			for (int i = random.nextInt(5); i >= 0; i--) {
				parts.add(valid[random.nextInt(valid.length)].clone());
			}
			byte[] input = concat(parts.toArray(byte[][]::new));
			for (int flips = random.nextInt(4); flips > 0; flips--) {
				input[random.nextInt(Math.min(input.length, 40))] ^= (byte) (1 << random.nextInt(8));
			}
			if (random.nextInt(10) == 0) {
				random.nextBytes(input);
			}
			List<String> whole = ClientFrames.parse(input, 0, 1000, 1000).events;
			List<String> pieces = ClientFrames.parseRandomly(input, random, 1000, 1000).events;
			assertThat(pieces).isEqualTo(whole);
			long terminal = whole.stream().filter((e) -> e.startsWith("close:") || e.startsWith("violation:")).count();
			assertThat(terminal).isLessThanOrEqualTo(1);
			if (terminal == 1) {
				assertThat(whole.get(whole.size() - 1)).matches("(close|violation):.*");
			}
		}
	}

}
