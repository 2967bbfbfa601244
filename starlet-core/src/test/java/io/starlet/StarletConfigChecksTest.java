package io.starlet;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * StarletConfig's checks: every broken rule is reported, by the {@code starlet.*} property name
 * the Spring starter shows (it reports these problems instead of repeating the rules), and the
 * one decision whether the listening socket is inherited.
 */
class StarletConfigChecksTest {

	@Test
	void everyProblemIsNamedByItsProperty() {
		StarletConfig.InvalidConfigException ex = catchThrowableOfType(() -> StarletConfig.builder()
			.maxWorkers(-1)
			.maxReqsPerChild(10)
			.minReqsPerChild(20)
			.timeout(Duration.ZERO)
			.requestBodyBufferSize(-5)
			.build(), StarletConfig.InvalidConfigException.class);
		assertThat(ex).isNotNull();
		assertThat(ex.problems()).extracting(StarletConfig.Problem::property)
			.containsExactly("max-workers", "min-reqs-per-child", "timeout", "request-body-buffer-size");
		assertThat(ex.problems().get(0).reason()).contains("0 or more").contains("-1");
		assertThat(ex.getMessage()).contains("max-workers must be 0 or more").contains("; timeout must be a positive duration");
	}

	@Test
	void theDefaultsAndTheLimitsThemselvesAreValid() {
		assertThat(StarletConfig.builder().build().maxWorkers()).isEqualTo(10);
		StarletConfig edges = StarletConfig.builder()
			.maxWorkers(0)
			.minReqsPerChild(100)
			.requestBodyBufferSize(StarletConfig.MAX_REQUEST_BODY_BUFFER_SIZE)
			.maxRequestBodySize(-1)
			.build();
		assertThat(edges.requestBodyBufferSize()).isEqualTo(StarletConfig.MAX_REQUEST_BODY_BUFFER_SIZE);
		assertThat(catchThrowableOfType(
				() -> StarletConfig.builder().requestBodyBufferSize(StarletConfig.MAX_REQUEST_BODY_BUFFER_SIZE + 1).build(),
				StarletConfig.InvalidConfigException.class).problems())
			.extracting(StarletConfig.Problem::property)
			.containsExactly("request-body-buffer-size");
	}

	@Test
	void aMissingDurationIsAProblemNotANullPointer() {
		assertThat(catchThrowableOfType(() -> StarletConfig.builder().errRespawnInterval(null).keepaliveTimeout(null).build(),
				StarletConfig.InvalidConfigException.class).problems())
			.extracting(StarletConfig.Problem::property)
			.containsExactly("keepalive-timeout", "err-respawn-interval");
	}

	@Test
	void theSocketIsInheritedWhenConfiguredOrWhenServerStarterNamesIt() {
		StarletConfig plain = StarletConfig.builder().build();
		assertThat(plain.inheritsChannel(Map.<String, String>of()::get)).isFalse();
		assertThat(plain.inheritsChannel(Map.of("SERVER_STARTER_PORT", " ")::get)).isFalse();
		assertThat(plain.inheritsChannel(Map.of("SERVER_STARTER_PORT", "8080=3")::get)).isTrue();
		assertThat(StarletConfig.builder().inheritedChannel(true).build().inheritsChannel(Map.<String, String>of()::get))
			.isTrue();
	}

}
