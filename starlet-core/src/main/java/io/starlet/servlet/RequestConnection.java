package io.starlet.servlet;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

import io.starlet.Exchange;
import jakarta.servlet.ServletConnection;

/**
 * A request's view of its connection: the client and the host it addressed as a trusted proxy's
 * forwarded headers say ({@link ForwardedHeaders}, resolved on first use: most requests never
 * ask), the socket's local side, and the {@link ServletConnection}.
 */
final class RequestConnection {

	private final Exchange exchange;

	private final ForwardedHeaders forwardedHeaders;

	private ClientInfo client;

	RequestConnection(Exchange exchange, ForwardedHeaders forwardedHeaders) {
		this.exchange = exchange;
		this.forwardedHeaders = forwardedHeaders;
	}

	ClientInfo client() {
		ClientInfo c = this.client;
		if (c == null) {
			// a race between two threads of an async request computes the same value twice
			c = this.forwardedHeaders.resolve(this.exchange);
			this.client = c;
		}
		return c;
	}

	String remoteAddr() {
		// Spring MVC asks on every request (its request-handled event): without forwarded
		// headers the answer is the socket's peer, with no need to resolve the rest
		if (this.client == null && !this.forwardedHeaders.enabled()) {
			return ForwardedHeaders.peerAddress(this.exchange.remoteAddress());
		}
		return client().remoteAddr();
	}

	int remotePort() {
		if (this.client == null && !this.forwardedHeaders.enabled()) {
			return ForwardedHeaders.peerPort(this.exchange.remoteAddress());
		}
		return client().remotePort();
	}

	String localName() {
		SocketAddress local = this.exchange.localAddress();
		return (local instanceof InetSocketAddress inet) ? inet.getHostString() : "localhost";
	}

	String localAddr() {
		SocketAddress local = this.exchange.localAddress();
		return (local instanceof InetSocketAddress inet && inet.getAddress() != null)
				? inet.getAddress().getHostAddress() : "127.0.0.1";
	}

	int localPort() {
		SocketAddress local = this.exchange.localAddress();
		return (local instanceof InetSocketAddress inet) ? inet.getPort() : 0;
	}

	ServletConnection servletConnection() {
		long connectionId = this.exchange.connectionId();
		String protocol = this.exchange.protocol().toLowerCase(Locale.ROOT);
		return new ServletConnection() {

			@Override
			public String getConnectionId() {
				return Long.toString(connectionId);
			}

			@Override
			public String getProtocol() {
				return protocol;
			}

			@Override
			public String getProtocolConnectionId() {
				return "";
			}

			@Override
			public boolean isSecure() {
				return false;
			}

		};
	}

}
