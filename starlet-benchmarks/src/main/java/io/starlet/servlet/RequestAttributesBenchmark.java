package io.starlet.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A request's attributes as Spring MVC with Actuator uses them for one {@code GET /hello}: the
 * {@link #SPRING_MVC_HELLO} sequence of 94 calls was recorded from the bench application. Each
 * operation replays it on a fresh {@link RequestAttributes}, as every request gets one.
 * {@code shared=true} is a request that went async, where every call locks (before 2026-11-25,
 * every request paid that).
 *
 * <p>{@code workload=detail} and {@code list} replay the calls of one detail page (183) and one
 * list page (1,550) of the page application ({@code bench/apps/pages}), recorded on Starlet in
 * Spring Boot's extracted layout ({@code thymeleaf-*-page.txt} next to this class). Thymeleaf keeps
 * a template's variables as request attributes, so a page looks up far more names than hello does,
 * and sets and removes its iteration variable once per row.
 *
 * <p>It lives in {@code io.starlet.servlet} because the class it measures is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestAttributesBenchmark {

	/** Recorded: the worker, Spring's filters, DispatcherServlet, handler mapping, the converter. */
	static final String SPRING_MVC_HELLO = """
			put io.starlet.worker
			get characterEncodingFilter.FILTERED
			get jakarta.servlet.error.request_uri
			put characterEncodingFilter.FILTERED
			get webMvcObservationFilter.FILTERED
			get jakarta.servlet.error.request_uri
			put webMvcObservationFilter.FILTERED
			get org.springframework.web.filter.ServerHttpObservationFilter.observation
			put org.springframework.web.filter.ServerHttpObservationFilter.observation
			put org.springframework.web.filter.ServerHttpObservationFilter.context
			get formContentFilter.FILTERED
			get jakarta.servlet.error.request_uri
			put formContentFilter.FILTERED
			get requestContextFilter.FILTERED
			get jakarta.servlet.error.request_uri
			put requestContextFilter.FILTERED
			get org.springframework.web.context.request.async.WebAsyncManager.WEB_ASYNC_MANAGER
			put org.springframework.web.context.request.async.WebAsyncManager.WEB_ASYNC_MANAGER
			get jakarta.servlet.include.request_uri
			put org.springframework.web.servlet.DispatcherServlet.CONTEXT
			put org.springframework.web.servlet.DispatcherServlet.LOCALE_RESOLVER
			put org.springframework.web.servlet.DispatcherServlet.OUTPUT_FLASH_MAP
			put org.springframework.web.servlet.DispatcherServlet.FLASH_MAP_MANAGER
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get jakarta.servlet.include.request_uri
			get jakarta.servlet.include.mapping
			put org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.context.request.async.WebAsyncManager.WEB_ASYNC_MANAGER
			put org.springframework.web.servlet.HandlerMapping.apiVersion
			remove org.springframework.web.servlet.HandlerMapping.producibleMediaTypes
			remove org.springframework.web.util.UrlPathHelper.PATH
			get org.springframework.web.servlet.DispatcherServlet.CONTEXT
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			remove org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			put org.springframework.web.servlet.HandlerMapping.apiVersion
			remove org.springframework.web.servlet.HandlerMapping.producibleMediaTypes
			remove org.springframework.web.util.UrlPathHelper.PATH
			get org.springframework.web.servlet.DispatcherServlet.CONTEXT
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			put org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			remove org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			put org.springframework.web.servlet.HandlerMapping.apiVersion
			remove org.springframework.web.servlet.HandlerMapping.producibleMediaTypes
			remove org.springframework.web.util.UrlPathHelper.PATH
			get org.springframework.web.servlet.DispatcherServlet.CONTEXT
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			remove org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			put org.springframework.web.servlet.HandlerMapping.apiVersion
			put org.springframework.web.servlet.HandlerMapping.apiVersion
			remove org.springframework.web.servlet.HandlerMapping.producibleMediaTypes
			remove org.springframework.web.util.UrlPathHelper.PATH
			get org.springframework.web.servlet.DispatcherServlet.CONTEXT
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			put org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			put org.springframework.web.servlet.HandlerMapping.bestMatchingHandler
			put org.springframework.web.servlet.HandlerMapping.pathWithinHandlerMapping
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			put org.springframework.web.servlet.HandlerMapping.matrixVariables
			put org.springframework.web.servlet.HandlerMapping.bestMatchingPattern
			get org.springframework.web.filter.ServerHttpObservationFilter.context
			put org.springframework.web.servlet.HandlerMapping.uriTemplateVariables
			put org.springframework.web.servlet.HandlerMapping.producibleMediaTypes
			remove org.springframework.web.servlet.mvc.condition.ProducesRequestCondition.MEDIA_TYPES
			get org.springframework.web.util.ServletRequestPathUtils.PATH
			get org.springframework.web.servlet.handler.AbstractHandlerMapping.SUPPRESS_LOGGING
			put org.springframework.core.convert.ConversionService
			put org.springframework.web.servlet.resource.ResourceUrlProvider
			get org.springframework.web.context.request.async.WebAsyncManager.WEB_ASYNC_MANAGER
			get org.springframework.web.context.request.async.WebAsyncManager.WEB_ASYNC_MANAGER
			get org.springframework.web.servlet.DispatcherServlet.INPUT_FLASH_MAP
			get org.springframework.web.servlet.HandlerMapping.producibleMediaTypes
			get com.ibm.websphere.servlet.uri_non_decoded
			get jakarta.servlet.forward.request_uri
			get org.springframework.web.context.request.async.WebAsyncManager.WEB_ASYNC_MANAGER
			get org.springframework.web.context.request.async.WebAsyncManager.WEB_ASYNC_MANAGER
			remove org.springframework.web.util.ServletRequestPathUtils.PATH
			remove requestContextFilter.FILTERED
			remove formContentFilter.FILTERED
			get jakarta.servlet.error.exception
			remove webMvcObservationFilter.FILTERED
			remove characterEncodingFilter.FILTERED
			get io.starlet.harakiri
			get io.starlet.harakiri
			""";

	@Param({ "false", "true" })
	boolean shared;

	@Param({ "hello", "detail", "list" })
	String workload;

	private char[] kinds;

	private String[] names;

	private final Object value = new Object();

	@Setup
	public void load() throws IOException {
		String[] lines = calls(this.workload).strip().split("\n");
		this.kinds = new char[lines.length];
		this.names = new String[lines.length];
		for (int i = 0; i < lines.length; i++) {
			String[] parts = lines[i].strip().split(" ");
			this.kinds[i] = parts[0].charAt(0);
			// Spring's names are constants; a copy per call site would defeat the identity check.
			this.names[i] = parts[1].intern();
		}
	}

	private static String calls(String workload) throws IOException {
		if (workload.equals("hello")) {
			return SPRING_MVC_HELLO;
		}
		String file = "thymeleaf-" + workload + "-page.txt";
		try (InputStream in = RequestAttributesBenchmark.class.getResourceAsStream(file)) {
			if (in == null) {
				throw new IllegalStateException(file + " is missing next to " + RequestAttributesBenchmark.class);
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	@Benchmark
	public void replay(Blackhole blackhole) {
		RequestAttributes attributes = new RequestAttributes();
		if (this.shared) {
			attributes.share();
		}
		for (int i = 0; i < this.kinds.length; i++) {
			switch (this.kinds[i]) {
				case 'g' -> blackhole.consume(attributes.get(this.names[i]));
				case 'p' -> blackhole.consume(attributes.put(this.names[i], this.value));
				default -> blackhole.consume(attributes.remove(this.names[i]));
			}
		}
	}

}
