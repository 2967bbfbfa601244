package io.starlet.sample;

import java.io.Serializable;

import jakarta.servlet.http.HttpSession;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Counts a browser's visits in its HTTP session. Under {@code spring-boot:run} DevTools turns on
 * persistent sessions, so the count carries on across the restart a class change causes.
 */
@RestController
class SessionController {

	private static final String VISITS = "visits";

	@GetMapping(path = "/session", produces = MediaType.TEXT_PLAIN_VALUE)
	String visits(HttpSession session) {
		Visits visits = (Visits) session.getAttribute(VISITS);
		if (visits == null) {
			visits = new Visits();
		}
		visits.count++;
		// Set again after the change, as a session that is replicated or stored needs to be told.
		session.setAttribute(VISITS, visits);
		return String.valueOf(visits.count);
	}

	/** An application class in the session: under DevTools each restart loads it in a new class loader. */
	static final class Visits implements Serializable {

		private static final long serialVersionUID = 1L;

		private int count;

	}

}
