package io.starlet.servlet;

/** Reason phrases for the default error page. */
final class Reasons {

	private Reasons() {
	}

	static String phrase(int status) {
		return switch (status) {
			case 400 -> "Bad Request";
			case 401 -> "Unauthorized";
			case 403 -> "Forbidden";
			case 404 -> "Not Found";
			case 405 -> "Method Not Allowed";
			case 406 -> "Not Acceptable";
			case 408 -> "Request Timeout";
			case 409 -> "Conflict";
			case 410 -> "Gone";
			case 413 -> "Content Too Large";
			case 415 -> "Unsupported Media Type";
			case 422 -> "Unprocessable Content";
			case 429 -> "Too Many Requests";
			case 500 -> "Internal Server Error";
			case 501 -> "Not Implemented";
			case 502 -> "Bad Gateway";
			case 503 -> "Service Unavailable";
			case 504 -> "Gateway Timeout";
			default -> (status >= 500) ? "Server Error" : (status >= 400) ? "Client Error" : "Status";
		};
	}

}
