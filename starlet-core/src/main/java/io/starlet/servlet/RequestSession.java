package io.starlet.servlet;

/**
 * The session of one request: the id the request names (resolved on first use), the session
 * found for it or created, and a change of its id. A created or renamed session sends its cookie
 * on the request's response.
 */
final class RequestSession {

	private final ContainerRequest request;

	/** Resolved on first use. */
	private RequestedSessionId requested;

	private ContainerSession session;

	RequestSession(ContainerRequest request) {
		this.request = request;
	}

	RequestedSessionId requested() {
		if (this.requested == null) {
			this.requested = RequestedSessionId.resolve(this.request.context, this.request.container.sessions(),
					this.request.getCookies(), this.request.exchange.path());
		}
		return this.requested;
	}

	/** {@code getSession(create)}: the valid session, the requested one if it lives, else a new one. */
	ContainerSession get(boolean create) {
		if (this.session != null && this.session.isValid()) {
			return this.session;
		}
		this.session = null;
		SessionManager sessions = this.request.container.sessions();
		String requested = requested().id();
		if (requested != null) {
			ContainerSession existing = sessions.find(requested);
			if (existing != null) {
				existing.access();
				this.session = existing;
				return existing;
			}
		}
		if (!create) {
			return null;
		}
		ContainerResponse response = this.request.response;
		if (response.isCommitted() && this.request.context.isCookieTracking()) {
			throw new IllegalStateException("Cannot create a session after the response has been committed");
		}
		this.session = sessions.create();
		response.addSessionCookie(this.session.getId());
		return this.session;
	}

	String changeId() {
		if (get(false) == null) {
			throw new IllegalStateException("The request has no session");
		}
		String newId = this.request.container.sessions().changeId(this.session);
		this.request.response.addSessionCookie(newId);
		return newId;
	}

	ContainerSession current() {
		return (this.session != null && this.session.isValid()) ? this.session : null;
	}

	boolean requestedIsValid() {
		String requested = requested().id();
		return requested != null && this.request.container.sessions().find(requested) != null;
	}

}
