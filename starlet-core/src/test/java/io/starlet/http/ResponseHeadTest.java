package io.starlet.http;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The response head writer: framing owned by the engine, no header injection. */
class ResponseHeadTest {

	private final ResponseHead head = new ResponseHead();

	private String format(HttpFields fields, String server, long contentLength, boolean chunked, boolean close,
			boolean keepAlive) {
		this.head.format(200, fields, server, contentLength, chunked, close, keepAlive);
		return new String(this.head.bytes(), 0, this.head.length(), StandardCharsets.ISO_8859_1);
	}

	@Test
	@DisplayName("RFC 9112 §6.2: the handler's framing fields are dropped; one framing is chosen by the engine")
	void neverBothContentLengthAndTransferEncoding() {
		HttpFields fields = new HttpFields().add("Content-Length", "99")
			.add("Transfer-Encoding", "chunked")
			.add("Connection", "keep-alive")
			.add("Keep-Alive", "timeout=5")
			.add("X-App", "1");
		String lengthFramed = format(fields, null, 5, false, false, false);
		assertThat(lengthFramed).contains("\r\nContent-Length: 5\r\n")
			.doesNotContain("Transfer-Encoding")
			.doesNotContain("99")
			.doesNotContain("Connection")
			.doesNotContain("Keep-Alive")
			.contains("\r\nX-App: 1\r\n")
			.endsWith("\r\n\r\n");
		String chunked = format(fields, null, -1, true, true, false);
		assertThat(chunked).contains("\r\nTransfer-Encoding: chunked\r\n")
			.doesNotContain("Content-Length")
			.contains("\r\nConnection: close\r\n");
	}

	@Test
	@DisplayName("RFC 9112 §4: status line is HTTP/1.1 with the reason phrase")
	void statusLine() {
		this.head.format(404, new HttpFields(), null, 0, false, false, true);
		String text = new String(this.head.bytes(), 0, this.head.length(), StandardCharsets.ISO_8859_1);
		assertThat(text).startsWith("HTTP/1.1 404 Not Found\r\n").contains("\r\nConnection: keep-alive\r\n");
	}

	@Test
	@DisplayName("RFC 9110 §5.5: CR, LF and NUL in a handler's value cannot split the response")
	void noHeaderInjection() {
		HttpFields fields = new HttpFields().add("X-A", "a\r\nSet-Cookie: evil=1")
			.add("X-B", "b\u0000c")
			.add("Bad Name", "v")
			.add("X-\u00e9", "v")
			.add("", "v")
			.add("X-C", "\u20ac");
		String text = format(fields, null, 0, false, false, false);
		assertThat(text).doesNotContain("\r\nSet-Cookie")
			.contains("\r\nX-A: a  Set-Cookie: evil=1\r\n")
			.contains("\r\nX-B: b c\r\n")
			.doesNotContain("Bad Name")
			.doesNotContain("X-\u00e9")
			.doesNotContain("\r\n: v")
			.contains("\r\nX-C: ?\r\n");
	}

	@Test
	@DisplayName("RFC 9110 §6.6.1, §10.2.4: Date always, Server only when configured, the handler's own kept")
	void dateAndServer() {
		assertThat(format(new HttpFields(), null, 0, false, false, false)).containsPattern("\r\nDate: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n")
			.doesNotContain("Server");
		assertThat(format(new HttpFields(), "Starlet", 0, false, false, false)).contains("\r\nServer: Starlet\r\n");
		String own = format(new HttpFields().add("Date", "Thu, 01 Jan 1970 00:00:00 GMT").add("Server", "app"), "Starlet", 0,
				false, false, false);
		assertThat(own.split("\r\nDate: ", -1)).hasSize(2);
		assertThat(own).contains("\r\nServer: app\r\n").doesNotContain("Starlet");
	}

	@Test
	@DisplayName("Engine error responses: plain text, Content-Length, Connection: close, no stack trace")
	void plainErrorResponse() {
		String text = new String(ResponseHead.plain(431, "header section too large", true, null), StandardCharsets.ISO_8859_1);
		assertThat(text).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n")
			.contains("\r\nConnection: close\r\n")
			.contains("\r\nContent-Type: text/plain")
			.endsWith("\r\n\r\n431 Request Header Fields Too Large: header section too large\n");
		String body = text.substring(text.indexOf("\r\n\r\n") + 4);
		assertThat(text).contains("\r\nContent-Length: " + body.length() + "\r\n");
	}

}
