package io.starlet.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;

import jakarta.websocket.Extension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.starlet.websocket.ClientFrames.FIN;
import static io.starlet.websocket.ClientFrames.bytes;
import static io.starlet.websocket.ClientFrames.concat;
import static io.starlet.websocket.ClientFrames.deflate;
import static io.starlet.websocket.ClientFrames.frame;
import static io.starlet.websocket.ClientFrames.parseDeflated;
import static io.starlet.websocket.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** permessage-deflate (RFC 7692): negotiation, the codec, and the parser's compressed messages. */
class PerMessageDeflateTest {

	private static final int RSV1 = 0x40;

	private static final String JSON = "{\"id\":12,\"name\":\"Starlet\",\"tags\":[\"http\",\"websocket\"]},".repeat(100);

	// --- negotiation (§7) ------------------------------------------------------------------------

	@ParameterizedTest
	@ValueSource(strings = { "permessage-deflate", "permessage-deflate; client_max_window_bits",
			"permessage-deflate; client_max_window_bits=10", "permessage-deflate; client_max_window_bits=\"8\"",
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			"permessage-deflate; server_max_window_bits=15", "PerMessage-Deflate" })
	void offersItCanHonourAreAccepted(String header) {
		List<Extension> offers = PerMessageDeflate.parseOffers(List.of(header));
		assertThat(offers).hasSize(1);
		assertThat(PerMessageDeflate.acceptable(offers.get(0))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = {
			// the JDK's deflater always uses a 32 KiB window: a smaller one cannot be promised
			"permessage-deflate; server_max_window_bits=10",
			// a value where one is required, none where none is allowed, out of 8-15, a leading zero
			"permessage-deflate; server_max_window_bits", "permessage-deflate; server_no_context_takeover=1",
			"permessage-deflate; client_max_window_bits=16", "permessage-deflate; client_max_window_bits=7",
			"permessage-deflate; client_max_window_bits=09", "permessage-deflate; client_max_window_bits=x",
			// unknown or repeated parameters (§7: the offer must be declined)
			"permessage-deflate; mux", "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
			// another extension
			"x-webkit-deflate-frame" })
	void offersItCannotHonourAreDeclined(String header) {
		List<Extension> offers = PerMessageDeflate.parseOffers(List.of(header));
		assertThat(offers).hasSize(1);
		assertThat(PerMessageDeflate.acceptable(offers.get(0))).isFalse();
	}

	@Test
	void theHeaderIsAListOfOffersAcrossLinesAndMalformedElementsAreLeftOut() {
		List<Extension> offers = PerMessageDeflate.parseOffers(List.of(
				"permessage-deflate; server_max_window_bits=10, permessage-deflate;client_max_window_bits",
				" , bad name; x, permessage-deflate; a=\"b,c\"", "foo; bar=\"b\\\"q\""));
		assertThat(offers).extracting(Object::toString).containsExactly(
				"permessage-deflate; server_max_window_bits=10", "permessage-deflate; client_max_window_bits");
		assertThat(PerMessageDeflate.NEGOTIATED.toString())
			.isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
	}

	// --- the codec -------------------------------------------------------------------------------

	@Test
	void aCompressedMessageInflatesToItselfWhateverTheCompressor() throws Exception {
		byte[] json = utf8(JSON);
		ByteBuffer compressed = PerMessageDeflate.compress(ByteBuffer.wrap(json));
		assertThat(compressed.remaining()).isLessThan(json.length / 10);
		byte[] wire = new byte[compressed.remaining()];
		compressed.get(wire);
		assertThat(ClientFrames.inflate(wire)).isEqualTo(json);
		assertThat(inflated(wire, json.length)).isEqualTo(json);
		// as browsers send it: the default level, one message
		byte[] fromClient = deflate(json);
		assertThat(inflated(fromClient, json.length)).isEqualTo(json);
	}

	@Test
	void whatCompressionDoesNotShrinkIsLeftAsItIs() {
		byte[] random = new byte[4096];
		new Random(7).nextBytes(random);
		assertThat(PerMessageDeflate.compress(ByteBuffer.wrap(random))).isNull();
	}

	@Test
	void inflatingStopsAtTheMaximumSize() throws Exception {
		byte[] zeros = deflate(new byte[10 * 1024 * 1024]);
		assertThat(zeros.length).as("a small bomb").isLessThan(20_000);
		assertThat(PerMessageDeflate.decompress(zeros, zeros.length, 1024 * 1024)).isNull();
		assertThat(inflated(zeros, 10 * 1024 * 1024)).hasSize(10 * 1024 * 1024);
	}

	@Test
	void aThreadInflatesIntoOneArrayAndEachMessageGetsOnlyItsOwnBytes() throws Exception {
		byte[] small = utf8("x".repeat(3000));
		byte[] kept = utf8(JSON.repeat(4)); // grows the thread's array, which is then kept
		assertThat(kept.length).isBetween(8192, PerMessageDeflate.SCRATCH_KEPT);
		byte[] large = new byte[PerMessageDeflate.SCRATCH_KEPT * 3]; // grows a temporary one
		new Random(11).nextBytes(large);
		byte[] keptArray = null;
		for (byte[] message : List.of(small, kept, large, small, kept, large, small)) {
			byte[] wire = deflate(message);
			ByteBuffer out = PerMessageDeflate.decompress(wire, wire.length, 1 << 20);
			assertThat(out.position()).isZero();
			assertThat(Arrays.copyOf(out.array(), out.limit())).isEqualTo(message);
			if (message == large) {
				assertThat(out.array()).isNotSameAs(keptArray);
			}
			else if (keptArray != null) {
				assertThat(out.array()).as("the thread's array").isSameAs(keptArray);
			}
			else if (message == kept) {
				keptArray = out.array();
			}
		}
	}

	/** What the parser delivers: the inflated bytes, copied out of the thread's array. */
	private static byte[] inflated(byte[] wire, int max) throws DataFormatException {
		ByteBuffer out = PerMessageDeflate.decompress(wire, wire.length, max);
		return Arrays.copyOf(out.array(), out.limit());
	}

	@Test
	void dataThatIsNotDeflateIsRefused() {
		byte[] garbage = bytes(0xFF, 0xFF, 0xFF, 0xFF, 0x12);
		assertThatThrownBy(() -> PerMessageDeflate.decompress(garbage, garbage.length, 1000))
			.isInstanceOf(DataFormatException.class);
	}

	// --- the parser (§6) -------------------------------------------------------------------------

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 7 })
	void aCompressedMessageIsDeliveredInflated(int piece) {
		byte[] text = deflate(utf8("héllo " + JSON));
		byte[] binary = deflate(new byte[3000]);
		ClientFrames.Recorder r = parseDeflated(concat(frame(FIN | RSV1 | 0x1, text), frame(FIN | RSV1 | 0x2, binary),
				frame(FIN | 0x1, "plain")), piece, 1 << 20, 1 << 20);
		assertThat(r.events).containsExactly("text:héllo " + JSON, "binary:" + ClientFrames.hex(new byte[3000]),
				"text:plain");
	}

	@Test
	void aCompressedMessageMayBeFragmentedWithRsv1OnItsFirstFrameOnly() {
		byte[] compressed = deflate(utf8(JSON));
		int half = compressed.length / 2;
		byte[] first = java.util.Arrays.copyOfRange(compressed, 0, half);
		byte[] rest = java.util.Arrays.copyOfRange(compressed, half, compressed.length);
		ClientFrames.Recorder r = parseDeflated(concat(frame(RSV1 | 0x1, first), frame(FIN | 0x9, "p"),
				frame(FIN | 0x0, rest)), 5, 1 << 20, 1 << 20);
		assertThat(r.events).containsExactly("ping:70", "text:" + JSON);
	}

	@Test
	void anEmptyCompressedMessageIsOneZeroByte() {
		// §7.2.3.6: an empty message compressed is a single 0x00 octet
		assertThat(parseDeflated(frame(FIN | RSV1 | 0x1, bytes(0x00)), 0, 100, 100).events).containsExactly("text:");
	}

	@Test
	void rsv1ElsewhereIsAProtocolError() {
		String reserved = "violation:RESERVED_BITS:1002";
		byte[] compressed = deflate(utf8("abc"));
		// on a continuation frame
		assertThat(parseDeflated(concat(frame(RSV1 | 0x1, compressed), frame(FIN | RSV1 | 0x0, bytes(0))), 0, 100, 100)
			.events).containsExactly(reserved);
		// on a control frame
		assertThat(parseDeflated(frame(FIN | RSV1 | 0x9, "p"), 0, 100, 100).events).containsExactly(reserved);
		// RSV2 and RSV3 belong to no extension here
		assertThat(parseDeflated(frame(FIN | 0x20 | 0x1, "a"), 0, 100, 100).events).containsExactly(reserved);
		assertThat(parseDeflated(frame(FIN | 0x10 | 0x1, "a"), 0, 100, 100).events).containsExactly(reserved);
		// and RSV1 when permessage-deflate was not negotiated
		assertThat(ClientFrames.parse(frame(FIN | RSV1 | 0x1, compressed), 0, 100, 100).events).containsExactly(reserved);
	}

	@Test
	void aCompressedMessageIsLimitedByItsInflatedSize() {
		byte[] bomb = deflate(new byte[1024 * 1024]);
		assertThat(parseDeflated(frame(FIN | RSV1 | 0x2, bomb), 0, 1000, 64 * 1024).events)
			.containsExactly("violation:MESSAGE_TOO_BIG:1009");
		byte[] text = deflate(utf8("a".repeat(70_000)));
		assertThat(parseDeflated(frame(FIN | RSV1 | 0x1, text), 0, 64 * 1024, 1000).events)
			.containsExactly("violation:MESSAGE_TOO_BIG:1009");
		// a payload larger than the limit is refused from its header, compressed or not
		byte[] random = new byte[5000];
		new Random(3).nextBytes(random);
		assertThat(parseDeflated(frame(FIN | RSV1 | 0x2, random), 0, 1000, 1000).events)
			.containsExactly("violation:MESSAGE_TOO_BIG:1009");
	}

	@Test
	void whatInflatesToBadUtf8OrIsNotDeflateFailsWith1007() {
		assertThat(parseDeflated(frame(FIN | RSV1 | 0x1, deflate(bytes(0xC3, 0x28))), 0, 100, 100).events)
			.containsExactly("violation:INVALID_UTF8:1007");
		assertThat(parseDeflated(frame(FIN | RSV1 | 0x1, bytes(0xFF, 0xFF, 0xFF)), 0, 100, 100).events)
			.containsExactly("violation:INVALID_COMPRESSED_DATA:1007");
		// nothing after a violation
		assertThat(parseDeflated(concat(frame(FIN | RSV1 | 0x2, bytes(0xFF, 0xFF, 0xFF)), frame(FIN | 0x1, "x")),
				0, 100, 100).events).hasSize(1);
		assertThat(new String(bytes(0x68), StandardCharsets.UTF_8)).isEqualTo("h");
	}

}
