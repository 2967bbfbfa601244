package io.starlet.boot.autoconfigure;

import io.starlet.ChildExitHook;
import io.starlet.boot.StarletConfigurationException;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Resolves {@code starlet.child-exit}: the name of a {@link ChildExitHook} bean, or else the name
 * of a class implementing it, which is then created (and autowired) by the bean factory.
 */
class ChildExitHookResolver {

	private static final String ACTION = "Set starlet.child-exit to the name of a ChildExitHook bean, or to the "
			+ "fully qualified name of a class implementing io.starlet.ChildExitHook.";

	private final ConfigurableListableBeanFactory beanFactory;

	ChildExitHookResolver(ConfigurableListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	ChildExitHook resolve(String name) {
		if (this.beanFactory.containsBean(name)) {
			Object bean = this.beanFactory.getBean(name);
			if (bean instanceof ChildExitHook hook) {
				return hook;
			}
			throw invalid(name, "the bean '" + name + "' is a " + bean.getClass().getName() + ", not a "
					+ ChildExitHook.class.getName());
		}
		Class<?> type;
		try {
			type = ClassUtils.forName(name, this.beanFactory.getBeanClassLoader());
		}
		catch (ClassNotFoundException | LinkageError ex) {
			throw invalid(name, "it is neither a bean name nor a class name");
		}
		if (!ChildExitHook.class.isAssignableFrom(type)) {
			throw invalid(name, "the class does not implement " + ChildExitHook.class.getName());
		}
		try {
			return (ChildExitHook) this.beanFactory.createBean(type, AutowireCapableBeanFactory.AUTOWIRE_CONSTRUCTOR,
					false);
		}
		catch (BeansException ex) {
			throw new StarletConfigurationException("starlet.child-exit='" + name + "': the hook could not be created.",
					ACTION, ex);
		}
	}

	private static StarletConfigurationException invalid(String name, String reason) {
		return new StarletConfigurationException("starlet.child-exit='" + name + "' is invalid: " + reason + ".",
				ACTION);
	}

}
