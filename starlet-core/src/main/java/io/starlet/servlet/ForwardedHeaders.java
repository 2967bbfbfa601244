package io.starlet.servlet;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import io.starlet.Exchange;
import io.starlet.http.Fields;

/**
 * Works out the client and the addressed host from the connection and, when enabled and the peer
 * is a trusted proxy, from {@code Forwarded} (RFC 7239) or {@code X-Forwarded-For/-Proto/-Host/-Port}.
 * Headers from untrusted peers are ignored: anyone can send them.
 */
final class ForwardedHeaders {

	/** Loopback, site-local (10/8, 172.16/12, 192.168/16), link-local and IPv6 unique-local addresses. */
	static final Predicate<InetAddress> PRIVATE_NETWORKS = (address) -> address.isLoopbackAddress()
			|| address.isSiteLocalAddress() || address.isLinkLocalAddress()
			|| (address.getAddress().length == 16 && (address.getAddress()[0] & 0xfe) == 0xfc);

	private final boolean enabled;

	private final Predicate<InetAddress> trustedProxies;

	ForwardedHeaders(boolean enabled, Predicate<InetAddress> trustedProxies) {
		this.enabled = enabled;
		this.trustedProxies = (trustedProxies != null) ? trustedProxies : PRIVATE_NETWORKS;
	}

	static final ForwardedHeaders DISABLED = new ForwardedHeaders(false, null);

	/** Whether forwarded headers are read at all; when not, the client is the socket's peer. */
	boolean enabled() {
		return this.enabled;
	}

	/** The peer's address as text (no DNS lookup); a UNIX socket's peer is local. */
	static String peerAddress(SocketAddress remote) {
		return (remote instanceof InetSocketAddress inet && inet.getAddress() != null)
				? inet.getAddress().getHostAddress() : "127.0.0.1";
	}

	static int peerPort(SocketAddress remote) {
		return (remote instanceof InetSocketAddress inet && inet.getAddress() != null) ? inet.getPort() : 0;
	}

	ClientInfo resolve(Exchange exchange) {
		SocketAddress remote = exchange.remoteAddress();
		String remoteAddr = peerAddress(remote);
		int remotePort = peerPort(remote);
		boolean peerTrusted;
		if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
			peerTrusted = this.enabled && this.trustedProxies.test(inet.getAddress());
		}
		else {
			peerTrusted = this.enabled && remote instanceof UnixDomainSocketAddress;
		}
		Fields headers = exchange.requestHeaders();
		String scheme = "http";
		String host = headers.get("Host");
		int port = -1;
		if (peerTrusted) {
			String forwarded = headers.get("Forwarded");
			if (forwarded != null) {
				List<String[]> elements = parseForwarded(headers.getAll("Forwarded"));
				String proto = value(elements, 0, "proto");
				if (proto != null) {
					scheme = proto.toLowerCase(Locale.ROOT);
				}
				String forwardedHost = value(elements, 0, "host");
				if (forwardedHost != null) {
					host = forwardedHost;
				}
				List<String> fors = new ArrayList<>();
				for (int i = 0; i < elements.size(); i++) {
					String f = value(elements, i, "for");
					if (f != null) {
						fors.add(f);
					}
				}
				String[] client = clientOf(fors);
				if (client != null) {
					remoteAddr = client[0];
					remotePort = (client[1] != null) ? parsePort(client[1], remotePort) : remotePort;
				}
			}
			else {
				String proto = first(headers.getAll("X-Forwarded-Proto"));
				if (proto != null) {
					scheme = proto.toLowerCase(Locale.ROOT);
				}
				String forwardedHost = first(headers.getAll("X-Forwarded-Host"));
				if (forwardedHost != null) {
					host = forwardedHost;
				}
				String forwardedPort = first(headers.getAll("X-Forwarded-Port"));
				if (forwardedPort != null) {
					port = parsePort(forwardedPort, -1);
				}
				List<String> fors = new ArrayList<>();
				for (String value : headers.getAll("X-Forwarded-For")) {
					for (String item : value.split(",")) {
						if (!item.isBlank()) {
							fors.add(item.trim());
						}
					}
				}
				String[] client = clientOf(fors);
				if (client != null) {
					remoteAddr = client[0];
					remotePort = (client[1] != null) ? parsePort(client[1], 0) : 0;
				}
			}
			if (!scheme.equals("http") && !scheme.equals("https")) {
				scheme = "http";
			}
		}
		String serverName;
		if (host != null && !host.isEmpty()) {
			String[] split = splitHostPort(host);
			serverName = split[0];
			if (port < 0 && split[1] != null) {
				port = parsePort(split[1], -1);
			}
		}
		else {
			SocketAddress local = exchange.localAddress();
			if (local instanceof InetSocketAddress inet) {
				serverName = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
				if (serverName.indexOf(':') >= 0) {
					serverName = "[" + serverName + "]";
				}
				if (port < 0 && !peerTrusted) {
					port = inet.getPort();
				}
			}
			else {
				serverName = "localhost";
			}
		}
		if (port < 0) {
			port = scheme.equals("https") ? 443 : 80;
		}
		return new ClientInfo(scheme, serverName, port, remoteAddr, remotePort);
	}

	/** The client: walking from the nearest proxy back, the first address that is not a trusted proxy. */
	private String[] clientOf(List<String> fors) {
		if (fors.isEmpty()) {
			return null;
		}
		String[] candidate = null;
		for (int i = fors.size() - 1; i >= 0; i--) {
			String[] hostPort = splitHostPort(fors.get(i));
			String address = hostPort[0];
			if (address.startsWith("[") && address.endsWith("]")) {
				address = address.substring(1, address.length() - 1);
			}
			candidate = new String[] { address, hostPort[1] };
			InetAddress parsed = literalAddress(address);
			if (parsed == null || !this.trustedProxies.test(parsed)) {
				return candidate;
			}
		}
		return candidate;
	}

	/** Parses an IP literal without any DNS lookup; null when it is not one. */
	static InetAddress literalAddress(String text) {
		if (text.isEmpty()) {
			return null;
		}
		boolean ipv4 = true;
		boolean ipv6 = text.indexOf(':') >= 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (!(c == '.' || (c >= '0' && c <= '9'))) {
				ipv4 = false;
			}
			if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
				ipv6 = false;
			}
		}
		if (!ipv4 && !ipv6) {
			return null;
		}
		try {
			return InetAddress.getByName(text);
		}
		catch (java.net.UnknownHostException ex) {
			return null;
		}
	}

	private static String first(List<String> values) {
		for (String value : values) {
			int comma = value.indexOf(',');
			String first = ((comma >= 0) ? value.substring(0, comma) : value).trim();
			if (!first.isEmpty()) {
				return first;
			}
		}
		return null;
	}

	private static int parsePort(String text, int fallback) {
		try {
			int port = Integer.parseInt(text.trim());
			return (port > 0 && port <= 65535) ? port : fallback;
		}
		catch (NumberFormatException ex) {
			return fallback;
		}
	}

	/** Splits {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}; the port may be null. */
	static String[] splitHostPort(String value) {
		String v = value.trim();
		if (v.startsWith("[")) {
			int close = v.indexOf(']');
			if (close < 0) {
				return new String[] { v, null };
			}
			String host = v.substring(0, close + 1);
			String port = (close + 1 < v.length() && v.charAt(close + 1) == ':') ? v.substring(close + 2) : null;
			return new String[] { host, port };
		}
		int colon = v.indexOf(':');
		if (colon >= 0 && v.indexOf(':', colon + 1) < 0) {
			return new String[] { v.substring(0, colon), v.substring(colon + 1) };
		}
		return new String[] { v, null };
	}

	/** Forwarded elements in order, each as alternating lower-case names and unquoted values. */
	static List<String[]> parseForwarded(List<String> values) {
		List<String[]> elements = new ArrayList<>();
		for (String value : values) {
			for (String element : value.split(",")) {
				List<String> pairs = new ArrayList<>();
				for (String pair : element.split(";")) {
					int eq = pair.indexOf('=');
					if (eq <= 0) {
						continue;
					}
					String v = pair.substring(eq + 1).trim();
					if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
						v = v.substring(1, v.length() - 1);
					}
					pairs.add(pair.substring(0, eq).trim().toLowerCase(Locale.ROOT));
					pairs.add(v);
				}
				elements.add(pairs.toArray(new String[0]));
			}
		}
		return elements;
	}

	private static String value(List<String[]> elements, int index, String name) {
		if (index >= elements.size()) {
			return null;
		}
		String[] pairs = elements.get(index);
		for (int i = 0; i + 1 < pairs.length; i += 2) {
			if (pairs[i].equals(name)) {
				return pairs[i + 1];
			}
		}
		return null;
	}

}
