package io.starlet.servlet;

import java.io.IOException;

/** Writing the response failed because the client went away (or stopped reading). */
final class ClientAbortException extends IOException {

	ClientAbortException(IOException cause) {
		super("Client aborted: " + cause.getMessage(), cause);
	}

}
