package io.starlet.boot.application;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/** Spring Security's form login on Starlet: redirect, login page, CSRF, session cookie, session fixation. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "starlet.signals=false", "starlet.max-workers=4" })
@Timeout(120)
class SecurityTests {

	/** For the other test applications of this module, which have Spring Security on the class path too. */
	static final String WITHOUT_SECURITY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
			+ "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
			+ "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration,"
			+ "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration,"
			+ "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration";

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

	@LocalServerPort
	private int port;

	private final CookieManager cookies = new CookieManager();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.cookieHandler(this.cookies)
		.followRedirects(HttpClient.Redirect.NEVER)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@Test
	void formLoginFlow() throws Exception {
		HttpResponse<String> secure = get("/secure");
		assertThat(secure.statusCode()).isEqualTo(302);
		assertThat(secure.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).endsWith("/login"));

		HttpResponse<String> loginPage = get("/login");
		assertThat(loginPage.statusCode()).isEqualTo(200);
		Matcher csrf = CSRF.matcher(loginPage.body());
		assertThat(csrf.find()).as("login page carries a CSRF token").isTrue();
		String sessionBefore = sessionId();
		assertThat(sessionBefore).isNotNull();

		HttpResponse<String> badLogin = post("/login", "username=user&password=wrong&_csrf=" + encode(csrf.group(1)));
		assertThat(badLogin.statusCode()).isEqualTo(302);
		assertThat(badLogin.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).contains("/login?error"));

		loginPage = get("/login");
		csrf = CSRF.matcher(loginPage.body());
		assertThat(csrf.find()).isTrue();
		HttpResponse<String> login = post("/login", "username=user&password=secret&_csrf=" + encode(csrf.group(1)));
		assertThat(login.statusCode()).isEqualTo(302);
		assertThat(login.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).endsWith("/secure?continue"));
		assertThat(sessionId()).as("session id changes on login").isNotNull().isNotEqualTo(sessionBefore);

		secure = get("/secure");
		assertThat(secure.statusCode()).isEqualTo(200);
		assertThat(secure.body()).isEqualTo("secret for user");
	}

	@Test
	void postWithoutCsrfTokenIsForbidden() throws Exception {
		HttpResponse<String> response = post("/public", "x=1");
		assertThat(response.statusCode()).isEqualTo(403);
	}

	private String sessionId() {
		return this.cookies.getCookieStore()
			.getCookies()
			.stream()
			.filter((cookie) -> cookie.getName().equals("JSESSIONID"))
			.map(java.net.HttpCookie::getValue)
			.findFirst()
			.orElse(null);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.client.send(request(path).GET().build(), BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String form) throws Exception {
		return this.client.send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
			.POST(BodyPublishers.ofString(form))
			.build(), BodyHandlers.ofString());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).timeout(Duration.ofSeconds(20));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(SecuredController.class)
	static class SecuredApplication {

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
			http.authorizeHttpRequests((requests) -> requests.requestMatchers("/public", "/error").permitAll()
				.anyRequest()
				.authenticated()).formLogin(Customizer.withDefaults());
			return http.build();
		}

		@Bean
		InMemoryUserDetailsManager users() {
			return new InMemoryUserDetailsManager(User.withUsername("user").password("{noop}secret").roles("USER").build());
		}

	}

	@RestController
	static class SecuredController {

		@GetMapping("/secure")
		String secure(Principal principal) {
			return "secret for " + principal.getName();
		}

		@PostMapping("/public")
		String publicPost() {
			return "posted";
		}

	}

}
