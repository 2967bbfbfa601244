package io.starlet.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.starlet.http.Http.Eol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Where one request ends and the next begins (RFC 9112 §6.3), decided from one byte stream by
 * the parser and the framing streams together, as the engine does: the smuggling classes are
 * about exactly this boundary.
 */
class MessageFramingTest {

	private final RequestParser parser = Http.parser();

	/** The requests in a byte stream: "METHOD target body" each, until the stream ends. */
	private List<String> frame(byte[] bytes) throws IOException {
		List<String> requests = new ArrayList<>();
		int pos = 0;
		while (pos < bytes.length) {
			RequestHead head = new RequestHead();
			int headEnd = this.parser.parse(bytes, pos, bytes.length, head);
			assertThat(headEnd).as("complete head at %d", pos).isPositive();
			ByteArrayInputStream rest = new ByteArrayInputStream(bytes, headEnd, bytes.length - headEnd);
			InputStream body = head.isChunked() ? new ChunkedInputStream(rest, 1024)
					: new FixedLengthInputStream(rest, head.contentLength());
			String content = new String(body.readAllBytes(), StandardCharsets.ISO_8859_1);
			requests.add(head.method() + " " + head.target() + " " + content);
			pos = bytes.length - rest.available();
			if (head.mustCloseAfterResponse()) {
				requests.add("<close>");
				break;
			}
		}
		return requests;
	}

	@ParameterizedTest(name = "RFC 9112 §6.3 (6): a GET with a body (CL.0) is framed by its length [{0}]")
	@EnumSource(value = Eol.class, names = { "CRLF", "LF" })
	void getWithABody(Eol eol) throws IOException {
		String body = new String(eol.apply("GET /smuggled HTTP/1.1\nHost: x\n\n"), StandardCharsets.ISO_8859_1);
		byte[] bytes = (new String(eol.apply("GET /a HTTP/1.1\nHost: x\nContent-Length: " + body.length() + "\n\n"),
				StandardCharsets.ISO_8859_1) + body + new String(eol.apply("GET /b HTTP/1.1\nHost: x\n\n"), StandardCharsets.ISO_8859_1))
			.getBytes(StandardCharsets.ISO_8859_1);
		assertThat(frame(bytes)).containsExactly("GET /a " + body, "GET /b ");
	}

	@ParameterizedTest(name = "RFC 9112 §6.3 (7): no length and no chunked means no body [{0}]")
	@EnumSource(value = Eol.class, names = { "CRLF", "LF" })
	void noLengthMeansNoBody(Eol eol) throws IOException {
		byte[] bytes = eol.apply("POST /a HTTP/1.1\nHost: x\n\nGET /b HTTP/1.1\nHost: x\n\n");
		assertThat(frame(bytes)).containsExactly("POST /a ", "GET /b ");
	}

	@ParameterizedTest(name = "RFC 9112 §6.3 (3): TE.CL: chunked frames the body and the connection ends [{0}]")
	@EnumSource(value = Eol.class, names = { "CRLF", "LF" })
	void transferEncodingWinsOverContentLength(Eol eol) throws IOException {
		String head = new String(eol.apply("POST /a HTTP/1.1\nHost: x\nContent-Length: 4\nTransfer-Encoding: chunked\n\n"),
				StandardCharsets.ISO_8859_1);
		byte[] bytes = (head + "5\r\nhello\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
		// A length-framed reading would stop after "5\r\nh"; chunked reads "hello", then the
		// connection closes so the bytes after it are never taken as a request.
		assertThat(frame(bytes)).containsExactly("POST /a hello", "<close>");
	}

	@ParameterizedTest(name = "RFC 9110 §5.6.2: Content_Length and Transfer_Encoding do not frame [{0}]")
	@EnumSource(value = Eol.class, names = { "CRLF", "LF" })
	void underscoreFieldsDoNotFrame(Eol eol) throws IOException {
		byte[] bytes = eol.apply("POST /a HTTP/1.1\nHost: x\nContent_Length: 25\n\nGET /b HTTP/1.1\nHost: x\n\n");
		assertThat(frame(bytes)).containsExactly("POST /a ", "GET /b ");
	}

	@ParameterizedTest(name = "RFC 9112 §6.1: a chunked body with extensions and trailers, then the next request [{0}]")
	@EnumSource(value = Eol.class, names = { "CRLF", "LF" })
	void chunkedThenPipelined(Eol eol) throws IOException {
		String head = new String(eol.apply("POST /a HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"), StandardCharsets.ISO_8859_1);
		String next = new String(eol.apply("GET /b HTTP/1.1\nHost: x\n\n"), StandardCharsets.ISO_8859_1);
		byte[] bytes = (head + "3;n=\"v\"\r\nabc\r\n0\r\nX-T: 1\r\n\r\n" + next).getBytes(StandardCharsets.ISO_8859_1);
		assertThat(frame(bytes)).containsExactly("POST /a abc", "GET /b ");
	}

	@ParameterizedTest(name = "RFC 9112 §7.1.1: a chunk extension ending in a bare LF cannot hide a request [{0}]")
	@EnumSource(value = Eol.class, names = { "CRLF", "LF" })
	void chunkExtensionCannotHideARequest(Eol eol) {
		// A lenient front end reads "2;\n" as a line, "xx" as data, then a 45-byte chunk that
		// contains the smuggled request; a decoder that took LF would see a second request here.
		String head = new String(eol.apply("POST /a HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"), StandardCharsets.ISO_8859_1);
		byte[] bytes = (head + "2;\nxx\r\n45\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n0\r\n\r\n")
			.getBytes(StandardCharsets.ISO_8859_1);
		BadRequestException ex = catchThrowableOfType(() -> frame(bytes), BadRequestException.class);
		assertThat(ex.status()).isEqualTo(400);
	}

	@DisplayName("RFC 9112 §6.3 (5): a body shorter than its Content-Length is an error, not the next request")
	@ParameterizedTest(name = "[{0}]")
	@EnumSource(value = Eol.class, names = { "CRLF", "LF" })
	void truncatedLengthBody(Eol eol) {
		byte[] bytes = eol.apply("POST /a HTTP/1.1\nHost: x\nContent-Length: 10\n\nshort");
		assertThat(catchThrowableOfType(() -> frame(bytes), IOException.class)).hasMessageContaining("missing");
	}

}
