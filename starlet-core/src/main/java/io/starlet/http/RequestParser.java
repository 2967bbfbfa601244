package io.starlet.http;

import java.nio.charset.StandardCharsets;

/**
 * A strict HTTP/1.1 request-head parser (RFC 9112 §2–§6, RFC 9110 §5). It does no I/O: give it
 * the bytes received so far and it either finds a complete head, asks for more, or names the rule
 * the request breaks ({@link BadRequestException} with a {@link Violation}).
 *
 * <p>What it accepts: a request line of exactly {@code token SP target SP HTTP/1.x}; field lines
 * of {@code token ":" OWS value OWS}; lines ending in CRLF or a bare LF (RFC 9112 §2.2 lets a
 * recipient accept LF; a bare CR is always an error). What it refuses is listed in
 * {@link Violation}. Framing is decided here, once, so no layer above can disagree about where a
 * request ends: {@code Content-Length} is digits only (equal repeated values fold),
 * {@code Transfer-Encoding} must end in {@code chunked}, both together mean chunked and a close
 * after the response, and {@code Transfer-Encoding} in HTTP/1.0 is refused.
 *
 * <p>Thread-confined: one parser per acceptor or worker.
 */
public final class RequestParser {

	private static final byte[] TCHAR = new byte[256];

	private static final byte[] TARGET_CHAR = new byte[256];

	private static final byte[] HOST_CHAR = new byte[256];

	static {
		for (int c = 'a'; c <= 'z'; c++) {
			TCHAR[c] = 1;
		}
		for (int c = 'A'; c <= 'Z'; c++) {
			TCHAR[c] = 1;
		}
		for (int c = '0'; c <= '9'; c++) {
			TCHAR[c] = 1;
		}
		for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
			TCHAR[c] = 1;
		}
		// Any visible ASCII except '#': proxies pass '{', '|' and friends through, and refusing
		// them breaks real clients, but a fragment never belongs in a request target.
		for (int c = 0x21; c <= 0x7e; c++) {
			TARGET_CHAR[c] = 1;
		}
		TARGET_CHAR['#'] = 0;
		// RFC 3986 host (reg-name / IPv4 / IP-literal) and port.
		for (int c = 0; c < 256; c++) {
			HOST_CHAR[c] = (byte) ((TCHAR[c] != 0 && c != '^' && c != '`' && c != '|' && c != '#') ? 1 : 0);
		}
		for (char c : "()*,;=:[]@".toCharArray()) {
			HOST_CHAR[c] = 1;
		}
	}

	private final int maxHeadSize;

	private final int maxFields;

	private final long maxContentLength;

	/**
	 * @param maxHeadSize most bytes of request line plus fields (431 beyond; 414 when the request
	 * line alone does not fit)
	 * @param maxFields most field lines (431 beyond)
	 * @param maxContentLength a larger declared {@code Content-Length} gets 413; -1 for no limit
	 */
	public RequestParser(int maxHeadSize, int maxFields, long maxContentLength) {
		this.maxHeadSize = maxHeadSize;
		this.maxFields = maxFields;
		this.maxContentLength = maxContentLength;
	}

	public int maxHeadSize() {
		return this.maxHeadSize;
	}

	/**
	 * Parses the head at {@code buf[start, end)}.
	 * @return the index just past the head (the body starts there), or -1 when the head is not
	 * complete yet and may still fit
	 * @throws BadRequestException when the bytes can never become an acceptable request
	 */
	public int parse(byte[] buf, int start, int end, RequestHead head) throws BadRequestException {
		int headEnd = findHeadEnd(buf, start, end);
		if (headEnd < 0) {
			return -1;
		}
		if (headEnd - start > this.maxHeadSize) {
			throw tooLarge(buf, start, end);
		}
		head.reset(buf);
		head.headLength = headEnd - start;
		int pos = parseRequestLine(buf, start, headEnd, head);
		parseFields(buf, pos, headEnd, head);
		applyFraming(buf, head);
		return headEnd;
	}

	/** Index after the empty line that ends the head, or -1; throws when the limit is passed. */
	private int findHeadEnd(byte[] buf, int start, int end) throws BadRequestException {
		int limit = Math.min(end, start + this.maxHeadSize + 2);
		int lineStart = start;
		for (int i = start; i < limit; i++) {
			if (buf[i] == '\n') {
				int lineLength = i - lineStart;
				if (lineLength == 0 || (lineLength == 1 && buf[lineStart] == '\r')) {
					if (lineStart == start) {
						// RFC 9112 §2.2 lets a server skip empty lines before the request line, but
						// a robust server has no reason to: they only appear in smuggling attempts.
						throw new BadRequestException(Violation.MALFORMED_REQUEST_LINE, "empty request line");
					}
					return i + 1;
				}
				lineStart = i + 1;
			}
		}
		if (end - start > this.maxHeadSize) {
			throw tooLarge(buf, start, end);
		}
		return -1;
	}

	private BadRequestException tooLarge(byte[] buf, int start, int end) {
		for (int i = start; i < Math.min(end, start + this.maxHeadSize); i++) {
			if (buf[i] == '\n') {
				return new BadRequestException(Violation.HEADERS_TOO_LARGE,
						"request header section larger than " + this.maxHeadSize + " bytes");
			}
		}
		return new BadRequestException(Violation.TARGET_TOO_LONG,
				"request line longer than " + this.maxHeadSize + " bytes");
	}

	private int parseRequestLine(byte[] buf, int start, int headEnd, RequestHead head) throws BadRequestException {
		int i = start;
		while (TCHAR[buf[i] & 0xff] != 0) {
			i++;
		}
		if (i == start) {
			throw new BadRequestException(Violation.INVALID_METHOD, "request line does not start with a method");
		}
		if (buf[i] != ' ') {
			throw (buf[i] == '\r' || buf[i] == '\n' || buf[i] == '\t')
					? new BadRequestException(Violation.MALFORMED_REQUEST_LINE, "request line is not 'method target version'")
					: new BadRequestException(Violation.INVALID_METHOD, "method is not a token");
		}
		head.method = method(buf, start, i);
		int targetStart = ++i;
		while (TARGET_CHAR[buf[i] & 0xff] != 0) {
			i++;
		}
		int targetEnd = i;
		if (buf[i] != ' ' || targetEnd == targetStart) {
			if (buf[i] == '\r' || buf[i] == '\n') {
				throw new BadRequestException(Violation.MALFORMED_REQUEST_LINE, "request line has no version (HTTP/0.9 is not supported)");
			}
			throw new BadRequestException((targetEnd == targetStart) ? Violation.MALFORMED_REQUEST_LINE : Violation.INVALID_TARGET,
					(targetEnd == targetStart) ? "request line has no target, or two spaces" : "request target contains a byte that is not allowed");
		}
		i++;
		if (i + 8 > headEnd) {
			throw new BadRequestException(Violation.INVALID_VERSION, "the version is not HTTP/1.0 or HTTP/1.1");
		}
		i = parseVersion(buf, i, head);
		if (buf[i] == '\r') {
			i++;
		}
		if (buf[i] != '\n') {
			throw new BadRequestException(Violation.MALFORMED_REQUEST_LINE, "unexpected bytes after the HTTP version");
		}
		parseTarget(buf, targetStart, targetEnd, head);
		return i + 1;
	}

	private static int parseVersion(byte[] buf, int i, RequestHead head) throws BadRequestException {
		if (buf[i] == 'H' && buf[i + 1] == 'T' && buf[i + 2] == 'T' && buf[i + 3] == 'P' && buf[i + 4] == '/'
				&& isDigit(buf[i + 5]) && buf[i + 6] == '.' && isDigit(buf[i + 7])) {
			int major = buf[i + 5] - '0';
			int minor = buf[i + 7] - '0';
			if (major == 1 && (minor == 0 || minor == 1)) {
				head.minorVersion = minor;
				return i + 8;
			}
			if (major == 1) {
				throw new BadRequestException(Violation.UNSUPPORTED_VERSION, "HTTP/1." + minor + " is not supported");
			}
		}
		throw new BadRequestException(Violation.INVALID_VERSION, "the version is not HTTP/1.0 or HTTP/1.1");
	}

	private static void parseTarget(byte[] buf, int start, int end, RequestHead head) throws BadRequestException {
		String target = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
		head.target = target;
		String method = head.method;
		if (buf[start] == '/') {
			splitPathAndQuery(target, 0, head);
			return;
		}
		if (target.equals("*")) {
			if (!method.equals("OPTIONS")) {
				throw new BadRequestException(Violation.INVALID_TARGET, "asterisk form is only for OPTIONS");
			}
			head.path = "*";
			return;
		}
		if (method.equals("CONNECT")) {
			// authority-form; the handler decides what to do with it (a servlet answers 405).
			head.path = target;
			head.host = target;
			return;
		}
		int schemeEnd = target.indexOf("://");
		if (schemeEnd > 0 && isScheme(target.substring(0, schemeEnd))) {
			int authorityStart = schemeEnd + 3;
			int pathStart = authorityStart;
			while (pathStart < target.length() && target.charAt(pathStart) != '/' && target.charAt(pathStart) != '?') {
				pathStart++;
			}
			String authority = target.substring(authorityStart, pathStart);
			if (authority.isEmpty() || authority.indexOf('@') >= 0 || !isHost(authority)) {
				throw new BadRequestException(Violation.INVALID_TARGET, "absolute-form target has an invalid authority");
			}
			head.host = authority;
			if (pathStart == target.length()) {
				head.path = "/";
			}
			else if (target.charAt(pathStart) == '?') {
				head.path = "/";
				head.query = target.substring(pathStart + 1);
			}
			else {
				splitPathAndQuery(target, pathStart, head);
			}
			return;
		}
		throw new BadRequestException(Violation.INVALID_TARGET, "request target is not in origin, absolute, authority or asterisk form");
	}

	private static void splitPathAndQuery(String target, int from, RequestHead head) {
		int q = target.indexOf('?', from);
		if (q < 0) {
			head.path = (from == 0) ? target : target.substring(from);
		}
		else {
			head.path = target.substring(from, q);
			head.query = target.substring(q + 1);
		}
	}

	private static boolean isScheme(String s) {
		return s.equalsIgnoreCase("http") || s.equalsIgnoreCase("https");
	}

	private void parseFields(byte[] buf, int pos, int headEnd, RequestHead head) throws BadRequestException {
		int i = pos;
		while (true) {
			byte b = buf[i];
			if (b == '\r' || b == '\n') {
				// The empty line: findHeadEnd already checked it is CRLF or LF.
				return;
			}
			if (b == ' ' || b == '\t') {
				throw new BadRequestException(Violation.OBS_FOLD,
						(head.fieldCount == 0) ? "whitespace before the first header field" : "obsolete line folding");
			}
			int nameStart = i;
			while (TCHAR[buf[i] & 0xff] != 0) {
				i++;
			}
			int nameEnd = i;
			if (buf[i] != ':') {
				if (buf[i] == ' ' || buf[i] == '\t') {
					throw new BadRequestException(Violation.WHITESPACE_BEFORE_COLON, "whitespace between a field name and its colon");
				}
				if (buf[i] == '\r' || buf[i] == '\n') {
					throw new BadRequestException(Violation.MALFORMED_FIELD, "header line without a colon");
				}
				throw new BadRequestException(Violation.MALFORMED_FIELD, "field name is not a token");
			}
			if (nameEnd == nameStart) {
				throw new BadRequestException(Violation.MALFORMED_FIELD, "empty field name");
			}
			i++;
			while (buf[i] == ' ' || buf[i] == '\t') {
				i++;
			}
			int valueStart = i;
			int valueEnd = i;
			while (true) {
				int c = buf[i] & 0xff;
				if (c >= 0x20 && c != 0x7f) {
					if (c != ' ') {
						valueEnd = i + 1;
					}
				}
				else if (c == '\t') {
					// whitespace: part of the value only if something follows
				}
				else if (c == '\r') {
					if (buf[i + 1] != '\n') {
						throw new BadRequestException(Violation.INVALID_CHARACTER, "CR not followed by LF");
					}
					i++;
					break;
				}
				else if (c == '\n') {
					break;
				}
				else {
					throw new BadRequestException(Violation.INVALID_CHARACTER, "control character in a field value");
				}
				i++;
			}
			i++;
			if (head.fieldCount == this.maxFields) {
				throw new BadRequestException(Violation.TOO_MANY_FIELDS, "more than " + this.maxFields + " header fields");
			}
			head.addField(nameStart, nameEnd, valueStart, valueEnd);
		}
	}

	private void applyFraming(byte[] buf, RequestHead head) throws BadRequestException {
		int[] o = head.offsets;
		long contentLength = -1;
		boolean transferEncoding = false;
		int hosts = 0;
		for (int f = 0; f < head.fieldCount; f++) {
			int ns = o[4 * f];
			int nameLength = o[4 * f + 1] - ns;
			int vs = o[4 * f + 2];
			int ve = o[4 * f + 3];
			switch (nameLength) {
				case 4 -> {
					if (nameIs(buf, ns, "host")) {
						hosts++;
						String host = new String(buf, vs, ve - vs, StandardCharsets.ISO_8859_1);
						if (!host.isEmpty() && !isHost(host)) {
							throw new BadRequestException(Violation.INVALID_HOST, "invalid Host header");
						}
						if (head.host == null) {
							head.host = host;
						}
					}
				}
				case 6 -> {
					if (nameIs(buf, ns, "expect")) {
						if (equalsIgnoreCase(buf, vs, ve, "100-continue")) {
							head.expectContinue = head.minorVersion == 1;
						}
						else if (head.minorVersion == 1) {
							throw new BadRequestException(Violation.UNKNOWN_EXPECTATION, "only 'Expect: 100-continue' is supported");
						}
					}
				}
				case 10 -> {
					if (nameIs(buf, ns, "connection")) {
						parseConnection(buf, vs, ve, head);
					}
				}
				case 14 -> {
					if (nameIs(buf, ns, "content-length")) {
						long value = parseContentLength(buf, vs, ve);
						if (contentLength >= 0 && contentLength != value) {
							throw new BadRequestException(Violation.INVALID_CONTENT_LENGTH, "different Content-Length values");
						}
						contentLength = value;
					}
				}
				case 17 -> {
					if (nameIs(buf, ns, "transfer-encoding")) {
						if (head.minorVersion == 0) {
							throw new BadRequestException(Violation.TRANSFER_ENCODING_IN_HTTP10,
									"Transfer-Encoding in an HTTP/1.0 request");
						}
						transferEncoding = true;
						head.chunked = parseTransferCoding(buf, vs, ve, head.chunked);
					}
				}
				default -> {
				}
			}
		}
		if (transferEncoding) {
			if (!head.chunked) {
				throw new BadRequestException(Violation.CHUNKED_NOT_FINAL, "Transfer-Encoding does not end in chunked");
			}
			if (contentLength >= 0) {
				// RFC 9112 §6.3: chunked wins, and the connection must close after the response.
				head.closeAfterResponse = true;
			}
			head.contentLength = -1;
		}
		else {
			head.contentLength = Math.max(contentLength, 0);
			if (this.maxContentLength >= 0 && contentLength > this.maxContentLength) {
				throw new BadRequestException(Violation.CONTENT_TOO_LARGE,
						"request body of " + contentLength + " bytes is larger than " + this.maxContentLength);
			}
		}
		if (head.minorVersion == 1 && hosts != 1) {
			throw new BadRequestException(Violation.INVALID_HOST,
					(hosts == 0) ? "HTTP/1.1 request without Host" : "more than one Host header");
		}
		if (hosts > 1) {
			throw new BadRequestException(Violation.INVALID_HOST, "more than one Host header");
		}
	}

	/** 1*DIGIT, or a list of identical 1*DIGIT values (RFC 9110 §8.6). */
	private static long parseContentLength(byte[] buf, int start, int end) throws BadRequestException {
		long result = -1;
		int i = start;
		while (true) {
			while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
				i++;
			}
			int digitsStart = i;
			long value = 0;
			while (i < end && isDigit(buf[i])) {
				if (i - digitsStart >= 18) {
					throw new BadRequestException(Violation.INVALID_CONTENT_LENGTH, "Content-Length too large");
				}
				value = value * 10 + (buf[i] - '0');
				i++;
			}
			if (i == digitsStart) {
				throw new BadRequestException(Violation.INVALID_CONTENT_LENGTH, "Content-Length is not a number");
			}
			if (result >= 0 && result != value) {
				throw new BadRequestException(Violation.INVALID_CONTENT_LENGTH, "different Content-Length values");
			}
			result = value;
			while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
				i++;
			}
			if (i == end) {
				return result;
			}
			if (buf[i] != ',') {
				throw new BadRequestException(Violation.INVALID_CONTENT_LENGTH, "Content-Length is not a number");
			}
			i++;
		}
	}

	/**
	 * Reads one Transfer-Encoding field; returns whether chunked is the last coding so far.
	 * Several fields form one list (RFC 9110 §5.3), so {@code chunkedSoFar} carries over.
	 */
	private static boolean parseTransferCoding(byte[] buf, int start, int end, boolean chunkedSoFar)
			throws BadRequestException {
		boolean chunkedLast = chunkedSoFar;
		boolean sawCoding = false;
		int i = start;
		while (i <= end) {
			while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
				i++;
			}
			int tokenStart = i;
			while (i < end && TCHAR[buf[i] & 0xff] != 0) {
				i++;
			}
			int tokenEnd = i;
			while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
				i++;
			}
			if (i < end && buf[i] != ',') {
				// Parameters (';') or junk: no coding we implement takes parameters.
				throw new BadRequestException(Violation.UNKNOWN_TRANSFER_CODING, "unsupported Transfer-Encoding");
			}
			if (tokenEnd > tokenStart) {
				sawCoding = true;
				if (chunkedLast) {
					throw new BadRequestException(Violation.CHUNKED_NOT_FINAL, "chunked is not the final transfer coding");
				}
				if (equalsIgnoreCase(buf, tokenStart, tokenEnd, "chunked")) {
					chunkedLast = true;
				}
				else if (i == end) {
					throw new BadRequestException(Violation.CHUNKED_NOT_FINAL, "Transfer-Encoding does not end in chunked");
				}
				else {
					throw new BadRequestException(Violation.UNKNOWN_TRANSFER_CODING,
							"unsupported transfer coding '" + new String(buf, tokenStart, tokenEnd - tokenStart, StandardCharsets.ISO_8859_1) + "'");
				}
			}
			i++;
		}
		if (!sawCoding) {
			throw new BadRequestException(Violation.CHUNKED_NOT_FINAL, "empty Transfer-Encoding");
		}
		return chunkedLast;
	}

	private static void parseConnection(byte[] buf, int start, int end, RequestHead head) {
		int i = start;
		while (i < end) {
			while (i < end && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == ',')) {
				i++;
			}
			int tokenStart = i;
			while (i < end && buf[i] != ',' && buf[i] != ' ' && buf[i] != '\t') {
				i++;
			}
			if (equalsIgnoreCase(buf, tokenStart, i, "close")) {
				head.connectionClose = true;
			}
			else if (equalsIgnoreCase(buf, tokenStart, i, "keep-alive")) {
				head.connectionKeepAlive = true;
			}
		}
	}

	private static boolean isHost(String host) {
		for (int i = 0; i < host.length(); i++) {
			char c = host.charAt(i);
			if (c > 0xff || HOST_CHAR[c] == 0) {
				return false;
			}
		}
		return true;
	}

	private static boolean nameIs(byte[] buf, int start, String lowerName) {
		for (int j = 0; j < lowerName.length(); j++) {
			if (RequestHead.toLower(buf[start + j]) != lowerName.charAt(j)) {
				return false;
			}
		}
		return true;
	}

	private static boolean equalsIgnoreCase(byte[] buf, int start, int end, String lower) {
		if (end - start != lower.length()) {
			return false;
		}
		return nameIs(buf, start, lower);
	}

	private static boolean isDigit(byte b) {
		return b >= '0' && b <= '9';
	}

	private static String method(byte[] buf, int start, int end) {
		int len = end - start;
		if (len == 3 && buf[start] == 'G' && buf[start + 1] == 'E' && buf[start + 2] == 'T') {
			return "GET";
		}
		if (len == 4 && buf[start] == 'P' && buf[start + 1] == 'O' && buf[start + 2] == 'S' && buf[start + 3] == 'T') {
			return "POST";
		}
		String m = new String(buf, start, len, StandardCharsets.ISO_8859_1);
		return switch (m) {
			case "HEAD" -> "HEAD";
			case "PUT" -> "PUT";
			case "DELETE" -> "DELETE";
			case "PATCH" -> "PATCH";
			case "OPTIONS" -> "OPTIONS";
			case "TRACE" -> "TRACE";
			case "CONNECT" -> "CONNECT";
			default -> m;
		};
	}

}
