package io.starlet.http;

import java.io.IOException;

/**
 * A request the engine refuses before the application runs, named by its {@link Violation}:
 * mostly a broken protocol rule, a limit or a deadline, and once the server's own failure to
 * store a body. It is an {@link IOException} so that it travels through {@code InputStream.read}
 * when a body turns out to be malformed; the engine answers it with {@link Violation#status()}
 * and closes the connection.
 */
public final class BadRequestException extends IOException {

	private final Violation violation;

	public BadRequestException(Violation violation, String detail) {
		super(detail, null);
		this.violation = violation;
	}

	public Violation violation() {
		return this.violation;
	}

	public int status() {
		return this.violation.status();
	}

	@Override
	public synchronized Throwable fillInStackTrace() {
		// Thrown on every bad request from the network: the stack says nothing useful.
		return this;
	}

}
