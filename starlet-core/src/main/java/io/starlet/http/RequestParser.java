package io.starlet.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A strict HTTP/1.1 request-head parser (RFC 9112 §2–§6, RFC 9110 §5). It does no I/O: give it
 * the bytes received so far and it either finds a complete head, asks for more, or names the rule
 * the request breaks ({@link BadRequestException} with a {@link Violation}).
 *
 * <p>What it accepts: a request line of exactly {@code token SP target SP HTTP/1.x}, the target
 * in origin, absolute, authority (CONNECT only) or asterisk (OPTIONS only) form, made of the
 * characters RFC 3986 allows in a path and a query (unreserved, {@code %}, sub-delims,
 * {@code : @ / ?}; {@code [ ]} only around the IP literal of an authority); field lines of
 * {@code token ":" OWS value OWS}; lines ending in CRLF (a bare CR is always an error, refused as
 * soon as it is seen). An empty line before the request line is refused, not skipped. What it
 * refuses is listed in {@link Violation}; the leniencies it grants (bare LF line ends, equal
 * {@code Content-Length} values, {@code Transfer-Encoding} with {@code Content-Length}, unescaped
 * unsafe target characters) are decided by its {@link HttpCompliance} policy and by nothing else.
 *
 * <p>Framing is decided here, once, so no layer above can disagree about where a request ends:
 * {@code Content-Length} is digits only with overflow checked (different values are refused);
 * {@code Transfer-Encoding} is one list across all its fields and must end in {@code chunked}
 * (400), with no other coding (501); {@code Transfer-Encoding} in HTTP/1.0 is refused. Fields whose
 * names merely resemble framing fields ({@code Content_Length}) are ordinary fields.
 *
 * <p>Limits: the whole head (request line included) at most {@code maxHeadSize} bytes (431; 414
 * when the request line alone does not fit), at most {@code maxFields} field lines (431), and a
 * declared {@code Content-Length} at most {@code maxContentLength} (413, before any body is read).
 *
 * <p>Cost: nothing is allocated for a registered method; target, path, query, Host and every
 * field stay offsets into the buffer until someone asks for them ({@link RequestHead}).
 *
 * <p>Thread-confined: one parser per acceptor or worker.
 *
 * <p>Over the usual size on purpose: it is one job, the head's grammar, on the hottest path;
 * its helpers are the character classes in {@link Tokens} and the view in {@link RequestHead}.
 */
public final class RequestParser {

	private final int maxHeadSize;

	private final int maxFields;

	private final long maxContentLength;

	// The policy's answers, read once: the parse loops test a final boolean, not a set.
	private final boolean bareLf;

	private final boolean equalContentLengths;

	private final boolean transferEncodingWithContentLength;

	/** Which bytes a target may hold ({@link Tokens#targetClass}): the policy decides, once. */
	private final int targetClass;

	/** A parser with {@link HttpCompliance#DEFAULT}. */
	public RequestParser(int maxHeadSize, int maxFields, long maxContentLength) {
		this(maxHeadSize, maxFields, maxContentLength, HttpCompliance.DEFAULT);
	}

	/**
	 * @param maxHeadSize most bytes of request line plus fields (431 beyond; 414 when the request
	 * line alone does not fit)
	 * @param maxFields most field lines (431 beyond)
	 * @param maxContentLength a larger declared {@code Content-Length} gets 413; -1 for no limit
	 * @param compliance the leniencies granted
	 */
	public RequestParser(int maxHeadSize, int maxFields, long maxContentLength, HttpCompliance compliance) {
		this.maxHeadSize = maxHeadSize;
		this.maxFields = maxFields;
		this.maxContentLength = maxContentLength;
		this.bareLf = compliance.allows(HttpCompliance.Leniency.BARE_LF_IN_HEAD);
		this.equalContentLengths = compliance.allows(HttpCompliance.Leniency.EQUAL_CONTENT_LENGTHS);
		this.transferEncodingWithContentLength = compliance
			.allows(HttpCompliance.Leniency.TRANSFER_ENCODING_WITH_CONTENT_LENGTH);
		this.targetClass = Tokens.targetClass(compliance.allows(HttpCompliance.Leniency.UNSAFE_TARGET_CHARACTERS));
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
			if (i + 8 <= limit) {
				long mask = Tokens.crOrLf(Tokens.word(buf, i));
				if (mask == 0) {
					i += 7;
					continue;
				}
				i += Tokens.firstByte(mask);
			}
			byte b = buf[i];
			if (b == '\r') {
				// RFC 9112 §2.2: a bare CR is never a line end, and refusing it here, as soon as it
				// is seen, spares waiting for an empty line that a CR-speaking peer never sends.
				if (i + 1 < end && buf[i + 1] != '\n') {
					throw new BadRequestException(Violation.INVALID_CHARACTER, "CR not followed by LF");
				}
			}
			else if (b == '\n') {
				if (!this.bareLf && (i == lineStart || buf[i - 1] != '\r')) {
					throw new BadRequestException(Violation.INVALID_CHARACTER, "bare LF as a line end (CRLF required)");
				}
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
		while (Tokens.isTchar(buf[i])) {
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
		i = scanTarget(buf, targetStart);
		int targetEnd = i;
		if (buf[i] != ' ' || targetEnd == targetStart) {
			if (buf[i] == '\r' || buf[i] == '\n') {
				throw new BadRequestException(Violation.MALFORMED_REQUEST_LINE, "request line has no version (HTTP/0.9 is not supported)");
			}
			if (targetEnd == targetStart) {
				throw new BadRequestException(Violation.MALFORMED_REQUEST_LINE, "request line has no target, or two spaces");
			}
			throw new BadRequestException(Violation.INVALID_TARGET, notATargetByte(buf[i]));
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

	/**
	 * Index of the first byte from {@code start} that a target may not hold (the SP after a valid
	 * one). One table lookup a byte, whichever the policy; the line end always stops it.
	 */
	private int scanTarget(byte[] buf, int start) {
		int targetClass = this.targetClass;
		int i = start;
		while (true) {
			while (Tokens.isTargetChar(buf[i], targetClass)) {
				i++;
			}
			// RFC 3986 §3.2.2: '[' and ']' belong in a target only around the IP literal of an
			// authority, which starts the target (CONNECT) or follows the scheme (no userinfo is
			// accepted). Off the hot path: a target without '[' leaves at its first stop.
			if (buf[i] != '[' || (i != start && schemeEnd(buf, start, i) != i)) {
				return i;
			}
			int close = i + 1;
			while (Tokens.isRegNameChar(buf[close]) || buf[close] == ':') {
				close++;
			}
			if (buf[close] != ']') {
				return i;
			}
			i = close + 1;
		}
	}

	/** Why a byte ended the target early: the message of the 400. */
	private static String notATargetByte(byte b) {
		if (b == '#') {
			return "request target contains a fragment ('#')";
		}
		if (b > 0x20 && b < 0x7f) {
			// RFC 3986 §3.3, §3.4: a client must percent-encode it
			return "request target contains '" + (char) b + "', which RFC 3986 allows only percent-encoded (%"
					+ Integer.toHexString(b).toUpperCase(Locale.ROOT) + ")";
		}
		return "request target contains a byte that is not allowed";
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
		head.targetStart = start;
		head.targetEnd = end;
		String method = head.method;
		boolean connect = method == CONNECT;
		if (buf[start] == '/' && !connect) {
			splitPathAndQuery(buf, start, end, head);
			return;
		}
		if (end - start == 1 && buf[start] == '*') {
			// RFC 9112 §3.2.4: asterisk-form is only for a server-wide OPTIONS.
			if (method != OPTIONS) {
				throw new BadRequestException(Violation.INVALID_TARGET, "asterisk form is only for OPTIONS");
			}
			head.pathStart = start;
			head.pathEnd = end;
			return;
		}
		if (connect) {
			// RFC 9112 §3.2.3: CONNECT takes authority-form (host:port) and nothing else. The
			// handler decides what to do with it (a servlet answers 405).
			if (!Tokens.isHost(buf, start, end, true)) {
				throw new BadRequestException(Violation.INVALID_TARGET, "CONNECT target is not host:port");
			}
			head.pathStart = start;
			head.pathEnd = end;
			head.hostStart = start;
			head.hostEnd = end;
			return;
		}
		int authorityStart = schemeEnd(buf, start, end);
		if (authorityStart < 0) {
			throw new BadRequestException(Violation.INVALID_TARGET,
					"request target is not in origin, absolute, authority or asterisk form");
		}
		// RFC 9112 §3.2.2: absolute-form; its authority replaces any Host field.
		int pathStart = authorityStart;
		while (pathStart < end && buf[pathStart] != '/' && buf[pathStart] != '?') {
			pathStart++;
		}
		if (!Tokens.isHost(buf, authorityStart, pathStart, false)) {
			throw new BadRequestException(Violation.INVALID_TARGET, "absolute-form target has an invalid authority");
		}
		head.hostStart = authorityStart;
		head.hostEnd = pathStart;
		if (pathStart == end || buf[pathStart] == '?') {
			head.pathStart = -1;
			if (pathStart < end) {
				head.queryStart = pathStart + 1;
				head.queryEnd = end;
			}
		}
		else {
			splitPathAndQuery(buf, pathStart, end, head);
		}
	}

	private static void splitPathAndQuery(byte[] buf, int start, int end, RequestHead head) {
		int q = start;
		while (q < end && buf[q] != '?') {
			q++;
		}
		head.pathStart = start;
		head.pathEnd = q;
		if (q < end) {
			head.queryStart = q + 1;
			head.queryEnd = end;
		}
	}

	/** Index after {@code http://} or {@code https://} (any case), or -1. */
	private static int schemeEnd(byte[] buf, int start, int end) {
		int i = start;
		if (end - i < 7 || RequestHead.toLower(buf[i]) != 'h' || RequestHead.toLower(buf[i + 1]) != 't'
				|| RequestHead.toLower(buf[i + 2]) != 't' || RequestHead.toLower(buf[i + 3]) != 'p') {
			return -1;
		}
		i += 4;
		if (RequestHead.toLower(buf[i]) == 's') {
			i++;
		}
		if (end - i < 3 || buf[i] != ':' || buf[i + 1] != '/' || buf[i + 2] != '/') {
			return -1;
		}
		return i + 3;
	}

	private void parseFields(byte[] buf, int pos, int headEnd, RequestHead head) throws BadRequestException {
		int i = pos;
		while (true) {
			byte b = buf[i];
			if (b == '\n' || (b == '\r' && buf[i + 1] == '\n')) {
				// The empty line (findHeadEnd stopped right after it).
				return;
			}
			if (b == '\r') {
				// A bare CR at the start of a line would otherwise end the fields early and hide
				// the lines after it, which a front end may have read as fields.
				throw new BadRequestException(Violation.INVALID_CHARACTER, "CR not followed by LF");
			}
			if (b == ' ' || b == '\t') {
				throw new BadRequestException(Violation.OBS_FOLD,
						(head.fieldCount == 0) ? "whitespace before the first header field" : "obsolete line folding");
			}
			int nameStart = i;
			while (Tokens.isTchar(buf[i])) {
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
			int lineEnd;
			while (true) {
				if (i + 8 <= headEnd) {
					long mask = Tokens.ctlOrDel(Tokens.word(buf, i));
					if (mask == 0) {
						i += 8;
						continue;
					}
					i += Tokens.firstByte(mask);
				}
				int c = buf[i] & 0xff;
				if ((c >= 0x20 && c != 0x7f) || c == '\t') {
					i++;
				}
				else if (c == '\r') {
					if (buf[i + 1] != '\n') {
						throw new BadRequestException(Violation.INVALID_CHARACTER, "CR not followed by LF");
					}
					lineEnd = i;
					i += 2;
					break;
				}
				else if (c == '\n') {
					lineEnd = i;
					i++;
					break;
				}
				else {
					throw new BadRequestException(Violation.INVALID_CHARACTER, "control character in a field value");
				}
			}
			// OWS after the value is not part of it (RFC 9112 §5.1).
			int valueEnd = lineEnd;
			while (valueEnd > valueStart && (buf[valueEnd - 1] == ' ' || buf[valueEnd - 1] == '\t')) {
				valueEnd--;
			}
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
		int codings = 0;
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
						// RFC 9112 §3.2: empty when the target URI has no authority.
						if (ve > vs && !Tokens.isHost(buf, vs, ve, false)) {
							throw new BadRequestException(Violation.INVALID_HOST, "invalid Host header");
						}
						if (head.hostStart < 0) {
							head.hostStart = vs;
							head.hostEnd = ve;
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
						if (contentLength >= 0 && !this.equalContentLengths) {
							throw new BadRequestException(Violation.INVALID_CONTENT_LENGTH, "more than one Content-Length");
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
						codings = parseTransferCoding(buf, vs, ve, codings);
					}
				}
				default -> {
				}
			}
		}
		if (head.minorVersion == 1 && hosts != 1) {
			throw new BadRequestException(Violation.INVALID_HOST,
					(hosts == 0) ? "HTTP/1.1 request without Host" : "more than one Host header");
		}
		if (hosts > 1) {
			throw new BadRequestException(Violation.INVALID_HOST, "more than one Host header");
		}
		if (transferEncoding) {
			if ((codings & CODING_SEEN) == 0) {
				throw new BadRequestException(Violation.INVALID_TRANSFER_ENCODING, "empty Transfer-Encoding");
			}
			if ((codings & CHUNKED_LAST) == 0) {
				// RFC 9112 §6.3 (4): the length cannot be determined, so 400 rather than 501.
				throw new BadRequestException(Violation.CHUNKED_NOT_FINAL, "Transfer-Encoding does not end in chunked");
			}
			if ((codings & UNKNOWN_CODING) != 0) {
				throw new BadRequestException(Violation.UNKNOWN_TRANSFER_CODING,
						"only the chunked transfer coding is supported");
			}
			head.chunked = true;
			if (contentLength >= 0) {
				if (!this.transferEncodingWithContentLength) {
					throw new BadRequestException(Violation.INVALID_CONTENT_LENGTH,
							"Content-Length together with Transfer-Encoding");
				}
				// RFC 9112 §6.3 (3): chunked wins, and the connection must close after the response.
				head.closeAfterResponse = true;
			}
			head.contentLength = -1;
		}
		else {
			head.contentLength = Math.max(contentLength, 0);
			if (this.maxContentLength >= 0 && contentLength > this.maxContentLength) {
				throw new BadRequestException(Violation.CONTENT_TOO_LARGE,
						"request body of " + contentLength + " bytes is larger than max-request-body-size ("
								+ this.maxContentLength + " bytes)");
			}
		}
	}

	/** 1*DIGIT, or (when the policy allows) a list of identical 1*DIGIT values (RFC 9110 §8.6). */
	private long parseContentLength(byte[] buf, int start, int end) throws BadRequestException {
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
			if (result >= 0 && !this.equalContentLengths) {
				throw new BadRequestException(Violation.INVALID_CONTENT_LENGTH, "Content-Length is a list");
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

	private static final int CODING_SEEN = 1;

	private static final int CHUNKED_LAST = 2;

	private static final int UNKNOWN_CODING = 4;

	/**
	 * Reads one Transfer-Encoding field into the running state ({@code CODING_SEEN},
	 * {@code CHUNKED_LAST}, {@code UNKNOWN_CODING}). Several fields form one list (RFC 9110
	 * §5.3), so the state carries over from field to field: a coding after {@code chunked},
	 * even on the next line, is refused at once.
	 */
	private static int parseTransferCoding(byte[] buf, int start, int end, int state) throws BadRequestException {
		int i = start;
		while (i <= end) {
			while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
				i++;
			}
			int tokenStart = i;
			while (i < end && Tokens.isTchar(buf[i])) {
				i++;
			}
			int tokenEnd = i;
			while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
				i++;
			}
			boolean parameters = i < end && buf[i] == ';';
			if (i < end && buf[i] != ',' && !parameters) {
				throw new BadRequestException(Violation.INVALID_TRANSFER_ENCODING, "malformed Transfer-Encoding");
			}
			if (tokenEnd > tokenStart) {
				if ((state & CHUNKED_LAST) != 0) {
					throw new BadRequestException(Violation.CHUNKED_NOT_FINAL, "chunked is not the final transfer coding");
				}
				state |= CODING_SEEN;
				if (equalsIgnoreCase(buf, tokenStart, tokenEnd, "chunked")) {
					if (parameters) {
						throw new BadRequestException(Violation.INVALID_TRANSFER_ENCODING, "chunked takes no parameters");
					}
					state |= CHUNKED_LAST;
				}
				else {
					state |= UNKNOWN_CODING;
				}
			}
			else if (parameters) {
				throw new BadRequestException(Violation.INVALID_TRANSFER_ENCODING, "malformed Transfer-Encoding");
			}
			if (parameters) {
				// Parameters of a coding we do not implement: the request fails with 501 or 400
				// whatever they say, so skip them.
				while (i < end && buf[i] != ',') {
					i++;
				}
			}
			i++;
		}
		return state;
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

	private static final String GET = "GET";

	private static final String HEAD = "HEAD";

	private static final String POST = "POST";

	private static final String PUT = "PUT";

	private static final String DELETE = "DELETE";

	private static final String PATCH = "PATCH";

	private static final String OPTIONS = "OPTIONS";

	private static final String TRACE = "TRACE";

	private static final String CONNECT = "CONNECT";

	private static final String[] KNOWN_METHODS = { GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT };

	/** The method: a shared constant for the registered methods (no allocation), else a new String. */
	private static String method(byte[] buf, int start, int end) {
		int len = end - start;
		outer: for (String known : KNOWN_METHODS) {
			if (known.length() != len) {
				continue;
			}
			for (int j = 0; j < len; j++) {
				if (buf[start + j] != known.charAt(j)) {
					continue outer;
				}
			}
			return known;
		}
		return new String(buf, start, len, StandardCharsets.ISO_8859_1);
	}

}
