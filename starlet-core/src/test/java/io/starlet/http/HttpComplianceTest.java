package io.starlet.http;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.starlet.http.Http.Eol;
import io.starlet.http.HttpCompliance.Leniency;

import static io.starlet.http.HttpCompliance.Leniency.BARE_LF_IN_HEAD;
import static io.starlet.http.HttpCompliance.Leniency.EQUAL_CONTENT_LENGTHS;
import static io.starlet.http.HttpCompliance.Leniency.TRANSFER_ENCODING_WITH_CONTENT_LENGTH;
import static io.starlet.http.HttpCompliance.Leniency.UNSAFE_TARGET_CHARACTERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The compliance policy, one leniency at a time, through the parser (no I/O): each request is
 * accepted by a policy granting only that leniency and refused, with the named violation, by the
 * same policy without it. Requests whose leniency is not about line ends run with CRLF and with
 * bare LF (the LF variant with {@link Leniency#BARE_LF_IN_HEAD} granted too, as it must be for
 * LF to parse at all).
 */
class HttpComplianceTest {

	static Stream<Arguments> leniencies() {
		return Stream.of(
				Arguments.of(EQUAL_CONTENT_LENGTHS, "a list of equal values",
						"POST / HTTP/1.1\nHost: x\nContent-Length: 3, 3\n\n", Violation.INVALID_CONTENT_LENGTH),
				Arguments.of(EQUAL_CONTENT_LENGTHS, "two fields with equal values",
						"POST / HTTP/1.1\nHost: x\nContent-Length: 3\nContent-Length: 3\n\n", Violation.INVALID_CONTENT_LENGTH),
				Arguments.of(TRANSFER_ENCODING_WITH_CONTENT_LENGTH, "chunked then close",
						"POST / HTTP/1.1\nHost: x\nContent-Length: 3\nTransfer-Encoding: chunked\n\n",
						Violation.INVALID_CONTENT_LENGTH),
				Arguments.of(UNSAFE_TARGET_CHARACTERS, "'{', '|' and '\"' in the target",
						"GET /a{b}|c\"d HTTP/1.1\nHost: x\n\n", Violation.INVALID_TARGET),
				Arguments.of(UNSAFE_TARGET_CHARACTERS, "'^' and '`' in the query",
						"GET /a?b=^` HTTP/1.1\nHost: x\n\n", Violation.INVALID_TARGET),
				Arguments.of(UNSAFE_TARGET_CHARACTERS, "'[' and ']' in the path and the query",
						"GET /a[0]?b[]=1 HTTP/1.1\nHost: x\n\n", Violation.INVALID_TARGET));
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("leniencies")
	void grantedAcceptsAndWithheldRefusesWithCrlf(Leniency leniency, String what, String request, Violation violation)
			throws BadRequestException {
		byte[] crlf = Eol.CRLF.apply(request);
		assertThat(Http.parse(parser(HttpCompliance.of(leniency)), crlf)).isNotNull();
		assertThat(Http.violation(parser(HttpCompliance.STRICT), crlf)).isEqualTo(violation);
		assertThat(Http.violation(parser(HttpCompliance.DEFAULT.without(leniency)), crlf)).isEqualTo(violation);
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("leniencies")
	void grantedAcceptsAndWithheldRefusesWithBareLf(Leniency leniency, String what, String request, Violation violation)
			throws BadRequestException {
		byte[] lf = Eol.LF.apply(request);
		assertThat(Http.parse(parser(HttpCompliance.of(leniency, BARE_LF_IN_HEAD)), lf)).isNotNull();
		assertThat(Http.violation(parser(HttpCompliance.of(BARE_LF_IN_HEAD)), lf)).isEqualTo(violation);
	}

	@ParameterizedTest(name = "RFC 3986 §3.3: '\\' is refused in every policy, the target leniency granted or not [{0}]")
	@MethodSource("io.starlet.http.RequestParserTest#lineEnds")
	void backslashIsRefusedInEveryPolicy(Eol eol) {
		HttpCompliance[] policies = { HttpCompliance.DEFAULT, HttpCompliance.STRICT.with(BARE_LF_IN_HEAD),
				HttpCompliance.of(UNSAFE_TARGET_CHARACTERS, BARE_LF_IN_HEAD),
				HttpCompliance.DEFAULT.with(UNSAFE_TARGET_CHARACTERS) };
		for (HttpCompliance policy : policies) {
			for (String target : new String[] { "/a\\b", "/a?b=\\", "/a%5C\\", "http://h/\\" }) {
				assertThat(Http.violation(parser(policy), eol.apply("GET " + target + " HTTP/1.1\nHost: h\n\n")))
					.as("%s %s", policy, target)
					.isEqualTo(Violation.INVALID_TARGET);
			}
		}
	}

	@Test
	@DisplayName("RFC 9112 §6.3: granted, Transfer-Encoding with Content-Length reads chunked and closes after")
	void transferEncodingWithContentLengthClosesAfterTheResponse() throws BadRequestException {
		RequestHead head = Http.parse(parser(HttpCompliance.of(TRANSFER_ENCODING_WITH_CONTENT_LENGTH)),
				Eol.CRLF.apply("POST / HTTP/1.1\nHost: x\nContent-Length: 3\nTransfer-Encoding: chunked\n\n"));
		assertThat(head.isChunked()).isTrue();
		assertThat(head.contentLength()).isEqualTo(-1);
		assertThat(head.mustCloseAfterResponse()).isTrue();
	}

	@Test
	@DisplayName("RFC 9110 §8.6: granted, equal Content-Length values fold to one")
	void equalContentLengthsFold() throws BadRequestException {
		RequestHead head = Http.parse(parser(HttpCompliance.of(EQUAL_CONTENT_LENGTHS)),
				Eol.CRLF.apply("POST / HTTP/1.1\nHost: x\nContent-Length: 3, 3\nContent-Length: 3\n\n"));
		assertThat(head.contentLength()).isEqualTo(3);
		assertThat(Http.violation(parser(HttpCompliance.DEFAULT),
				Eol.CRLF.apply("POST / HTTP/1.1\nHost: x\nContent-Length: 3, 4\n\n")))
			.as("different values, in any policy").isEqualTo(Violation.INVALID_CONTENT_LENGTH);
	}

	static Stream<Arguments> bareLineFeeds() {
		return Stream.of(
				Arguments.of("every line", "GET / HTTP/1.1\nHost: x\n\n"),
				Arguments.of("the request line only", "GET / HTTP/1.1\nHost: x\r\n\r\n"),
				Arguments.of("one field line", "GET / HTTP/1.1\r\nHost: x\nA: b\r\n\r\n"),
				Arguments.of("the empty line only", "GET / HTTP/1.1\r\nHost: x\r\n\n"));
	}

	@ParameterizedTest(name = "RFC 9112 §2.2: bare LF ending {0}")
	@MethodSource("bareLineFeeds")
	void bareLineFeedIsTheLeniencysAlone(String where, String request) throws BadRequestException {
		byte[] bytes = Eol.RAW.apply(request);
		assertThat(Http.parse(parser(HttpCompliance.of(BARE_LF_IN_HEAD)), bytes).host()).isEqualTo("x");
		assertThat(Http.violation(parser(HttpCompliance.STRICT), bytes)).isEqualTo(Violation.INVALID_CHARACTER);
		assertThat(Http.violation(parser(HttpCompliance.DEFAULT.without(BARE_LF_IN_HEAD)), bytes))
			.isEqualTo(Violation.INVALID_CHARACTER);
	}

	@Test
	@DisplayName("Strict still accepts CRLF heads, and refuses a bare LF before the head is complete")
	void strictAcceptsCrlfAndRefusesBareLfEarly() throws BadRequestException {
		RequestParser strict = parser(HttpCompliance.STRICT);
		assertThat(Http.parse(strict, Eol.CRLF.apply("GET /a%20b?c=d HTTP/1.1\nHost: x\nA: b\n\n")).path())
			.isEqualTo("/a%20b");
		byte[] partial = "GET / HTTP/1.1\nHost".getBytes(StandardCharsets.ISO_8859_1);
		assertThat(Http.violation(strict, partial)).isEqualTo(Violation.INVALID_CHARACTER);
	}

	@Test
	@DisplayName("The default grants every leniency Starlet has always granted; each names its RFC section and why")
	void defaultPolicy() {
		assertThat(HttpCompliance.DEFAULT.leniencies()).containsExactlyInAnyOrder(Leniency.values());
		assertThat(HttpCompliance.STRICT.leniencies()).isEmpty();
		assertThat(HttpCompliance.STRICT.with(BARE_LF_IN_HEAD)).isEqualTo(HttpCompliance.of(BARE_LF_IN_HEAD));
		assertThat(HttpCompliance.DEFAULT.without(BARE_LF_IN_HEAD).allows(BARE_LF_IN_HEAD)).isFalse();
		assertThat(HttpCompliance.DEFAULT.without(BARE_LF_IN_HEAD).allows(EQUAL_CONTENT_LENGTHS)).isTrue();
		for (Leniency leniency : Leniency.values()) {
			assertThat(leniency.rule()).as(leniency.name()).startsWith("RFC ");
			assertThat(leniency.why()).as(leniency.name()).isNotBlank();
		}
		assertThat(io.starlet.StarletConfig.builder().build().httpCompliance()).isEqualTo(HttpCompliance.DEFAULT);
		assertThatThrownBy(() -> HttpCompliance.STRICT.leniencies().add(BARE_LF_IN_HEAD))
			.isInstanceOf(UnsupportedOperationException.class);
	}

	@Test
	@DisplayName("Violations are of four kinds: protocol, limit (413, 414, 431), timeout (408, 503) and server (500)")
	void violationKinds() {
		for (Violation v : Violation.values()) {
			Violation.Kind expected = switch (v.status()) {
				case 413, 414, 431 -> Violation.Kind.LIMIT;
				case 408, 503 -> Violation.Kind.TIMEOUT;
				case 500 -> Violation.Kind.SERVER;
				default -> Violation.Kind.PROTOCOL;
			};
			assertThat(v.kind()).as(v.name()).isEqualTo(expected);
		}
	}

	private static RequestParser parser(HttpCompliance compliance) {
		return new RequestParser(Http.MAX_HEAD, Http.MAX_FIELDS, -1, compliance);
	}

}
