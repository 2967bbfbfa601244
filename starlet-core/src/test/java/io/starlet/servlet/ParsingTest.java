package io.starlet.servlet;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import jakarta.servlet.http.Cookie;

import static org.assertj.core.api.Assertions.assertThat;

/** The small parsers behind the request: paths, cookies, header parameters, forwarded values. */
class ParsingTest {

	@ParameterizedTest
	@CsvSource(nullValues = "null", value = { "/a/b, /a/b", "/a//b, /a/b", "/a/./b, /a/b", "/a/b/.., /a/", "/a/../b, /b",
			"/%61%62, /ab", "'/caf%C3%A9', '/café'", "'/a;x=1/b;y', /a/b", "/.., null", "/a/../.., null",
			"/a%2Fb, null", "/a%5Cb, null", "/a%00, null", "/a%zz, null", "/a%2, null", "a/b, null", "'', null",
			"/a/%2e%2e/b, null" })
	void requestPathsDecodeAndNormalise(String raw, String expected) {
		assertThat(RequestPath.decode(raw)).isEqualTo(expected);
	}

	@Test
	void sessionIdPathParameter() {
		assertThat(RequestPath.sessionIdParameter("/a;jsessionid=abc/b")).isEqualTo("abc");
		assertThat(RequestPath.sessionIdParameter("/a;JSESSIONID=abc;x=1")).isEqualTo("abc");
		assertThat(RequestPath.sessionIdParameter("/a")).isNull();
	}

	@Test
	void cookieHeadersParseLeniently() {
		List<Cookie> cookies = Cookies.parse(List.of("a=1; b=\"two\"; $Version=1; bad; =x; c=; d=x=y",
				"e=\"open;f=6", "g=7"));
		assertThat(cookies).extracting(Cookie::getName).containsExactly("a", "b", "c", "d", "f", "g");
		assertThat(cookies).extracting(Cookie::getValue).containsExactly("1", "two", "", "x=y", "6", "7");
	}

	@Test
	void headerParameters() {
		assertThat(HeaderValues.parameter("text/html; charset=UTF-8", "charset")).isEqualTo("UTF-8");
		assertThat(HeaderValues.parameter("text/html;Charset=\"utf-8\"", "charset")).isEqualTo("utf-8");
		assertThat(HeaderValues.parameter("multipart/form-data; boundary=\"a;b\"; x=1", "boundary")).isEqualTo("a;b");
		assertThat(HeaderValues.parameter("text/plain", "charset")).isNull();
		assertThat(HeaderValues.mediaType(" Text/HTML ; charset=x")).isEqualTo("text/html");
	}

	@Test
	void acceptEncodingAndLanguage() {
		assertThat(HeaderValues.acceptsEncoding(List.of("gzip, deflate, br"), "gzip")).isTrue();
		assertThat(HeaderValues.acceptsEncoding(List.of("GZIP;q=0.5"), "gzip")).isTrue();
		assertThat(HeaderValues.acceptsEncoding(List.of("gzip;q=0"), "gzip")).isFalse();
		assertThat(HeaderValues.acceptsEncoding(List.of("*"), "gzip")).isTrue();
		assertThat(HeaderValues.acceptsEncoding(List.of("*;q=0, identity"), "gzip")).isFalse();
		assertThat(HeaderValues.acceptsEncoding(List.of(), "gzip")).isFalse();
		assertThat(HeaderValues.acceptLanguage(List.of("da, en-GB;q=0.8, en;q=0.7, *;q=0.1, xx;q=bad")))
			.containsExactly(Locale.forLanguageTag("da"), Locale.forLanguageTag("en-GB"), Locale.ENGLISH);
	}

	@Test
	void urlEncodedForms() {
		assertThat(UrlEncoded.parse("a=1&a=2&b=x+y%21&c&=skip&d=%E2%82%AC&e=%4", StandardCharsets.UTF_8))
			.containsExactly(java.util.Map.entry("a", List.of("1", "2")), java.util.Map.entry("b", List.of("x y!")),
					java.util.Map.entry("c", List.of("")), java.util.Map.entry("d", List.of("€")),
					java.util.Map.entry("e", List.of("%4")));
	}

	@Test
	void forwardedValues() {
		assertThat(ForwardedHeaders.splitHostPort("example.com:8443")).containsExactly("example.com", "8443");
		assertThat(ForwardedHeaders.splitHostPort("[::1]:80")).containsExactly("[::1]", "80");
		assertThat(ForwardedHeaders.splitHostPort("[::1]")).containsExactly("[::1]", null);
		assertThat(ForwardedHeaders.splitHostPort("2001:db8::1")).containsExactly("2001:db8::1", null);
		assertThat(ForwardedHeaders.literalAddress("example.com")).isNull();
		assertThat(ForwardedHeaders.literalAddress("10.0.0.1")).isNotNull();
		assertThat(ForwardedHeaders.parseForwarded(List.of("for=\"_hidden\";proto=https, for=1.2.3.4")))
			.hasSize(2)
			.first()
			.satisfies((pairs) -> assertThat(pairs).containsExactly("for", "_hidden", "proto", "https"));
	}

	@Test
	void httpDates() {
		assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT")).isEqualTo(784111777000L);
		assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT")).isEqualTo(784111777000L);
		assertThat(HttpDates.parse("Sun Nov  6 08:49:37 1994")).isEqualTo(784111777000L);
		assertThat(HttpDates.parse("yesterday")).isEqualTo(-1);
		assertThat(HttpDates.format(784111777000L)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
	}

}
