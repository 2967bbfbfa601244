package io.starlet.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.starlet.ChildExitHook;
import io.starlet.Listen;
import io.starlet.StarletConfig;
import io.starlet.WorkerInfo;
import io.starlet.boot.StarletServerCustomizer;
import io.starlet.boot.StarletServletWebServerFactory;
import org.junit.jupiter.api.Test;

import io.starlet.server.StarletServer;
import io.starlet.websocket.StarletServerContainer;
import jakarta.websocket.server.ServerContainer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.server.servlet.context.AnnotationConfigServletWebServerApplicationContext;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.servlet.ServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

class StarletServletWebServerAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(StarletServletWebServerAutoConfiguration.class));

	@Test
	void starletIsTheServletWebServerWhenTomcatIsExcluded() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ServletWebServerFactory.class);
			assertThat(context.getBean(ServletWebServerFactory.class)).isInstanceOf(StarletServletWebServerFactory.class);
			assertThat(context).hasBean("webServerFactoryCustomizerBeanPostProcessor");
			assertThat(context).hasBean("servletWebServerFactoryCustomizer");
		});
	}

	@Test
	void starletIsChosenOverTomcatAndJettyOnTheClassPath() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TomcatServletWebServerAutoConfiguration.class,
					JettyServletWebServerAutoConfiguration.class, StarletServletWebServerAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(ServletWebServerFactory.class);
				assertThat(context.getBean(ServletWebServerFactory.class))
					.isInstanceOf(StarletServletWebServerFactory.class);
			});
	}

	@Test
	void tomcatIsUsedWithoutStarletSoTheOrderingIsWhatDecides() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TomcatServletWebServerAutoConfiguration.class,
					StarletServletWebServerAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(StarletServer.class))
			.run((context) -> assertThat(context.getBean(ServletWebServerFactory.class))
				.isInstanceOf(TomcatServletWebServerFactory.class));
	}

	@Test
	void starletIsChosenWhenTomcatIsExcludedFromTheClassPath() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TomcatServletWebServerAutoConfiguration.class,
					StarletServletWebServerAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.apache.catalina", "org.apache.tomcat"))
			.run((context) -> assertThat(context.getBean(ServletWebServerFactory.class))
				.isInstanceOf(StarletServletWebServerFactory.class));
	}

	@Test
	void webServerFactoryCustomizerBeansApplyToStarlet() {
		this.runner.withBean("portCustomizer", WebServerFactoryCustomizer.class,
				() -> (WebServerFactoryCustomizer<StarletServletWebServerFactory>) (factory) -> factory.setPort(9999))
			.run((context) -> assertThat(context.getBean(StarletServletWebServerFactory.class).getPort()).isEqualTo(9999));
	}

	@Test
	void serverPropertiesReachTheFactory() {
		this.runner.withPropertyValues("server.port=0", "server.servlet.context-path=/app", "server.shutdown=immediate")
			.run((context) -> {
				StarletServletWebServerFactory factory = context.getBean(StarletServletWebServerFactory.class);
				assertThat(factory.getPort()).isZero();
				assertThat(factory.getContextPath()).isEqualTo("/app");
				assertThat(factory.createStarletConfig().listen()).containsExactly(Listen.tcp(null, 0));
			});
	}

	@Test
	void notAWebApplicationMeansNoServer() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(StarletServletWebServerAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ServletWebServerFactory.class));
	}

	@Test
	void backsOffForTheApplicationsOwnFactory() {
		this.runner.withUserConfiguration(UserFactoryConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ServletWebServerFactory.class);
			assertThat(context.getBean(ServletWebServerFactory.class))
				.isSameAs(context.getBean("userFactory", ServletWebServerFactory.class));
		});
	}

	@Test
	void defaultsAreStarlets() {
		this.runner.run((context) -> {
			StarletConfig config = context.getBean(StarletServletWebServerFactory.class).createStarletConfig();
			assertThat(config.maxWorkers()).isEqualTo(10);
			assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(300));
			assertThat(config.keepaliveTimeout()).isEqualTo(Duration.ofSeconds(2));
			assertThat(config.maxKeepaliveReqs()).isEqualTo(1);
			assertThat(config.maxReqsPerChild()).isEqualTo(100);
			assertThat(config.minReqsPerChild()).isZero();
			assertThat(config.spawnInterval()).isNull();
			assertThat(config.errRespawnInterval()).isEqualTo(Duration.ofSeconds(1));
			assertThat(config.queueTimeout()).isNull();
			assertThat(config.signals()).isTrue();
			assertThat(config.reusePort()).isFalse();
			assertThat(config.maxRequestHeaderSize()).isEqualTo(8192);
			assertThat(config.unsentResponseSize()).isEqualTo(1024 * 1024);
			assertThat(config.unsentResponseMemory()).isEqualTo(64L * 1024 * 1024);
			assertThat(config.unsentResponseFileSize()).isEqualTo(1024L * 1024 * 1024);
			assertThat(config.listen()).containsExactly(Listen.tcp(null, 8080));
		});
	}

	@Test
	void everyStarletPropertyIsBoundAndApplied() {
		this.runner
			.withPropertyValues("starlet.max-workers=3", "starlet.timeout=30", "starlet.keepalive-timeout=500ms",
					"starlet.max-keepalive-reqs=5", "starlet.max-reqs-per-child=200",
					"starlet.min-reqs-per-child=150", "starlet.spawn-interval=2s", "starlet.err-respawn-interval=3",
					"starlet.listen[0]=127.0.0.1:9090", "starlet.listen[1]=/tmp/starlet.sock",
					"starlet.reuse-port=true", "starlet.queue-timeout=5", "starlet.signals=false",
					"starlet.request-head-timeout=7s", "server.max-http-request-header-size=16KB",
					"server.server-header=Starlet", "server.port=8081", "server.address=127.0.0.1",
					"starlet.unsent-response-size=256KB", "starlet.unsent-response-memory=8MB",
					"starlet.unsent-response-file-size=100MB")
			.run((context) -> {
				StarletConfig config = context.getBean(StarletServletWebServerFactory.class).createStarletConfig();
				assertThat(config.maxWorkers()).isEqualTo(3);
				assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(30));
				assertThat(config.keepaliveTimeout()).isEqualTo(Duration.ofMillis(500));
				assertThat(config.maxKeepaliveReqs()).isEqualTo(5);
				assertThat(config.maxReqsPerChild()).isEqualTo(200);
				assertThat(config.minReqsPerChild()).isEqualTo(150);
				assertThat(config.spawnInterval()).isEqualTo(Duration.ofSeconds(2));
				assertThat(config.errRespawnInterval()).isEqualTo(Duration.ofSeconds(3));
				assertThat(config.reusePort()).isTrue();
				assertThat(config.queueTimeout()).isEqualTo(Duration.ofSeconds(5));
				assertThat(config.signals()).isFalse();
				assertThat(config.requestHeadTimeout()).isEqualTo(Duration.ofSeconds(7));
				assertThat(config.maxRequestHeaderSize()).isEqualTo(16 * 1024);
				assertThat(config.serverHeader()).isEqualTo("Starlet");
				assertThat(config.unsentResponseSize()).isEqualTo(256 * 1024);
				assertThat(config.unsentResponseMemory()).isEqualTo(8L * 1024 * 1024);
				assertThat(config.unsentResponseFileSize()).isEqualTo(100L * 1024 * 1024);
				assertThat(config.listen()).containsExactly(Listen.tcp("127.0.0.1", 8081),
						Listen.tcp("127.0.0.1", 9090), Listen.unix(java.nio.file.Path.of("/tmp/starlet.sock")));
			});
	}

	@Test
	void nativeForwardHeadersStrategyAndAccessLogReachTheFactory() {
		this.runner.withPropertyValues("server.forward-headers-strategy=native", "starlet.access-log=true",
				"starlet.trusted-proxies=10.0.0.0/8,::1")
			.run((context) -> {
				StarletServletWebServerFactory factory = context.getBean(StarletServletWebServerFactory.class);
				assertThat(factory.isUseForwardHeaders()).isTrue();
				assertThat(factory.isAccessLogEnabled()).isTrue();
			});
	}

	@Test
	void useRelativeRedirectsIsOffByDefaultAndReachesTheFactory() {
		this.runner.run((context) -> assertThat(
				context.getBean(StarletServletWebServerFactory.class).isUseRelativeRedirects()).isFalse());
		this.runner.withPropertyValues("starlet.use-relative-redirects=true")
			.run((context) -> assertThat(
					context.getBean(StarletServletWebServerFactory.class).isUseRelativeRedirects()).isTrue());
	}

	@Test
	void forwardHeadersAreOffByDefaultAndWithTheFrameworkStrategy() {
		this.runner.run((context) -> assertThat(
				context.getBean(StarletServletWebServerFactory.class).isUseForwardHeaders()).isFalse());
		this.runner.withPropertyValues("server.forward-headers-strategy=framework")
			.run((context) -> assertThat(
					context.getBean(StarletServletWebServerFactory.class).isUseForwardHeaders()).isFalse());
	}

	@Test
	void forwardHeadersAreOnWhenTheCloudPlatformProxies() {
		this.runner.withPropertyValues("spring.main.cloud-platform=kubernetes")
			.run((context) -> assertThat(
					context.getBean(StarletServletWebServerFactory.class).isUseForwardHeaders()).isTrue());
	}

	@Test
	void badTrustedProxyFailsNamingTheProperty() {
		assertStartupFailureMentions("starlet.trusted-proxies=10.0.0.0/33", "starlet.trusted-proxies[0]");
		assertStartupFailureMentions("starlet.trusted-proxies=proxy.example.com", "starlet.trusted-proxies[0]");
	}

	@Test
	void negativeMaxWorkersFailsNamingTheProperty() {
		assertStartupFailureMentions("starlet.max-workers=-1", "starlet.max-workers");
	}

	@Test
	void minAboveMaxFailsNamingTheProperty() {
		assertStartupFailureMentions("starlet.min-reqs-per-child=200", "starlet.min-reqs-per-child");
	}

	@Test
	void theEnginesOwnChecksNameTheProperty() {
		// StarletConfig decides these; the starter reports each under its property
		assertStartupFailureMentions("starlet.request-body-buffer-size=3GB",
				"starlet.request-body-buffer-size must be between 0 and 2GB");
		assertStartupFailureMentions("starlet.max-keepalive-reqs=0", "starlet.max-keepalive-reqs must be 1 or more");
		assertStartupFailureMentions("starlet.queue-timeout=-1s", "starlet.queue-timeout must not be negative");
		assertStartupFailureMentions("starlet.unsent-response-size=-1B", "starlet.unsent-response-size must not be negative");
		assertStartupFailureMentions("starlet.unsent-response-file-size=-1B",
				"starlet.unsent-response-file-size must not be negative");
	}

	@Test
	void badListenAddressFailsNamingTheProperty() {
		assertStartupFailureMentions("starlet.listen=localhost", "starlet.listen[0]");
	}

	@Test
	void zeroTimeoutFailsNamingTheProperty() {
		assertStartupFailureMentions("starlet.timeout=0", "starlet.timeout");
	}

	@Test
	void unparsableDurationFailsNamingTheProperty() {
		assertStartupFailureMentions("starlet.keepalive-timeout=soon", "starlet.keepalive-timeout");
	}

	@Test
	void tlsIsRejected() {
		assertStartupFailureMentions("server.ssl.enabled=true", "server.ssl.enabled=true");
	}

	@Test
	void http2IsRejected() {
		assertStartupFailureMentions("server.http2.enabled=true", "server.http2.enabled=true");
	}

	@Test
	void webSocketServerIsInstalledWhenStarletWebSocketIsOnTheClassPath() {
		this.runner.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(StarletWebSocketCustomizer.class));
	}

	@Test
	void webSocketCompressionIsOnByDefaultAndAPropertyTurnsItOff() {
		WebApplicationContextRunner serving = new WebApplicationContextRunner(
				AnnotationConfigServletWebServerApplicationContext::new)
			.withConfiguration(AutoConfigurations.of(StarletServletWebServerAutoConfiguration.class))
			.withPropertyValues("server.port=0", "server.address=127.0.0.1");
		serving.run((context) -> assertThat(webSocketContainer(context).isPerMessageDeflate()).isTrue());
		serving.withPropertyValues("starlet.websocket-permessage-deflate=false")
			.run((context) -> assertThat(webSocketContainer(context).isPerMessageDeflate()).isFalse());
	}

	private static StarletServerContainer webSocketContainer(AssertableWebApplicationContext context) {
		return (StarletServerContainer) context.getServletContext().getAttribute(ServerContainer.class.getName());
	}

	@Test
	void webSocketServerBacksOffWithoutTheJakartaWebSocketApi() {
		this.runner.withClassLoader(new FilteredClassLoader("jakarta.websocket."))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StarletWebSocketCustomizer.class));
	}

	@Test
	void customizerBeansRunAfterThePropertiesInOrder() {
		this.runner.withUserConfiguration(CustomizerConfiguration.class)
			.withPropertyValues("starlet.max-workers=3", "starlet.max-reqs-per-child=50")
			.run((context) -> {
				StarletConfig config = context.getBean(StarletServletWebServerFactory.class).createStarletConfig();
				assertThat(config.maxWorkers()).isEqualTo(7);
				assertThat(config.maxReqsPerChild()).isEqualTo(51);
			});
	}

	@Test
	void childExitHookBeansRunInOrderThenTheNamedOne() {
		this.runner.withUserConfiguration(ChildExitHookConfiguration.class)
			.withPropertyValues("starlet.child-exit=" + NamedHook.class.getName())
			.run((context) -> {
				StarletConfig config = context.getBean(StarletServletWebServerFactory.class).createStarletConfig();
				List<String> calls = context.getBean(ChildExitHookConfiguration.class).calls;
				for (ChildExitHook hook : config.childExitHooks()) {
					hook.workerExiting(null);
				}
				assertThat(calls).containsExactly("first", "second");
				assertThat(config.childExitHooks()).hasSize(3);
				assertThat(config.childExitHooks().get(2)).isInstanceOf(NamedHook.class);
			});
	}

	@Test
	void childExitMayNameABeanThatIsNotCountedTwice() {
		this.runner.withUserConfiguration(ChildExitHookConfiguration.class)
			.withPropertyValues("starlet.child-exit=secondHook")
			.run((context) -> assertThat(
					context.getBean(StarletServletWebServerFactory.class).createStarletConfig().childExitHooks())
				.hasSize(2));
	}

	@Test
	void childExitNamingNothingFails() {
		this.runner.withPropertyValues("starlet.child-exit=noSuchHook").run((context) -> {
			StarletServletWebServerFactory factory = context.getBean(StarletServletWebServerFactory.class);
			org.assertj.core.api.Assertions.assertThatExceptionOfType(io.starlet.boot.StarletConfigurationException.class)
				.isThrownBy(factory::createStarletConfig)
				.withMessageContaining("starlet.child-exit='noSuchHook'");
		});
	}

	private void assertStartupFailureMentions(String property, String expected) {
		this.runner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains(expected);
		});
	}

	private static String messages(Throwable failure) {
		StringBuilder all = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			all.append(t.getMessage()).append('\n');
		}
		return all.toString();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserFactoryConfiguration {

		@Bean
		ServletWebServerFactory userFactory() {
			return (initializers) -> new WebServer() {

				@Override
				public void start() {
				}

				@Override
				public void stop() {
				}

				@Override
				public int getPort() {
					return -1;
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		@Order(2)
		StarletServerCustomizer addOneToBudget() {
			return (config) -> config.maxReqsPerChild(config.build().maxReqsPerChild() + 1);
		}

		@Bean
		@Order(1)
		StarletServerCustomizer sevenWorkers() {
			return (config) -> config.maxWorkers(7);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ChildExitHookConfiguration {

		final List<String> calls = new ArrayList<>();

		@Bean
		@Order(2)
		ChildExitHook secondHook() {
			return (worker) -> this.calls.add("second");
		}

		@Bean
		@Order(1)
		ChildExitHook firstHook() {
			return (worker) -> this.calls.add("first");
		}

	}

	static class NamedHook implements ChildExitHook {

		@Override
		public void workerExiting(WorkerInfo worker) {
		}

	}

}
