package io.starlet.websocket;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;

import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * The container's default {@link ServerEndpointConfig.Configurator}. The API's own Configurator
 * delegates every method to the one found with {@code ServiceLoader}
 * ({@code META-INF/services/jakarta.websocket.server.ServerEndpointConfig$Configurator}), so
 * this class must be public with a public constructor. Subprotocol: the first the client lists
 * that the endpoint supports (RFC 6455 §4.2.2); extensions: none (permessage-deflate is not
 * negotiated); every origin is accepted; each session gets a new endpoint instance.
 */
public class DefaultConfigurator extends ServerEndpointConfig.Configurator {

	/** Created by {@code ServiceLoader}. */
	public DefaultConfigurator() {
	}

	@Override
	public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
		String selected = Handshake.selectSubprotocol(requested, supported);
		return selected == null ? "" : selected;
	}

	@Override
	public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
		// the requested extensions that are installed, in the client's order (Jakarta WebSocket
		// 2.2, Configurator.getNegotiatedExtensions); the container then accepts the first whose
		// parameters it can honour
		List<Extension> negotiated = new ArrayList<>();
		for (Extension offer : requested) {
			for (Extension extension : installed) {
				if (extension.getName().equalsIgnoreCase(offer.getName())) {
					negotiated.add(offer);
					break;
				}
			}
		}
		return negotiated;
	}

	@Override
	public boolean checkOrigin(String originHeaderValue) {
		return true;
	}

	@Override
	public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
		// Nothing to change by default.
	}

	@Override
	public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
		try {
			return endpointClass.getConstructor().newInstance();
		}
		catch (InvocationTargetException ex) {
			InstantiationException failure = new InstantiationException("Cannot create " + endpointClass.getName());
			failure.initCause(ex.getTargetException());
			throw failure;
		}
		catch (ReflectiveOperationException ex) {
			InstantiationException failure = new InstantiationException("Cannot create " + endpointClass.getName());
			failure.initCause(ex);
			throw failure;
		}
	}

}
