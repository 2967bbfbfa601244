package io.starlet.servlet;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;

import io.starlet.Exchange;

/**
 * The request body as the application reads it: one {@link RequestInput} over the engine's body
 * stream, taken as a stream or as a reader but not both (Servlet §3.1), and the character
 * encoding it is decoded with: set by the application before the reader exists, else the
 * {@code Content-Type} charset, else the context's request encoding, else UTF-8.
 */
final class RequestBody {

	private final Exchange exchange;

	private final ContainerContext context;

	private String characterEncoding;

	private boolean characterEncodingResolved;

	private RequestInput input;

	private boolean inputStreamUsed;

	private BufferedReader reader;

	RequestBody(Exchange exchange, ContainerContext context) {
		this.exchange = exchange;
		this.context = context;
	}

	String characterEncoding(String contentType) {
		if (!this.characterEncodingResolved) {
			this.characterEncodingResolved = true;
			String fromHeader = HeaderValues.parameter(contentType, "charset");
			this.characterEncoding = (fromHeader != null) ? fromHeader : this.context.getRequestCharacterEncoding();
		}
		return this.characterEncoding;
	}

	void setCharacterEncoding(String encoding) throws UnsupportedEncodingException {
		if (this.reader != null) {
			return;
		}
		if (encoding == null) {
			this.characterEncoding = null;
			this.characterEncodingResolved = false;
			return;
		}
		try {
			Charset.forName(encoding);
		}
		catch (IllegalCharsetNameException | UnsupportedCharsetException ex) {
			throw new UnsupportedEncodingException(encoding);
		}
		this.characterEncoding = encoding;
		this.characterEncodingResolved = true;
	}

	void setCharacterEncoding(Charset encoding) {
		if (this.reader != null) {
			return;
		}
		this.characterEncoding = (encoding != null) ? encoding.name() : null;
		this.characterEncodingResolved = encoding != null;
	}

	/** The charset to decode the body with: the declared one, else UTF-8. */
	Charset charset(String contentType) {
		String encoding = characterEncoding(contentType);
		if (encoding != null) {
			try {
				return Charset.forName(encoding);
			}
			catch (IllegalCharsetNameException | UnsupportedCharsetException ex) {
				// fall back below
			}
		}
		return StandardCharsets.UTF_8;
	}

	RequestInput input() {
		if (this.input == null) {
			this.input = new RequestInput(this.exchange.requestBody(), this.exchange::requestBodyRemaining);
		}
		return this.input;
	}

	RequestInput inputStream() {
		if (this.reader != null) {
			throw new IllegalStateException("getReader() has already been called for this request");
		}
		this.inputStreamUsed = true;
		return input();
	}

	BufferedReader reader(String contentType) {
		if (this.reader == null) {
			if (this.input != null && this.inputStreamUsed) {
				throw new IllegalStateException("getInputStream() has already been called for this request");
			}
			this.reader = new BufferedReader(new InputStreamReader(input(), charset(contentType)));
		}
		return this.reader;
	}

	/** Whether the application took the body as a stream or reader. */
	boolean taken() {
		return this.reader != null || this.inputStreamUsed;
	}

	/** Whether the body was read to its end (so its trailers are here). */
	boolean isFinished() {
		return this.input != null && this.input.isFinished();
	}

	/** The exchange is over: a late read must not take bytes of the connection's next request. */
	void abandon() {
		if (this.input != null) {
			this.input.abandon();
		}
	}

}
