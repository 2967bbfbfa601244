package io.starlet.bench;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The endpoints under load. Plain annotated handler methods, so the same source runs on Spring
 * MVC (Starlet, Tomcat, Jetty) and on WebFlux (Reactor Netty) without a reactive rewrite.
 */
@RestController
class BenchController {

	private static final String HELLO = "Hello, World!";

	@GetMapping(path = "/hello", produces = MediaType.TEXT_PLAIN_VALUE)
	String hello() {
		return HELLO;
	}

	@GetMapping(path = "/json", produces = MediaType.APPLICATION_JSON_VALUE)
	Greeting json() {
		return new Greeting(1, HELLO, "starlet-bench", true);
	}

	@PostMapping(path = "/echo", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
	byte[] echo(@RequestBody byte[] body) {
		return body;
	}

	record Greeting(long id, String message, String from, boolean ok) {
	}

}
