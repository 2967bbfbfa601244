package io.starlet.websocket;

import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

/**
 * The {@link HttpUpgradeHandler} that {@code request.upgrade} creates for a WebSocket handshake.
 * Public with a public constructor only because the servlet container instantiates it; the
 * handshake attaches the session before the dispatch returns, the engine calls {@link #init}
 * after writing the 101 and {@link #destroy} once at the end.
 */
public final class StarletUpgradeHandler implements HttpUpgradeHandler {

	private volatile WsSession session;

	/** Called by the servlet container's {@code upgrade}. */
	public StarletUpgradeHandler() {
	}

	void attach(WsSession session) {
		this.session = session;
	}

	@Override
	public void init(WebConnection connection) {
		WsSession session = this.session;
		try {
			if (session == null) {
				// Upgraded by someone other than the WebSocket container: nothing to speak with.
				connection.close();
				return;
			}
			session.start(connection);
		}
		catch (Exception ex) {
			if (session != null) {
				session.failed(ex);
			}
		}
	}

	@Override
	public void destroy() {
		WsSession session = this.session;
		if (session != null) {
			session.destroyed();
		}
	}

}
