package io.starlet.bench.pages;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The page workload: what a server-rendered Spring MVC application does per request (Thymeleaf
 * layout and fragments, JPA queries on H2, validation, a session attribute, versioned static
 * resources), so that a server is measured under application code and not only under hello.
 * pages-starlet, pages-tomcat and pages-jetty package this same source.
 */
@SpringBootApplication
public class PagesApplication {

	public static void main(String[] args) {
		SpringApplication.run(PagesApplication.class, args);
	}

}
