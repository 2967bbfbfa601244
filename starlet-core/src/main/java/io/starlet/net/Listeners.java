package io.starlet.net;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.starlet.Listen;
import io.starlet.ListenBindException;
import io.starlet.StarletConfig;

/**
 * The listening sockets: TCP addresses, UNIX-domain socket paths, and the socket inherited on
 * fd 0 from Server::Starter or systemd.
 */
public final class Listeners implements AutoCloseable {

	private static final int BACKLOG = 1024;

	private final List<ServerSocketChannel> channels = new ArrayList<>();

	private final List<Path> unixPaths = new ArrayList<>();

	private Listeners() {
	}

	/**
	 * Opens every listener; on failure closes those already open and rethrows
	 * ({@link ListenBindException}, naming the address, when one cannot be bound).
	 */
	public static Listeners open(List<Listen> addresses, boolean reusePort, boolean inherited) throws IOException {
		Listeners listeners = new Listeners();
		try {
			if (inherited) {
				listeners.channels.add(inheritedChannel());
			}
			for (Listen address : addresses) {
				listeners.channels.add(address.isUnix() ? listeners.openUnix(address.unixPath())
						: openTcp(address, reusePort));
			}
			for (ServerSocketChannel channel : listeners.channels) {
				channel.configureBlocking(false);
			}
			return listeners;
		}
		catch (IOException | RuntimeException ex) {
			listeners.close();
			throw ex;
		}
	}

	private static ServerSocketChannel openTcp(Listen address, boolean reusePort) throws IOException {
		InetSocketAddress socketAddress = (address.host() == null) ? new InetSocketAddress(address.port())
				: new InetSocketAddress(address.host(), address.port());
		if (socketAddress.isUnresolved()) {
			throw new IOException("cannot resolve listen host '" + address.host() + "'");
		}
		ServerSocketChannel channel = ServerSocketChannel.open();
		try {
			channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
			if (reusePort) {
				if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
					throw new IOException("SO_REUSEPORT is not supported on this platform");
				}
				channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			}
			channel.bind(socketAddress, BACKLOG);
			return channel;
		}
		catch (BindException ex) {
			channel.close();
			throw new ListenBindException(address, ex);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	private ServerSocketChannel openUnix(Path path) throws IOException {
		// A socket file left by a previous run would make bind fail; a non-socket is never removed.
		if (Files.exists(path) && !Files.isRegularFile(path) && !Files.isDirectory(path)) {
			Files.delete(path);
		}
		ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			channel.bind(UnixDomainSocketAddress.of(path), BACKLOG);
			this.unixPaths.add(path);
			return channel;
		}
		catch (BindException ex) {
			channel.close();
			throw new ListenBindException(Listen.unix(path), ex);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	private static ServerSocketChannel inheritedChannel() throws IOException {
		Channel channel = System.inheritedChannel();
		String advertised = System.getenv(StarletConfig.SERVER_STARTER_PORT);
		if (channel instanceof ServerSocketChannel server) {
			return server;
		}
		throw new IOException("No listening socket on file descriptor 0"
				+ ((advertised != null) ? " (SERVER_STARTER_PORT=" + advertised + ")" : "")
				+ ". Java can only adopt an inherited socket on fd 0: launch with "
				+ "start_server --port=127.0.0.1:8080=0 -- java -jar app.jar (the '=0' puts the socket on fd 0), or "
				+ "start_server --port=8080 -- sh -c 'exec java -jar app.jar <&" + advertisedFd(advertised) + "', "
				+ "or with systemd StandardInput=socket.");
	}

	/** The descriptor Server::Starter names for the first socket ({@code host:port=fd;...}). */
	private static String advertisedFd(String advertised) {
		if (advertised != null) {
			String first = advertised.split(";")[0];
			int eq = first.lastIndexOf('=');
			if (eq >= 0 && first.substring(eq + 1).matches("\\d+")) {
				return first.substring(eq + 1);
			}
		}
		return "\"${SERVER_STARTER_PORT##*=}\"";
	}

	public List<ServerSocketChannel> channels() {
		return this.channels;
	}

	/** The port of the first TCP listener, or -1. */
	public int port() {
		for (ServerSocketChannel channel : this.channels) {
			try {
				if (channel.getLocalAddress() instanceof InetSocketAddress inet) {
					return inet.getPort();
				}
			}
			catch (IOException ex) {
				// closed: look further
			}
		}
		return -1;
	}

	public List<SocketAddress> addresses() {
		List<SocketAddress> addresses = new ArrayList<>();
		for (ServerSocketChannel channel : this.channels) {
			try {
				addresses.add(channel.getLocalAddress());
			}
			catch (IOException ex) {
				// closed
			}
		}
		return addresses;
	}

	/** Synchronized: {@code stop()} and the acceptor's drain may close at the same time. */
	@Override
	public synchronized void close() {
		for (ServerSocketChannel channel : this.channels) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}
		for (Path path : this.unixPaths) {
			try {
				Files.deleteIfExists(path);
			}
			catch (IOException ex) {
				// best effort
			}
		}
		this.unixPaths.clear();
	}

}
