package io.starlet.servlet;

import jakarta.servlet.http.Cookie;

/**
 * The session id a request names, and where it came from: the session cookie when cookie
 * tracking is on (of several cookies with that name, the first that names a live session, else
 * the first), else a {@code ;jsessionid=} path parameter when URL tracking is on.
 *
 * @param id the id, or null when the request names none
 */
record RequestedSessionId(String id, boolean fromCookie, boolean fromUrl) {

	static final RequestedSessionId NONE = new RequestedSessionId(null, false, false);

	static RequestedSessionId resolve(ContainerContext context, SessionManager sessions, Cookie[] cookies, String path) {
		if (context.isCookieTracking() && cookies != null) {
			String cookieName = context.getSessionCookieConfig().getName();
			String firstSeen = null;
			for (Cookie cookie : cookies) {
				if (cookie.getName().equals(cookieName)) {
					if (firstSeen == null) {
						firstSeen = cookie.getValue();
					}
					if (sessions.find(cookie.getValue()) != null) {
						firstSeen = cookie.getValue();
						break;
					}
				}
			}
			if (firstSeen != null) {
				return new RequestedSessionId(firstSeen, true, false);
			}
		}
		if (context.isUrlTracking()) {
			String fromUrl = RequestPath.sessionIdParameter(path);
			if (fromUrl != null) {
				return new RequestedSessionId(fromUrl, false, true);
			}
		}
		return NONE;
	}

}
