package io.starlet.boot;

import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.boot.web.server.Ssl;
import org.springframework.context.ApplicationContextException;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class StarletConfigurationFailureAnalyzerTests {

	@Test
	void registeredWithSpringBoot() throws Exception {
		List<String> analyzers = new ArrayList<>();
		Enumeration<URL> resources = getClass().getClassLoader().getResources(SpringFactoriesLoader.FACTORIES_RESOURCE_LOCATION);
		while (resources.hasMoreElements()) {
			Properties properties = PropertiesLoaderUtils.loadProperties(new UrlResource(resources.nextElement()));
			String names = properties.getProperty(FailureAnalyzer.class.getName());
			if (names != null) {
				analyzers.addAll(List.of(names.split("\\s*,\\s*")));
			}
		}
		assertThat(analyzers).contains(StarletConfigurationFailureAnalyzer.class.getName());
	}

	@Test
	void reportsWhatIsUnsupportedAndWhatToDo() {
		StarletServletWebServerFactory factory = new StarletServletWebServerFactory(0);
		Ssl ssl = new Ssl();
		ssl.setEnabled(true);
		factory.setSsl(ssl);
		StarletConfigurationException failure = catchThrowableOfType(StarletConfigurationException.class,
				factory::getWebServer);
		FailureAnalysis analysis = new StarletConfigurationFailureAnalyzer()
			.analyze(new ApplicationContextException("Unable to start web server", failure));
		assertThat(analysis.getDescription()).isEqualTo("Starlet does not support server.ssl.enabled=true.");
		assertThat(analysis.getAction()).contains("terminate TLS at the proxy");
	}

}
