package io.starlet.boot.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class StarletActuatorAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(StarletServletWebServerAutoConfiguration.class,
				StarletHealthContributorAutoConfiguration.class, StarletMetricsAutoConfiguration.class,
				StarletServletManagementContextAutoConfiguration.class));

	@Test
	void healthIndicatorNamedStarlet() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(StarletHealthIndicator.class)
			.hasBean("starletHealthIndicator"));
	}

	@Test
	void healthIndicatorCanBeSwitchedOff() {
		this.runner.withPropertyValues("management.health.starlet.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(StarletHealthIndicator.class));
	}

	@Test
	void metricsBinderOnlyWithAMeterRegistry() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(StarletMetricsBinder.class));
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> assertThat(context).hasSingleBean(StarletMetricsBinder.class));
	}

	@Test
	void managementContextFactoryOnlyForADifferentManagementPort() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(ManagementContextFactory.class));
		this.runner.withPropertyValues("management.server.port=0")
			.run((context) -> assertThat(context).hasSingleBean(ManagementContextFactory.class));
	}

	@Test
	void virtualThreadsKeepPlatformWorkersAndSaySo() {
		boolean virtualThreadsActive = Runtime.version().feature() >= 21;
		this.runner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBeansOfType(StarletVirtualThreadsWebServerFactoryCustomizer.class))
				.hasSize(virtualThreadsActive ? 1 : 0);
		});
	}

}
