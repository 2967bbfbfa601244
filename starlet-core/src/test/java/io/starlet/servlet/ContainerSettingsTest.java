package io.starlet.servlet;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** The container's settings: validated as they are set, and immutable once built. */
class ContainerSettingsTest {

	@Test
	void aBuiltSettingsObjectDoesNotChangeWithItsBuilder() {
		ContainerSettings.Builder builder = ContainerSettings.builder().contextPath("/app").mimeMapping("x", "text/x");
		ContainerSettings settings = builder.build();
		builder.contextPath("/other").mimeMapping("y", "text/y").errorPage(404, "/missing");
		assertThat(settings.contextPath()).isEqualTo("/app");
		assertThat(settings.mimeMappings()).containsEntry("x", "text/x").doesNotContainKey("y");
		assertThat(settings.errorPages().forStatus(404)).isNull();
		assertThat(builder.build().errorPages().forStatus(404)).isEqualTo("/missing");
	}

	@Test
	void defaultsAreTheContainersOwn() {
		ContainerSettings settings = ContainerSettings.builder().build();
		assertThat(settings.contextPath()).isEmpty();
		assertThat(settings.displayName()).isEqualTo("application");
		assertThat(settings.defaultServletEnabled()).isTrue();
		assertThat(settings.useRelativeRedirects()).isFalse();
		assertThat(settings.sessionTimeoutSeconds()).isEqualTo(30 * 60);
		assertThat(settings.mimeMappings()).containsEntry("html", "text/html");
		assertThat(settings.forwardedHeaders().enabled()).isFalse();
		assertThat(settings.compression()).isNull();
	}

	@Test
	void valuesAreCheckedWhenSet() {
		assertThatIllegalArgumentException().isThrownBy(() -> ContainerSettings.builder().contextPath("app"));
		assertThatIllegalArgumentException().isThrownBy(() -> ContainerSettings.builder().errorPage(500, "error"));
		assertThatNullPointerException().isThrownBy(() -> ContainerSettings.builder().mimeMapping(null, "text/x"));
		ContainerSettings replaced = ContainerSettings.builder().mimeMappings(Map.of(".CUSTOM", "text/x-custom")).build();
		assertThat(replaced.mimeMappings()).containsOnly(Map.entry("custom", "text/x-custom"));
		assertThat(ContainerSettings.builder().sessionTimeout(Duration.ofSeconds(-1)).build().sessionTimeoutSeconds()).isZero();
		assertThat(ContainerSettings.builder().sessionTimeout(Duration.ofMillis(10)).build().sessionTimeoutSeconds()).isEqualTo(1);
	}

}
