package io.starlet.servlet;

/** Who the client is and which host, scheme and port it addressed: from the connection or trusted proxies. */
record ClientInfo(String scheme, String serverName, int serverPort, String remoteAddr, int remotePort) {
}
