package io.starlet;

import java.net.BindException;

/**
 * A listener could not be bound. The JDK's {@link BindException} does not say which address
 * failed, and a server with several listeners must report the right one (Spring Boot's
 * {@code PortInUseException} names the port), so this one carries the {@link Listen} it is about.
 */
public class ListenBindException extends BindException {

	private static final long serialVersionUID = 1L;

	private final transient Listen listen;

	/**
	 * @param listen the address that could not be bound
	 * @param cause the JDK's failure, whose message says why
	 */
	public ListenBindException(Listen listen, BindException cause) {
		super(describe(listen) + ": " + cause.getMessage());
		this.listen = listen;
		initCause(cause);
	}

	/** The address that could not be bound. */
	public Listen listen() {
		return this.listen;
	}

	private static String describe(Listen listen) {
		if (listen.isUnix()) {
			return "Cannot bind UNIX socket " + listen.unixPath();
		}
		String host = (listen.host() == null) ? "*" : (listen.host().contains(":") ? "[" + listen.host() + "]" : listen.host());
		return "Cannot bind " + host + ":" + listen.port();
	}

}
