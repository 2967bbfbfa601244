package io.starlet.http;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which of the RFC's permitted leniencies the request parser grants: everything else it refuses
 * (see {@link Violation}). Each {@link Leniency} names the RFC section that allows it and why a
 * server would grant it, so that the few places where Starlet is not as strict as it could be are
 * one list, not conditions scattered through the parser.
 *
 * <p>{@link #DEFAULT} grants the leniencies Starlet has always granted on purpose (each is
 * permitted by the RFC or needed by real clients or tools); {@link #STRICT} grants none. The
 * chunked decoder grants none in either policy: CRLF is required there, because the 2025 chunk
 * extension smuggling CVEs lived exactly in the bytes a lenient decoder accepts.
 *
 * <p>Immutable; {@link #with} and {@link #without} return new policies.
 */
public final class HttpCompliance {

	/** A deviation from the strictest reading of RFC 9110/9112 that the RFC itself permits. */
	public enum Leniency {

		/** A bare LF ends a line of the request head (CRLF is still accepted; a bare CR never is). */
		BARE_LF_IN_HEAD("RFC 9112 §2.2", "netcat-style clients and hand-written tests end lines in LF; "
				+ "chunked framing still requires CRLF, where it matters"),

		/**
		 * {@code Content-Length: 5, 5} or two {@code Content-Length} fields with the same value
		 * fold to one; different values are refused in any policy.
		 */
		EQUAL_CONTENT_LENGTHS("RFC 9110 §8.6", "some proxies repeat the field when they merge "
				+ "headers; the length is not ambiguous"),

		/**
		 * {@code Transfer-Encoding} with {@code Content-Length}: the length is dropped, the body is
		 * read as chunked and the connection closes after the response. Without it: 400.
		 */
		TRANSFER_ENCODING_WITH_CONTENT_LENGTH("RFC 9112 §6.3", "RFC 9112's preferred handling; closing "
				+ "after the response leaves no byte to desynchronise on"),

		/**
		 * {@code " < > [ ] ^ ` { | }} unescaped in the path and query of the request target, as
		 * Tomcat's {@code relaxedPathChars} and {@code relaxedQueryChars} allow them. Without it
		 * the target holds only RFC 3986 path and query characters. {@code #} and
		 * {@code \} are refused in any policy: a fragment never belongs in a target, and a
		 * backslash is read as {@code /} by some front ends and file systems and not by others.
		 */
		UNSAFE_TARGET_CHARACTERS("RFC 3986 §3.3, RFC 9112 §3.2", "browsers, proxies and hand-built "
				+ "clients pass '{', '|', '[' and friends through unescaped; refusing them breaks real clients");

		private final String rule;

		private final String why;

		Leniency(String rule, String why) {
			this.rule = rule;
			this.why = why;
		}

		/** The RFC section that permits it. */
		public String rule() {
			return this.rule;
		}

		/** Why a server grants it. */
		public String why() {
			return this.why;
		}

	}

	/** Grants no leniency: every rule at its strictest. */
	public static final HttpCompliance STRICT = new HttpCompliance(EnumSet.noneOf(Leniency.class));

	/** Starlet's default: every leniency (all of today's are granted on purpose, see each one). */
	public static final HttpCompliance DEFAULT = new HttpCompliance(EnumSet.allOf(Leniency.class));

	private final Set<Leniency> leniencies;

	private HttpCompliance(EnumSet<Leniency> leniencies) {
		this.leniencies = Collections.unmodifiableSet(leniencies);
	}

	/** A policy granting exactly these leniencies. */
	public static HttpCompliance of(Leniency... leniencies) {
		EnumSet<Leniency> set = EnumSet.noneOf(Leniency.class);
		set.addAll(Arrays.asList(leniencies));
		return new HttpCompliance(set);
	}

	public boolean allows(Leniency leniency) {
		return this.leniencies.contains(leniency);
	}

	/** This policy, also granting {@code leniency}. */
	public HttpCompliance with(Leniency leniency) {
		EnumSet<Leniency> set = copy();
		set.add(leniency);
		return new HttpCompliance(set);
	}

	/** This policy, no longer granting {@code leniency}. */
	public HttpCompliance without(Leniency leniency) {
		EnumSet<Leniency> set = copy();
		set.remove(leniency);
		return new HttpCompliance(set);
	}

	/** The leniencies granted, unmodifiable. */
	public Set<Leniency> leniencies() {
		return this.leniencies;
	}

	private EnumSet<Leniency> copy() {
		return this.leniencies.isEmpty() ? EnumSet.noneOf(Leniency.class) : EnumSet.copyOf(this.leniencies);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof HttpCompliance that && this.leniencies.equals(that.leniencies);
	}

	@Override
	public int hashCode() {
		return this.leniencies.hashCode();
	}

	@Override
	public String toString() {
		return "HttpCompliance" + this.leniencies;
	}

}
