package io.starlet.tck;

import java.net.InetAddress;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Map;

import io.starlet.boot.StarletServletWebServerFactory;
import io.starlet.boot.StarletWebServer;
import org.apache.jasper.servlet.JspServlet;

import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.servlet.AbstractServletWebServerFactoryTests;
import org.springframework.boot.web.server.servlet.ConfigurableServletWebServerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boot's factory tests ({@code AbstractServletWebServerFactoryTests}) on Starlet: what Boot's
 * Tomcat and Jetty test classes supply, for Starlet. The container's tables are read
 * reflectively because Starlet keeps them package-private: users never need them.
 */
class StarletServletWebServerFactoryTckTests extends AbstractServletWebServerFactoryTests {

	@Override
	protected ConfigurableServletWebServerFactory getFactory() {
		StarletServletWebServerFactory factory = new StarletServletWebServerFactory(0);
		factory.setAddress(InetAddress.getLoopbackAddress()); // loopback only, as every test server here
		// Jasper is on this class path only because Boot's tests compile against it
		factory.getSettings().getJsp().setRegistered(false);
		return factory;
	}

	@Override
	protected void addConnector(int port, ConfigurableServletWebServerFactory factory) {
		((StarletServletWebServerFactory) factory).addServerCustomizers((config) -> config.listen(InetAddress.getLoopbackAddress().getHostAddress(), port));
	}

	@Override
	protected void handleExceptionCausedByBlockedPortOnPrimaryConnector(RuntimeException ex, int blockedPort) {
		assertThat(ex).isInstanceOf(PortInUseException.class);
		assertThat(((PortInUseException) ex).getPort()).isEqualTo(blockedPort);
	}

	@Override
	protected void handleExceptionCausedByBlockedPortOnSecondaryConnector(RuntimeException ex, int blockedPort) {
		handleExceptionCausedByBlockedPortOnPrimaryConnector(ex, blockedPort);
	}

	@Override
	@SuppressWarnings("unchecked")
	protected Map<String, String> getActualMimeMappings() {
		Object settings = invoke(field(context(), "settings"), "mimeTypes");
		return (Map<String, String>) invoke(settings, "toMap");
	}

	@Override
	protected Charset getCharset(Locale locale) {
		return (Charset) invoke(context(), "charsetForLocale", locale);
	}

	@Override
	protected JspServlet getJspServlet() {
		return null; // no JSP engine: Starlet registers no jsp servlet
	}

	@Override
	protected String startedLogMessage() {
		return (String) invoke(this.webServer, "startedLogMessage");
	}

	private Object context() {
		return field(((StarletWebServer) this.webServer).getServletContainer(), "context");
	}

	private static Object field(Object target, String name) {
		try {
			Field field = target.getClass().getDeclaredField(name);
			field.setAccessible(true);
			return field.get(target);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Object invoke(Object target, String name, Object... args) {
		try {
			for (Method method : target.getClass().getDeclaredMethods()) {
				if (method.getName().equals(name) && method.getParameterCount() == args.length) {
					method.setAccessible(true);
					return method.invoke(target, args);
				}
			}
			throw new NoSuchMethodException(target.getClass().getName() + "." + name);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
