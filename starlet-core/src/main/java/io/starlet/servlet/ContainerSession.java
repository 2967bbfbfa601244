package io.starlet.servlet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionActivationListener;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;

/** An in-memory session. Times are milliseconds; the inactive interval is in seconds (≤ 0 = never). */
final class ContainerSession implements HttpSession {

	private final SessionManager manager;

	private volatile String id;

	private final long creationTime;

	private volatile long lastAccessedTime;

	private volatile long thisAccessedTime;

	private volatile int maxInactiveInterval;

	private volatile boolean isNew = true;

	private volatile boolean valid = true;

	private final Map<String, Object> attributes = new ConcurrentHashMap<>();

	ContainerSession(SessionManager manager, String id, int maxInactiveInterval) {
		this.manager = manager;
		this.id = id;
		this.creationTime = manager.clock().currentTimeMillis();
		this.lastAccessedTime = this.creationTime;
		this.thisAccessedTime = this.creationTime;
		this.maxInactiveInterval = maxInactiveInterval;
	}

	/** A session read back from the store: the attributes are put as they are, with no binding events. */
	ContainerSession(SessionManager manager, SessionStore.StoredSession stored) {
		this.manager = manager;
		this.id = stored.id();
		this.creationTime = stored.creationTime();
		this.lastAccessedTime = stored.lastAccessedTime();
		this.thisAccessedTime = stored.thisAccessedTime();
		this.maxInactiveInterval = stored.maxInactiveInterval();
		this.isNew = stored.isNew();
		this.attributes.putAll(stored.attributes());
	}

	/** What the store writes: the state as it is, the attributes as a snapshot. */
	SessionStore.StoredSession toStored() {
		return new SessionStore.StoredSession(this.id, this.creationTime, this.lastAccessedTime, this.thisAccessedTime,
				this.maxInactiveInterval, this.isNew, Map.copyOf(this.attributes));
	}

	/** Servlet spec 7.7.2: attributes that listen are told before the session is written out. */
	void passivate() {
		HttpSessionEvent event = new HttpSessionEvent(this);
		for (HttpSessionActivationListener listener : activationListeners()) {
			try {
				listener.sessionWillPassivate(event);
			}
			catch (RuntimeException ex) {
				this.manager.context().log("sessionWillPassivate failed in session " + this.id, ex);
			}
		}
	}

	/** ... and after it has been read back in. */
	void activate() {
		HttpSessionEvent event = new HttpSessionEvent(this);
		for (HttpSessionActivationListener listener : activationListeners()) {
			try {
				listener.sessionDidActivate(event);
			}
			catch (RuntimeException ex) {
				this.manager.context().log("sessionDidActivate failed in session " + this.id, ex);
			}
		}
	}

	private List<HttpSessionActivationListener> activationListeners() {
		List<HttpSessionActivationListener> listeners = new ArrayList<>();
		for (Object value : this.attributes.values()) {
			if (value instanceof HttpSessionActivationListener listener) {
				listeners.add(listener);
			}
		}
		return listeners;
	}

	/**
	 * Drops the session without telling any listener: it lives on in the store, so it has not
	 * been destroyed and its attributes have not been unbound (as Tomcat's StandardManager does).
	 */
	void release() {
		this.valid = false;
		this.attributes.clear();
	}

	void setId(String id) {
		this.id = id;
	}

	boolean isValid() {
		return this.valid;
	}

	/** A request joined this session. */
	void access() {
		long now = this.manager.clock().currentTimeMillis();
		this.lastAccessedTime = this.thisAccessedTime;
		this.thisAccessedTime = now;
		this.isNew = false;
	}

	boolean isExpired(long now) {
		int interval = this.maxInactiveInterval;
		return interval > 0 && now - this.thisAccessedTime > interval * 1000L;
	}

	private void checkValid(String method) {
		if (!this.valid) {
			throw new IllegalStateException(method + ": the session has been invalidated");
		}
	}

	@Override
	public long getCreationTime() {
		checkValid("getCreationTime");
		return this.creationTime;
	}

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public long getLastAccessedTime() {
		checkValid("getLastAccessedTime");
		return this.lastAccessedTime;
	}

	@Override
	public ServletContext getServletContext() {
		return this.manager.context();
	}

	@Override
	public void setMaxInactiveInterval(int interval) {
		this.maxInactiveInterval = interval;
	}

	@Override
	public int getMaxInactiveInterval() {
		return this.maxInactiveInterval;
	}

	@Override
	public Object getAttribute(String name) {
		checkValid("getAttribute");
		return (name != null) ? this.attributes.get(name) : null;
	}

	@Override
	public Enumeration<String> getAttributeNames() {
		checkValid("getAttributeNames");
		return Collections.enumeration(new ArrayList<>(this.attributes.keySet()));
	}

	@Override
	public void setAttribute(String name, Object value) {
		checkValid("setAttribute");
		if (name == null) {
			throw new IllegalArgumentException("Attribute name must not be null");
		}
		if (value == null) {
			removeAttribute(name);
			return;
		}
		if (value instanceof HttpSessionBindingListener binding) {
			binding.valueBound(new HttpSessionBindingEvent(this, name, value));
		}
		Object old = this.attributes.put(name, value);
		if (old != null && old != value && old instanceof HttpSessionBindingListener binding) {
			binding.valueUnbound(new HttpSessionBindingEvent(this, name, old));
		}
		for (HttpSessionAttributeListener listener : this.manager.context()
			.listeners(HttpSessionAttributeListener.class)) {
			if (old == null) {
				listener.attributeAdded(new HttpSessionBindingEvent(this, name, value));
			}
			else {
				listener.attributeReplaced(new HttpSessionBindingEvent(this, name, old));
			}
		}
	}

	@Override
	public void removeAttribute(String name) {
		checkValid("removeAttribute");
		removeAttributeInternal(name);
	}

	private void removeAttributeInternal(String name) {
		if (name == null) {
			return;
		}
		Object old = this.attributes.remove(name);
		if (old == null) {
			return;
		}
		if (old instanceof HttpSessionBindingListener binding) {
			binding.valueUnbound(new HttpSessionBindingEvent(this, name, old));
		}
		for (HttpSessionAttributeListener listener : this.manager.context()
			.listeners(HttpSessionAttributeListener.class)) {
			listener.attributeRemoved(new HttpSessionBindingEvent(this, name, old));
		}
	}

	@Override
	public void invalidate() {
		checkValid("invalidate");
		this.manager.invalidate(this);
	}

	/** Called by the manager: listeners first (the session is still usable), then the attributes go. */
	void expire() {
		if (!this.valid) {
			return;
		}
		this.manager.fireDestroyed(this);
		for (String name : new ArrayList<>(this.attributes.keySet())) {
			try {
				removeAttributeInternal(name);
			}
			catch (RuntimeException ex) {
				this.manager.context().log("Unbinding session attribute " + name + " failed", ex);
			}
		}
		this.valid = false;
	}

	/** Lets code outside a request (WebSocket endpoints, say) touch the session by its id. */
	@Override
	public Accessor getAccessor() {
		String sessionId = this.id;
		return (consumer) -> {
			ContainerSession session = this.manager.find(sessionId);
			if (session == null) {
				throw new IllegalStateException("The session " + sessionId + " is no longer valid");
			}
			session.access();
			consumer.accept(session);
		};
	}

	@Override
	public boolean isNew() {
		checkValid("isNew");
		return this.isNew;
	}

}
