package io.starlet;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One address to listen on: TCP {@code host:port} / {@code :port} / {@code [v6]:port}, or a UNIX
 * domain socket path (anything containing {@code /}). Port 0 picks a free port.
 */
public record Listen(String host, int port, Path unixPath) {

	public Listen {
		if (unixPath == null && (port < 0 || port > 65535)) {
			throw new IllegalArgumentException("port out of range: " + port);
		}
	}

	public static Listen tcp(String host, int port) {
		return new Listen(host, port, null);
	}

	public static Listen unix(Path path) {
		return new Listen(null, -1, Objects.requireNonNull(path));
	}

	public boolean isUnix() {
		return this.unixPath != null;
	}

	/**
	 * Parses Starlet's {@code --listen} syntax.
	 * @throws IllegalArgumentException with a message saying what was expected
	 */
	public static Listen parse(String spec) {
		if (spec == null || spec.isBlank()) {
			throw new IllegalArgumentException("empty listen address");
		}
		String s = spec.trim();
		if (s.contains("/")) {
			return unix(Path.of(s));
		}
		int colon = s.lastIndexOf(':');
		if (colon < 0) {
			throw new IllegalArgumentException(
					"'" + spec + "' is not a listen address: use host:port, :port or a UNIX socket path");
		}
		String host = s.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		else if (host.contains(":")) {
			throw new IllegalArgumentException("'" + spec + "': write IPv6 hosts in brackets, e.g. [::1]:8080");
		}
		int port;
		try {
			port = Integer.parseInt(s.substring(colon + 1));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + spec + "' has no numeric port: use host:port, :port or a UNIX socket path");
		}
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("'" + spec + "': port must be between 0 and 65535");
		}
		return tcp(host.isEmpty() ? null : host, port);
	}


	@Override
	public String toString() {
		if (isUnix()) {
			return this.unixPath.toString();
		}
		String h = (this.host == null) ? "" : (this.host.contains(":") ? "[" + this.host + "]" : this.host);
		return h + ":" + this.port;
	}

}
