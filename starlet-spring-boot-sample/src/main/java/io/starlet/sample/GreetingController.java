package io.starlet.sample;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** JSON in and out, with bean validation of the request body. */
@RestController
class GreetingController {

	@PostMapping("/greetings")
	GreetingResponse greet(@Valid @RequestBody GreetingRequest request) {
		String message = "Hello, " + request.name() + "!";
		return new GreetingResponse(String.join(" ", Collections.nCopies(request.times(), message)), Instant.now());
	}

	/** Says which fields are wrong, in the shape of Spring Boot's own error body. */
	@ExceptionHandler(MethodArgumentNotValidException.class)
	@ResponseStatus(HttpStatus.BAD_REQUEST)
	Map<String, Object> invalid(MethodArgumentNotValidException ex, HttpServletRequest request) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (FieldError error : ex.getBindingResult().getFieldErrors()) {
			fields.putIfAbsent(error.getField(), error.getDefaultMessage());
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("timestamp", Instant.now());
		body.put("status", HttpStatus.BAD_REQUEST.value());
		body.put("error", HttpStatus.BAD_REQUEST.getReasonPhrase());
		body.put("path", request.getRequestURI());
		body.put("fields", fields);
		return body;
	}

	/**
	 * What a client sends: {@code {"name":"Alice","times":2}}; {@code times} may be left out.
	 */
	record GreetingRequest(@NotBlank @Size(max = 40) String name, @Min(1) @Max(5) Integer times) {

		GreetingRequest {
			times = (times != null) ? times : 1;
		}

	}

	record GreetingResponse(String message, Instant time) {
	}

}
