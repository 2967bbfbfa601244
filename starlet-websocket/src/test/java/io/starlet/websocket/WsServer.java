package io.starlet.websocket;

import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;
import io.starlet.servlet.ServletContainer;

/**
 * Test fixture: a servlet container with the WebSocket server installed, served by a real
 * {@link StarletServer} on 127.0.0.1 and an ephemeral port.
 */
final class WsServer implements AutoCloseable {

	interface Configurer {

		void configure(ServletContainer servlets, StarletServerContainer websocket) throws Exception;

	}

	final ServletContainer servlets;

	final StarletServerContainer websocket;

	final StarletServer server;

	private boolean closed;

	private WsServer(ServletContainer servlets, StarletServerContainer websocket, StarletServer server) {
		this.servlets = servlets;
		this.websocket = websocket;
		this.server = server;
	}

	static WsServer start(int maxWorkers, Configurer configurer) throws Exception {
		return start(StarletConfig.builder().maxWorkers(maxWorkers), configurer);
	}

	static WsServer start(StarletConfig.Builder config, Configurer configurer) throws Exception {
		ServletContainer servlets = new ServletContainer();
		StarletServerContainer websocket = StarletWebSocket.install(servlets.getServletContext());
		configurer.configure(servlets, websocket);
		servlets.startContext();
		servlets.initServlets();
		StarletServer server = new StarletServer(config.listen("127.0.0.1", 0).build(), servlets);
		server.start();
		return new WsServer(servlets, websocket, server);
	}

	int port() {
		return this.server.port();
	}

	String ws(String path) {
		return "ws://127.0.0.1:" + port() + path;
	}

	RawWsClient connect(String path, String... headers) throws Exception {
		return RawWsClient.connect(port(), path, headers);
	}

	/** Stops as the starter does: the server, then the context (contextDestroyed says goodbye). */
	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.server.stop();
		this.servlets.destroy();
	}

}
