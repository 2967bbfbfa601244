package io.starlet.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.starlet.testing.Mutations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The request-head parser on mutated heads: valid requests with bytes replaced, inserted,
 * deleted, lines duplicated and numbers swapped for hostile ones. Whatever the bytes, the parser
 * answers in one of three ways: a head, "not complete yet", or a {@link BadRequestException}
 * (which the engine turns into a 4xx naming the rule). Any other exception would reach the
 * client as a dropped connection or a 500. And a head refused early, from its first bytes, must
 * be one that would also be refused whole: the acceptor parses whatever has arrived.
 *
 * <p>The seed is fixed, so a failure prints an input that reproduces it.
 */
class RequestParserFuzzTest {

	private static final String[] SEEDS = {
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /a/b%20c?x=1&y HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n",
		"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2",
		"POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"GET http://example.com/p?q=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nCookie: a=b; c=d\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n\r\n",
		"GET / HTTP/1.1\nHost: x\nUser-Agent: lf\n\n",
	};

	/** Bytes that decide something somewhere in a head. */
	private static final byte[] INTERESTING = " \t\r\n:;,=\"'\\/?#%&*+-.0123456789aZ~\u007f\u0000".getBytes(StandardCharsets.ISO_8859_1);

	private static final String[] NUMBERS = {
		"0", "-1", "+5", "007", "99999999999999999999", "9223372036854775807", "9223372036854775808", "0x10",
		"1 2", "1,1", "1, 2", "", " ", "5\t", "1e3",
	};

	/** The engine's default (every leniency) and the strictest policy, with a body limit. */
	private final RequestParser lenient = Http.parser();

	private final RequestParser strict = new RequestParser(Http.MAX_HEAD, Http.MAX_FIELDS, 1_000_000,
			HttpCompliance.STRICT);

	@Test
	@DisplayName("200,000 mutated heads: a head, not yet, or a named refusal; refused early only if refused whole")
	void mutatedHeads() {
		SplittableRandom random = new SplittableRandom(20261205);
		int accepted = 0;
		int refused = 0;
		Set<Violation> violations = EnumSet.noneOf(Violation.class);
		for (int round = 0; round < 200_000; round++) {
			byte[] input = mutate(SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1), random);
			RequestParser parser = random.nextBoolean() ? this.strict : this.lenient;
			Outcome whole = parse(parser, input, input.length);
			accepted += (whole.headEnd > 0) ? 1 : 0;
			if (whole.refused != null) {
				refused++;
				violations.add(whole.refused);
			}
			int prefix = random.nextInt(input.length + 1);
			Outcome early = parse(parser, input, prefix);
			if (early.refused != null && whole.refused == null) {
				fail("refused from its first %d bytes (%s) but %s whole: %s", prefix, early.refused,
						(whole.headEnd > 0) ? "accepted" : "incomplete", Mutations.literal(input));
			}
			if (early.headEnd > 0 && early.headEnd != whole.headEnd) {
				fail("head ends at %d from its first %d bytes but at %d whole: %s", early.headEnd, prefix,
						whole.headEnd, Mutations.literal(input));
			}
		}
		// the mutations must keep reaching both sides, or this test proves nothing
		assertThat(accepted).isGreaterThan(20_000);
		assertThat(refused).isGreaterThan(20_000);
		assertThat(violations).hasSizeGreaterThan(8);
	}

	private record Outcome(int headEnd, Violation refused) {
	}

	/** Parses {@code input[0, end)}; any exception but a refusal fails the test. */
	private static Outcome parse(RequestParser parser, byte[] input, int end) {
		RequestHead head = new RequestHead();
		try {
			int headEnd = parser.parse(input, 0, end, head);
			if (headEnd > 0) {
				assertThat(headEnd).isLessThanOrEqualTo(end);
				// everything the engine and the container read from a head it accepted
				head.method();
				head.target();
				head.path();
				head.query();
				head.protocol();
				head.host();
				head.contentLength();
				head.isChunked();
				head.expectsContinue();
				head.clientWantsKeepAlive();
				head.mustCloseAfterResponse();
				for (int i = 0; i < head.size(); i++) {
					head.name(i);
					head.value(i);
				}
				head.toString();
			}
			return new Outcome(headEnd, null);
		}
		catch (BadRequestException ex) {
			assertThat(ex.violation()).as("a refusal names its rule").isNotNull();
			return new Outcome(-1, ex.violation());
		}
		catch (RuntimeException ex) {
			throw new AssertionError("parsing the first " + end + " bytes threw " + ex + ": " + Mutations.literal(input), ex);
		}
	}

	private static byte[] mutate(byte[] seed, SplittableRandom random) {
		byte[] bytes = seed;
		int mutations = 1 + random.nextInt(4);
		for (int m = 0; m < mutations && bytes.length > 0; m++) {
			bytes = switch (random.nextInt(6)) {
				case 0 -> duplicateLine(bytes, random.nextInt(bytes.length));
				case 1 -> swapNumber(bytes, random);
				default -> Mutations.edited(bytes, INTERESTING, 1, random);
			};
		}
		return bytes;
	}

	/** Repeats the line that holds {@code at} (a second Host, Content-Length, request line...). */
	private static byte[] duplicateLine(byte[] bytes, int at) {
		int start = at;
		while (start > 0 && bytes[start - 1] != '\n') {
			start--;
		}
		int end = at;
		while (end < bytes.length && bytes[end] != '\n') {
			end++;
		}
		if (end == bytes.length) {
			return bytes;
		}
		return Mutations.inserted(bytes, start, Arrays.copyOfRange(bytes, start, end + 1));
	}

	/** Replaces the first run of digits after a random point with a hostile number. */
	private static byte[] swapNumber(byte[] bytes, SplittableRandom random) {
		int from = random.nextInt(bytes.length);
		int start = from;
		while (start < bytes.length && (bytes[start] < '0' || bytes[start] > '9')) {
			start++;
		}
		if (start == bytes.length) {
			return bytes;
		}
		int end = start;
		while (end < bytes.length && bytes[end] >= '0' && bytes[end] <= '9') {
			end++;
		}
		byte[] number = NUMBERS[random.nextInt(NUMBERS.length)].getBytes(StandardCharsets.ISO_8859_1);
		return Mutations.inserted(Mutations.deleted(bytes, start, end - start), start, number);
	}

}
