package io.starlet.boot;

import org.springframework.boot.web.server.WebServerException;

/**
 * A setting Starlet cannot honour: one it does not serve (TLS, HTTP/2, ...) or a Starlet option
 * naming something that does not exist. Spring Boot reports it at startup as a failure analysis:
 * the description, then the action to take.
 */
public class StarletConfigurationException extends WebServerException {

	private final String description;

	private final String action;

	public StarletConfigurationException(String description, String action) {
		this(description, action, null);
	}

	public StarletConfigurationException(String description, String action, Throwable cause) {
		super(description + " " + action, cause);
		this.description = description;
		this.action = action;
	}

	/** What is wrong. */
	public String getDescription() {
		return this.description;
	}

	/** What to do instead. */
	public String getAction() {
		return this.action;
	}

}
