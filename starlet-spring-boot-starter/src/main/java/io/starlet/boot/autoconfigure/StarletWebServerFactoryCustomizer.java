package io.starlet.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.starlet.ChildExitHook;
import io.starlet.StarletConfig;
import io.starlet.boot.StarletServerCustomizer;
import io.starlet.boot.StarletServletWebServerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.web.server.autoconfigure.ServerProperties.ForwardHeadersStrategy;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

/**
 * Applies {@code starlet.*}, the {@code server.*} keys that Boot's own customizer leaves to each
 * server ({@code server.max-http-request-header-size}, {@code server.forward-headers-strategy})
 * and the {@link ChildExitHook} beans to a
 * {@link StarletServletWebServerFactory}. Runs after Boot's {@code ServletWebServerFactoryCustomizer}
 * so that it can reject the {@code server.*} settings Starlet does not serve while the context is
 * still being built.
 *
 * <p>Its {@link StarletServerCustomizer} goes first in the factory's list, so that the
 * {@code StarletServerCustomizer} beans of the application see, and may override, the bound
 * properties.
 */
class StarletWebServerFactoryCustomizer
		implements WebServerFactoryCustomizer<StarletServletWebServerFactory>, Ordered, EnvironmentAware {

	static final int ORDER = 1;

	private final ServerProperties serverProperties;

	private final StarletProperties starletProperties;

	private final ObjectProvider<ChildExitHook> childExitHooks;

	private final ChildExitHookResolver childExitHookResolver;

	private final boolean managementServer;

	private Environment environment;

	StarletWebServerFactoryCustomizer(ServerProperties serverProperties, StarletProperties starletProperties,
			ObjectProvider<ChildExitHook> childExitHooks, ChildExitHookResolver childExitHookResolver) {
		this(serverProperties, starletProperties, childExitHooks, childExitHookResolver, false);
	}

	/**
	 * @param managementServer whether the factory serves Actuator's separate management port: it
	 * then gets neither the extra listen addresses, nor the child-exit hooks, nor the signals
	 */
	StarletWebServerFactoryCustomizer(ServerProperties serverProperties, StarletProperties starletProperties,
			ObjectProvider<ChildExitHook> childExitHooks, ChildExitHookResolver childExitHookResolver,
			boolean managementServer) {
		this.serverProperties = serverProperties;
		this.starletProperties = starletProperties;
		this.childExitHooks = childExitHooks;
		this.childExitHookResolver = childExitHookResolver;
		this.managementServer = managementServer;
	}

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void customize(StarletServletWebServerFactory factory) {
		factory.rejectUnsupportedSettings();
		factory.setUseForwardHeaders(useForwardHeaders());
		if (!this.starletProperties.getTrustedProxies().isEmpty()) {
			factory.setTrustedProxies(AddressRanges.parse(this.starletProperties.getTrustedProxies()));
		}
		factory.setAccessLogEnabled(this.starletProperties.isAccessLog());
		factory.setUseRelativeRedirects(this.starletProperties.isUseRelativeRedirects());
		List<StarletServerCustomizer> customizers = new ArrayList<>(factory.getServerCustomizers());
		customizers.add(0, this::customize);
		factory.setServerCustomizers(customizers);
	}

	/** As Boot's own servers decide: the strategy when set, else whether the cloud platform proxies. */
	private boolean useForwardHeaders() {
		ForwardHeadersStrategy strategy = this.serverProperties.getForwardHeadersStrategy();
		if (strategy != null) {
			return strategy == ForwardHeadersStrategy.NATIVE;
		}
		CloudPlatform platform = (this.environment != null) ? CloudPlatform.getActive(this.environment) : null;
		return platform != null && platform.isUsingForwardHeaders();
	}

	private void customize(StarletConfig.Builder config) {
		this.starletProperties.applyTo(config, !this.managementServer);
		DataSize maxHeaderSize = this.serverProperties.getMaxHttpRequestHeaderSize();
		if (maxHeaderSize != null && maxHeaderSize.toBytes() > 0) {
			config.maxRequestHeaderSize((int) Math.min(Integer.MAX_VALUE, maxHeaderSize.toBytes()));
		}
		if (this.managementServer) {
			config.signals(false);
			return;
		}
		List<ChildExitHook> hooks = new ArrayList<>(this.childExitHooks.orderedStream().toList());
		String childExit = this.starletProperties.getChildExit();
		if (childExit != null && !childExit.isBlank()) {
			ChildExitHook named = this.childExitHookResolver.resolve(childExit.trim());
			if (!hooks.contains(named)) {
				hooks.add(named);
			}
		}
		hooks.forEach(config::childExitHook);
	}

}
