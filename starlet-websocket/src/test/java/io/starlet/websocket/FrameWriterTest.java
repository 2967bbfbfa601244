package io.starlet.websocket;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.starlet.websocket.ClientFrames.bytes;
import static io.starlet.websocket.ClientFrames.concat;
import static io.starlet.websocket.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Server frames (RFC 6455 §5.2): exact bytes, length encodings, and a round trip through the parser. */
class FrameWriterTest {

	@Test
	void rfcExampleUnmaskedHello() {
		// RFC 6455 §5.7
		assertThat(array(FrameWriter.text("Hello"))).isEqualTo(bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
		assertThat(array(FrameWriter.ping(utf8("Hello")))).isEqualTo(bytes(0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
		assertThat(array(FrameWriter.pong(utf8("Hello")))).isEqualTo(bytes(0x8a, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
	}

	@Test
	void rfcExampleLengthEncodings() {
		// RFC 6455 §5.7: 256 bytes in a single unmasked binary frame, and 64 KiB.
		assertThat(Arrays.copyOf(array(FrameWriter.binary(new byte[256])), 4)).isEqualTo(bytes(0x82, 0x7E, 0x01, 0x00));
		assertThat(Arrays.copyOf(array(FrameWriter.binary(new byte[65536])), 10))
			.isEqualTo(bytes(0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 125, 126, 65535, 65536 })
	void headerLengthIsTheShortestEncoding(int length) {
		int expected = length <= 125 ? 2 : length <= 65535 ? 4 : 10;
		assertThat(FrameWriter.headerLength(length)).isEqualTo(expected);
		byte[] frame = array(FrameWriter.binary(new byte[length]));
		assertThat(frame).hasSize(expected + length);
		assertThat(frame[1] & 0x80).as("never masked").isZero();
	}

	@Test
	void headerForAGatheringWrite() {
		assertThat(array(FrameWriter.header(false, Opcode.TEXT, 1L << 32)))
			.isEqualTo(bytes(0x01, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0));
		assertThat(array(FrameWriter.header(true, Opcode.CONTINUATION, 126))).isEqualTo(bytes(0x80, 0x7E, 0, 126));
	}

	@Test
	void fragmentsCarryTheOpcodeFirstThenContinuations() {
		List<ByteBuffer> frames = FrameWriter.fragments(Opcode.TEXT, utf8("Hello"), 3);
		assertThat(frames).hasSize(2);
		assertThat(array(frames.get(0))).isEqualTo(bytes(0x01, 0x03, 'H', 'e', 'l'));
		assertThat(array(frames.get(1))).isEqualTo(bytes(0x80, 0x02, 'l', 'o'));
		assertThat(FrameWriter.fragments(Opcode.BINARY, new byte[0], 3)).singleElement()
			.satisfies((b) -> assertThat(array(b)).isEqualTo(bytes(0x82, 0x00)));
		assertThat(FrameWriter.fragments(Opcode.BINARY, new byte[6], 3)).hasSize(2);
	}

	@Test
	void fragmentedTextMaySplitACodePointAndStillParses() {
		byte[] text = utf8("€uro 😀 ✓");
		for (int size = 1; size <= text.length; size++) {
			byte[] wire = concat(FrameWriter.fragments(Opcode.TEXT, text, size).stream()
				.map((b) -> ClientFrames.masked(array(b))).toArray(byte[][]::new));
			assertThat(FrameParserTest.events(wire)).containsExactly("text:€uro 😀 ✓");
		}
	}

	@Test
	void closeFrames() {
		assertThat(array(FrameWriter.close())).isEqualTo(bytes(0x88, 0x00));
		assertThat(array(FrameWriter.close(1000, "ok"))).isEqualTo(bytes(0x88, 0x04, 0x03, 0xE8, 'o', 'k'));
		assertThat(array(FrameWriter.close(CloseCode.GOING_AWAY, null))).isEqualTo(bytes(0x88, 0x02, 0x03, 0xE9));
		byte[] rule = utf8(ProtocolViolation.INVALID_UTF8.rule());
		assertThat(array(FrameWriter.close(ProtocolViolation.INVALID_UTF8)))
			.isEqualTo(concat(bytes(0x88, 2 + rule.length, 0x03, 0xEF), rule));
		String reason = "é".repeat(61) + "x"; // 123 bytes
		assertThat(array(FrameWriter.close(4000, reason))).hasSize(2 + 125);
	}

	@Test
	void closeFramesThatMustNotBeSentAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.close(1005, ""));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.close(1006, ""));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.close(1015, ""));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.close(999, ""));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.close(5000, ""));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.close(1000, "x".repeat(124)));
	}

	@Test
	void controlFramesOver125BytesAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.ping(new byte[126]));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.header(false, Opcode.PING, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameWriter.header(true, 3, 0));
	}

	@Test
	void everyServerFrameRoundTripsThroughTheParser() {
		byte[] big = new byte[70000];
		Arrays.fill(big, (byte) 'z');
		byte[] wire = concat(ClientFrames.masked(array(FrameWriter.text("héllo"))),
				ClientFrames.masked(array(FrameWriter.binary(bytes(1, 2, 3)))),
				ClientFrames.masked(array(FrameWriter.ping(bytes(9)))),
				ClientFrames.masked(array(FrameWriter.frame(true, Opcode.TEXT, big, 0, big.length))),
				ClientFrames.masked(array(FrameWriter.pong(new byte[0]))),
				ClientFrames.masked(array(FrameWriter.close(3000, "done"))));
		assertThat(ClientFrames.parse(wire, 0, 1 << 20, 1 << 20).events).containsExactly("text:héllo",
				"binary:010203", "ping:09", "text:" + "z".repeat(70000), "pong:", "close:3000:done");
	}

	private static byte[] array(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.duplicate().get(bytes);
		return bytes;
	}

}
