package io.starlet.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Test support: builds requests from text (written with {@code \n} line ends and run with both
 * CRLF and bare LF where RFC 9112 §2.2 allows both), parses them and frames their bodies.
 */
final class Http {

	static final int MAX_HEAD = 8192;

	static final int MAX_FIELDS = 100;

	private Http() {
	}

	/** How a case's {@code \n} line ends go on the wire. */
	enum Eol {

		/** CRLF, the line terminator of RFC 9112 §2.1. */
		CRLF,
		/** A bare LF, which RFC 9112 §2.2 lets a recipient accept in the head. */
		LF,
		/** The text exactly as written: the case is about a particular line ending. */
		RAW;

		byte[] apply(String text) {
			String wire = (this == CRLF) ? text.replace("\n", "\r\n") : text;
			return wire.getBytes(StandardCharsets.ISO_8859_1);
		}

	}

	static RequestParser parser() {
		return new RequestParser(MAX_HEAD, MAX_FIELDS, -1);
	}

	/** Parses a complete head; fails the test if it is incomplete. */
	static RequestHead parse(RequestParser parser, byte[] bytes) throws BadRequestException {
		RequestHead head = new RequestHead();
		int end = parser.parse(bytes, 0, bytes.length, head);
		assertThat(end).as("head complete").isPositive();
		return head;
	}

	/** The violation a request is refused with; fails the test if it is accepted. */
	static Violation violation(RequestParser parser, byte[] bytes) {
		BadRequestException ex = catchThrowableOfType(() -> parser.parse(bytes, 0, bytes.length, new RequestHead()),
				BadRequestException.class);
		assertThat(ex).as("refused").isNotNull();
		assertThat(ex.getMessage()).isNotBlank();
		return ex.violation();
	}

	/** A case accepted with both CRLF and LF line ends. */
	static Stream<Arguments> accepted(String rule, String request, Consumer<RequestHead> check) {
		return Stream.of(Eol.CRLF, Eol.LF).map((eol) -> Arguments.of(rule, eol, request, check));
	}

	/** A case refused with both CRLF and LF line ends. */
	static Stream<Arguments> refused(String rule, String request, Violation violation) {
		return Stream.of(Eol.CRLF, Eol.LF).map((eol) -> Arguments.of(rule, eol, request, violation));
	}

	/** A case refused exactly as written (it is about CR or LF itself). */
	static Stream<Arguments> refusedRaw(String rule, String request, Violation violation) {
		return Stream.of(Arguments.of(rule, Eol.RAW, request, violation));
	}

	@SafeVarargs
	static Stream<Arguments> all(Stream<Arguments>... cases) {
		List<Arguments> all = new ArrayList<>();
		for (Stream<Arguments> c : cases) {
			c.forEach(all::add);
		}
		return all.stream();
	}

	static String repeat(String s, int n) {
		return s.repeat(n);
	}

}
