package io.starlet.websocket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import jakarta.websocket.Extension;

/**
 * The permessage-deflate extension (RFC 7692): the one extension the container installs, and
 * the DEFLATE codec its messages use. No I/O.
 *
 * <p>Starlet accepts an offer and always answers
 * {@code permessage-deflate; server_no_context_takeover; client_no_context_takeover}
 * (§7.1.1: a server may include both even when the offer did not): each message is compressed on
 * its own, in both directions. So an open WebSocket holds no compression state: a message borrows
 * a {@link Deflater} or {@link Inflater} from a small shared pool for the moment it is compressed
 * or inflated. With context takeover a zlib deflater would hold about 256 KiB of native memory
 * per connection, and an inflater about 40 KiB, for as long as the socket is open, idle or not.
 * Large messages, the ones worth compressing, lose little without the previous messages' window.
 *
 * <p>Negotiation (§7): an offer is declined when it has a parameter RFC 7692 does not define, a
 * parameter twice, a value where none is allowed, or a window size outside 8-15. It is also
 * declined when it asks for {@code server_max_window_bits} below 15, since the JDK's deflater
 * always uses a 32 KiB window; the client's next offer, if any, is tried. A client's window size
 * ({@code client_max_window_bits}) needs no answer: an inflater with the largest window reads any
 * smaller one.
 *
 * <p>Sending: a whole message of at least {@link #MIN_SIZE} bytes is compressed (fastest level)
 * and sent with RSV1 set, unless compression does not make it smaller; smaller messages, parts of
 * a message sent in fragments, and control frames go out as they are (§6: RSV1 is per message).
 *
 * <p>Receiving: a message whose first frame has RSV1 is inflated once it is complete, on the
 * worker that delivers it. Its compressed size is bounded from the frame headers (as for any
 * message), and its inflated size while it is inflated: output beyond the maximum message size
 * fails the connection with 1009, so a small "zip bomb" costs at most that much memory. Data that
 * is not valid DEFLATE fails it with 1007.
 */
final class PerMessageDeflate {

	static final String NAME = "permessage-deflate";

	/** The extension as installed: {@code ServerContainer.getInstalledExtensions()}. */
	static final Extension INSTALLED = new WsExtension(NAME, List.of());

	/** The extension as negotiated: the {@code Sec-WebSocket-Extensions} of every accepting response. */
	static final Extension NEGOTIATED = new WsExtension(NAME,
			List.of(new WsExtension.Parameter("server_no_context_takeover", null),
					new WsExtension.Parameter("client_no_context_takeover", null)));

	/** Messages smaller than this are sent uncompressed: too little to gain for the CPU it takes. */
	static final int MIN_SIZE = 1024;

	/** The empty stored block a sync flush ends with; removed from, and put back on, every message (§7.2.1, §7.2.2). */
	private static final byte[] TAIL = { 0, 0, (byte) 0xFF, (byte) 0xFF };

	/** Codecs kept for reuse; more than this many at once are created and dropped. */
	private static final int POOLED = 16;

	private static final Pool<Deflater> deflaters = new Pool<>(() -> new Deflater(Deflater.BEST_SPEED, true),
			Deflater::reset, Deflater::end);

	private static final Pool<Inflater> inflaters = new Pool<>(() -> new Inflater(true), Inflater::reset,
			Inflater::end);

	/** The array a thread inflates into starts at this size... */
	private static final int SCRATCH_INITIAL = 4096;

	/**
	 * ...and is kept up to this size (a thread that inflates holds at most this much, so a server
	 * at most this much per worker); a larger message grows a temporary one.
	 */
	static final int SCRATCH_KEPT = 256 * 1024;

	private static final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[SCRATCH_INITIAL]);

	private PerMessageDeflate() {
	}

	/** Whether {@code offer}, a permessage-deflate offer, can be accepted (§7.1). */
	static boolean acceptable(Extension offer) {
		if (!NAME.equalsIgnoreCase(offer.getName())) {
			return false;
		}
		Set<String> seen = new HashSet<>();
		for (Extension.Parameter parameter : offer.getParameters()) {
			String name = parameter.getName().toLowerCase(Locale.ROOT);
			String value = parameter.getValue();
			if (!seen.add(name)) {
				return false;
			}
			switch (name) {
				case "server_no_context_takeover", "client_no_context_takeover" -> {
					if (value != null) {
						return false;
					}
				}
				case "server_max_window_bits" -> {
					// only our deflater's own window, 15, can be promised
					if (windowBits(value) != 15) {
						return false;
					}
				}
				case "client_max_window_bits" -> {
					if (value != null && windowBits(value) < 0) {
						return false;
					}
				}
				default -> {
					return false;
				}
			}
		}
		return true;
	}

	/** 8-15 written as 1*DIGIT without a leading zero (§7.1.2.1); -1 for anything else. */
	private static int windowBits(String value) {
		if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
			return -1;
		}
		for (int i = 0; i < value.length(); i++) {
			if (value.charAt(i) < '0' || value.charAt(i) > '9') {
				return -1;
			}
		}
		int bits = Integer.parseInt(value);
		return bits >= 8 && bits <= 15 ? bits : -1;
	}

	/**
	 * The payload to send for a whole message: its DEFLATE stream without the final
	 * {@code 00 00 FF FF} (§7.2.1), or null when compressing does not make it smaller.
	 */
	static ByteBuffer compress(ByteBuffer message) {
		int size = message.remaining();
		Deflater deflater = deflaters.take();
		try {
			deflater.setInput(message.duplicate());
			// room for incompressible input (5 bytes per stored block) and the flush; rarely used
			byte[] out = new byte[size + (size >>> 12) + 64];
			int length = 0;
			while (true) {
				length += deflater.deflate(out, length, out.length - length, Deflater.SYNC_FLUSH);
				if (length < out.length) {
					break; // everything is out, the flush included
				}
				out = Arrays.copyOf(out, out.length * 2);
			}
			length -= TAIL.length; // a sync flush always ends with the empty stored block
			return length < size ? ByteBuffer.wrap(out, 0, length) : null;
		}
		finally {
			deflaters.give(deflater);
		}
	}

	/**
	 * Inflates a received message into an array of the calling thread's, which its next call
	 * reuses: the caller takes what it keeps (a {@code String}, a copy) before it inflates another.
	 * One array per thread, kept up to {@link #SCRATCH_KEPT} bytes, so that a message costs one
	 * allocation, its delivered copy, where growing a fresh array from a guess cost three or four
	 * times its size (docs/websocket.md).
	 * @param data the message's payload, {@code data[0, length)}
	 * @param max most bytes the message may inflate to
	 * @return the message, {@code array()[0, limit())}; null when it inflates to more than
	 * {@code max} bytes
	 * @throws DataFormatException when the payload is not a DEFLATE stream
	 */
	static ByteBuffer decompress(byte[] data, int length, int max) throws DataFormatException {
		Inflater inflater = inflaters.take();
		try {
			inflater.setInput(data, 0, length);
			byte[] out = scratch.get();
			int size = 0;
			boolean tailGiven = false;
			while (true) {
				int n = inflater.inflate(out, size, out.length - size);
				size += n;
				if (size > max) {
					return null;
				}
				if (inflater.finished()) {
					break; // a final block: nothing after it belongs to the message
				}
				if (size == out.length) {
					// room for max + 1 bytes at most, so that a bomb stops one byte past the limit
					out = Arrays.copyOf(out, (int) Math.min(max + 1L, out.length * 2L));
				}
				else if (inflater.needsInput()) {
					if (tailGiven) {
						break;
					}
					inflater.setInput(TAIL);
					tailGiven = true;
				}
				else if (inflater.needsDictionary()) {
					throw new DataFormatException("a preset dictionary is not part of permessage-deflate");
				}
				else if (n == 0) {
					throw new DataFormatException("the inflater made no progress");
				}
			}
			if (out.length <= SCRATCH_KEPT) {
				scratch.set(out);
			}
			return ByteBuffer.wrap(out, 0, size);
		}
		finally {
			inflaters.give(inflater);
		}
	}

	/**
	 * Parses {@code Sec-WebSocket-Extensions} (RFC 6455 §9.1): a comma-separated list of
	 * extensions, each a token and {@code ;}-separated parameters, a parameter a token with an
	 * optional value (a token or a quoted string). An element that does not parse is left out; the
	 * handshake goes on without it.
	 */
	static List<Extension> parseOffers(List<String> headerValues) {
		List<Extension> offers = new ArrayList<>();
		for (String value : headerValues) {
			for (String element : split(value, ',')) {
				Extension offer = parseOffer(element);
				if (offer != null) {
					offers.add(offer);
				}
			}
		}
		return offers;
	}

	private static Extension parseOffer(String element) {
		List<String> parts = split(element, ';');
		String name = parts.get(0).strip();
		if (!isToken(name)) {
			return null;
		}
		List<Extension.Parameter> parameters = new ArrayList<>();
		for (int i = 1; i < parts.size(); i++) {
			String part = parts.get(i);
			int eq = part.indexOf('=');
			String key = (eq < 0 ? part : part.substring(0, eq)).strip();
			String value = eq < 0 ? null : part.substring(eq + 1).strip();
			if (!isToken(key)) {
				return null;
			}
			if (value != null && value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
				value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
			}
			if (value != null && !isToken(value)) {
				return null; // §9.1: a quoted value must still be a token once unquoted
			}
			parameters.add(new WsExtension.Parameter(key, value));
		}
		return new WsExtension(name, parameters);
	}

	/** Splits on {@code separator} outside quoted strings. */
	private static List<String> split(String value, char separator) {
		List<String> parts = new ArrayList<>();
		boolean quoted = false;
		int start = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (quoted && c == '\\') {
				i++;
			}
			else if (c == '"') {
				quoted = !quoted;
			}
			else if (c == separator && !quoted) {
				parts.add(value.substring(start, i));
				start = i + 1;
			}
		}
		parts.add(value.substring(start));
		if (separator == ',') {
			parts.removeIf(String::isBlank); // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		return parts;
	}

	private static boolean isToken(String s) {
		if (s.isEmpty()) {
			return false;
		}
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
				return false;
			}
		}
		return true;
	}

	/** Codecs shared by every session: taken for one message, reset and given back. */
	private static final class Pool<T> {

		private final Queue<T> idle = new ConcurrentLinkedQueue<>();

		private final AtomicInteger size = new AtomicInteger();

		private final Supplier<T> create;

		private final Consumer<T> reset;

		private final Consumer<T> end;

		Pool(Supplier<T> create, Consumer<T> reset,
				Consumer<T> end) {
			this.create = create;
			this.reset = reset;
			this.end = end;
		}

		T take() {
			T codec = this.idle.poll();
			if (codec == null) {
				return this.create.get();
			}
			this.size.decrementAndGet();
			return codec;
		}

		void give(T codec) {
			this.reset.accept(codec);
			if (this.size.incrementAndGet() <= POOLED) {
				this.idle.add(codec);
			}
			else {
				this.size.decrementAndGet();
				this.end.accept(codec); // frees its native memory now, not at some later GC
			}
		}

	}

}
