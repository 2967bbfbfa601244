package io.starlet.sample;

import java.time.Instant;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SampleController {

	@GetMapping(path = "/hello", produces = MediaType.TEXT_PLAIN_VALUE)
	String hello() {
		return "Hello, World!";
	}

	/** Answers with the request body and its content type. */
	@PostMapping("/echo")
	ResponseEntity<byte[]> echo(@RequestBody(required = false) byte[] body,
			@RequestHeader(name = "Content-Type", required = false) MediaType contentType) {
		return ResponseEntity.ok()
			.contentType((contentType != null) ? contentType : MediaType.APPLICATION_OCTET_STREAM)
			.body((body != null) ? body : new byte[0]);
	}

	@GetMapping("/json")
	Greeting json() {
		return new Greeting("Hello, World!", "starlet", Instant.now());
	}

	record Greeting(String message, String server, Instant time) {
	}

}
