package io.starlet.websocket;

import java.util.List;

import jakarta.websocket.Extension;

/** An extension as a client offered it or as the server answers it, with its parameters in order. */
record WsExtension(String name, List<Extension.Parameter> parameters) implements Extension {

	WsExtension {
		parameters = List.copyOf(parameters);
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public List<Extension.Parameter> getParameters() {
		return this.parameters;
	}

	/** As in {@code Sec-WebSocket-Extensions}: {@code name; param; param=value}. */
	@Override
	public String toString() {
		StringBuilder s = new StringBuilder(this.name);
		for (Extension.Parameter parameter : this.parameters) {
			s.append("; ").append(parameter.getName());
			if (parameter.getValue() != null) {
				s.append('=').append(parameter.getValue());
			}
		}
		return s.toString();
	}

	/** A parameter; its value is null when it has none. */
	record Parameter(String name, String value) implements Extension.Parameter {

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public String getValue() {
			return this.value;
		}

	}

}
