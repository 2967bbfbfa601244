package io.starlet.servlet;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

import io.starlet.Clock;

/**
 * In-memory sessions. Expired sessions are dropped when a request looks them up and by a sweep
 * that requests trigger at most once a minute, so no timer thread is needed. With a
 * {@link SessionStore} they outlive the context: written when it is destroyed, read back when the
 * next one starts.
 */
final class SessionManager {

	private static final long SWEEP_INTERVAL_MILLIS = 60_000;

	private final ContainerContext context;

	private final Map<String, ContainerSession> sessions = new ConcurrentHashMap<>();

	private final SecureRandom random = new SecureRandom();

	/** Session times are wall-clock readings of it (the servlet API hands them out as such). */
	private final Clock clock;

	private volatile long nextSweep;

	/** Where sessions persist across restarts; null = in memory only. */
	private final SessionStore store;

	SessionManager(ContainerContext context, SessionStore store) {
		this.context = context;
		this.store = store;
		this.clock = context.settings.clock();
		this.nextSweep = this.clock.currentTimeMillis() + SWEEP_INTERVAL_MILLIS;
	}

	Clock clock() {
		return this.clock;
	}

	ContainerContext context() {
		return this.context;
	}

	int size() {
		return this.sessions.size();
	}

	private String newId() {
		byte[] bytes = new byte[18];
		this.random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	ContainerSession create() {
		sweepIfDue();
		String id;
		do {
			id = newId();
		}
		while (this.sessions.containsKey(id));
		ContainerSession session = new ContainerSession(this, id, this.context.sessionTimeoutSeconds());
		this.sessions.put(id, session);
		List<HttpSessionListener> listeners = this.context.listeners(HttpSessionListener.class);
		if (!listeners.isEmpty()) {
			HttpSessionEvent event = new HttpSessionEvent(session);
			for (HttpSessionListener listener : listeners) {
				listener.sessionCreated(event);
			}
		}
		return session;
	}

	/** The live session with this id, or null (an expired one is invalidated on the way). */
	ContainerSession find(String id) {
		if (id == null) {
			return null;
		}
		sweepIfDue();
		ContainerSession session = this.sessions.get(id);
		if (session == null) {
			return null;
		}
		if (!session.isValid()) {
			this.sessions.remove(id, session);
			return null;
		}
		if (session.isExpired(this.clock.currentTimeMillis())) {
			invalidate(session);
			return null;
		}
		return session;
	}

	String changeId(ContainerSession session) {
		String oldId = session.getId();
		String newId;
		do {
			newId = newId();
		}
		while (this.sessions.containsKey(newId));
		this.sessions.remove(oldId);
		session.setId(newId);
		this.sessions.put(newId, session);
		List<HttpSessionIdListener> listeners = this.context.listeners(HttpSessionIdListener.class);
		if (!listeners.isEmpty()) {
			HttpSessionEvent event = new HttpSessionEvent(session);
			for (HttpSessionIdListener listener : listeners) {
				listener.sessionIdChanged(event, oldId);
			}
		}
		return newId;
	}

	void invalidate(ContainerSession session) {
		if (this.sessions.remove(session.getId(), session) || session.isValid()) {
			session.expire();
		}
	}

	void fireDestroyed(ContainerSession session) {
		List<HttpSessionListener> listeners = new ArrayList<>(this.context.listeners(HttpSessionListener.class));
		if (listeners.isEmpty()) {
			return;
		}
		Collections.reverse(listeners);
		HttpSessionEvent event = new HttpSessionEvent(session);
		for (HttpSessionListener listener : listeners) {
			try {
				listener.sessionDestroyed(event);
			}
			catch (RuntimeException ex) {
				this.context.log("sessionDestroyed failed", ex);
			}
		}
	}

	private void sweepIfDue() {
		long now = this.clock.currentTimeMillis();
		if (now < this.nextSweep) {
			return;
		}
		this.nextSweep = now + SWEEP_INTERVAL_MILLIS;
		sweep(now);
	}

	void sweep(long now) {
		for (ContainerSession session : this.sessions.values()) {
			if (session.isExpired(now)) {
				invalidate(session);
			}
		}
	}

	/**
	 * Takes in the stored sessions (the context has just started). They were not created here, so
	 * {@code sessionCreated} is not called; their attributes are activated instead.
	 */
	void restore() {
		SessionStore store = this.store;
		if (store == null) {
			return;
		}
		for (SessionStore.StoredSession stored : store.load(this.context.getClassLoader(), this.clock.currentTimeMillis())) {
			ContainerSession session = new ContainerSession(this, stored);
			if (this.sessions.putIfAbsent(session.getId(), session) == null) {
				session.activate();
			}
		}
	}

	/**
	 * The context is being destroyed: with a store, the live sessions are passivated, written and
	 * dropped without {@code sessionDestroyed} (they are not over); the rest (expired ones, or all
	 * of them when the store could not be written) are invalidated.
	 */
	void storeOrInvalidateAll() {
		SessionStore store = this.store;
		if (store != null) {
			long now = this.clock.currentTimeMillis();
			List<ContainerSession> live = new ArrayList<>();
			for (ContainerSession session : this.sessions.values()) {
				if (session.isValid() && !session.isExpired(now)) {
					live.add(session);
				}
			}
			live.forEach(ContainerSession::passivate);
			if (store.save(live.stream().map(ContainerSession::toStored).toList(), now)) {
				for (ContainerSession session : live) {
					this.sessions.remove(session.getId(), session);
					session.release();
				}
			}
		}
		invalidateAll();
	}

	/** Invalidates every session (the context is being destroyed). */
	void invalidateAll() {
		for (ContainerSession session : new ArrayList<>(this.sessions.values())) {
			invalidate(session);
		}
	}

}
