package io.starlet.servlet;

/**
 * Request parameters could not be parsed: a form body over its limit, too many parameters, or
 * a body that could not be read. Unchecked because {@code getParameter} cannot throw anything
 * else; the container answers it with {@code 400} through the error pages.
 */
final class BadRequestParametersException extends IllegalStateException {

	BadRequestParametersException(String message, Throwable cause) {
		super(message, cause);
	}

}
