package io.starlet.servlet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a context's sessions across a restart ({@code server.servlet.session.persistent}): the
 * container writes them to one file when it is destroyed and reads them back, then deletes the
 * file, when the next container starts (Spring Boot DevTools restarts this way on every class
 * change).
 *
 * <p>Each attribute value is serialized on its own, so one that cannot be written (not
 * {@link Serializable}, or a field that is not) or read back (its class is gone or changed
 * incompatibly since) costs that attribute alone, with a warning naming it; the rest of its
 * session survives. Values are resolved in the application's class loader, which with DevTools is
 * a new restart class loader each time, not the loader that wrote them.
 *
 * <p>Why plain Java deserialization without an {@code ObjectInputFilter}: the file holds the
 * application's own session attributes, whose classes no filter could enumerate; only this server
 * writes it, with owner-only permissions, into a directory the application owns (Boot's
 * {@code server.servlet.session.store-dir}, or its per-application temporary directory, which Boot
 * creates owner-only). Whoever can write there can already replace the application. The reader
 * still accepts only a regular file (not a link) that starts with this format's magic, and checks
 * every length against the bytes left, so a damaged file is reported and ignored, never trusted.
 *
 * <p>Format (big-endian, {@link DataOutputStream}): magic, version, session count, then per session
 * id, creation, last-accessed and this-accessed times (ms), max inactive interval (s), isNew,
 * attribute count and per attribute its name and its serialized value as length + bytes.
 */
final class SessionStore {

	private static final Logger logger = LoggerFactory.getLogger(SessionStore.class);

	/** "STARLETS" in ASCII: a Tomcat SESSIONS.ser or any other file is refused at once. */
	private static final long MAGIC = 0x535441524C455453L;

	private static final int VERSION = 1;

	private final Path file;

	SessionStore(Path file) {
		this.file = file.toAbsolutePath();
	}

	/** A session as stored. Times in milliseconds, the interval in seconds (≤ 0 never expires). */
	record StoredSession(String id, long creationTime, long lastAccessedTime, long thisAccessedTime,
			int maxInactiveInterval, boolean isNew, Map<String, Object> attributes) {

		boolean isExpired(long now) {
			return this.maxInactiveInterval > 0 && now - this.thisAccessedTime > this.maxInactiveInterval * 1000L;
		}

	}

	/**
	 * Writes the sessions that have not expired, replacing the file atomically where the file
	 * system allows. Attributes that cannot be serialized are left out, one warning per name.
	 * @return whether the file was written (also true when there was nothing to write)
	 */
	boolean save(Collection<StoredSession> sessions, long now) {
		Map<String, Skipped> skipped = new TreeMap<>();
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		int written = 0;
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			List<StoredSession> live = sessions.stream().filter((session) -> !session.isExpired(now)).toList();
			out.writeLong(MAGIC);
			out.writeInt(VERSION);
			out.writeInt(live.size());
			for (StoredSession session : live) {
				writeSession(out, session, skipped);
				written++;
			}
		}
		catch (IOException ex) {
			// Only the in-memory stream is written here, and it does not fail.
			throw new IllegalStateException(ex);
		}
		skipped.forEach((name, skip) -> logger.warn(
				"Session attribute '{}' ({}) could not be serialized and was left out of {} stored session(s): {}",
				name, skip.type, skip.sessions, skip.reason));
		if (written == 0) {
			return true;
		}
		try {
			write(bytes.toByteArray());
			logger.info("Stored {} session(s) in {}", written, this.file);
			return true;
		}
		catch (IOException | RuntimeException ex) {
			logger.error("Could not store {} session(s) in {}", written, this.file, ex);
			return false;
		}
	}

	private static void writeSession(DataOutputStream out, StoredSession session, Map<String, Skipped> skipped)
			throws IOException {
		Map<String, byte[]> values = new LinkedHashMap<>();
		for (Map.Entry<String, Object> attribute : session.attributes().entrySet()) {
			String name = attribute.getKey();
			Object value = attribute.getValue();
			try {
				if (!(value instanceof Serializable)) {
					throw new NotSerializableException(value.getClass().getName());
				}
				if (name.getBytes(StandardCharsets.UTF_8).length > 65535) {
					throw new IOException("the name is longer than 65535 bytes");
				}
				values.put(name, serialize(value));
			}
			catch (IOException | RuntimeException ex) {
				skipped.computeIfAbsent(name, (key) -> new Skipped(value.getClass().getName(), ex.toString()))
					.sessions++;
			}
		}
		out.writeUTF(session.id());
		out.writeLong(session.creationTime());
		out.writeLong(session.lastAccessedTime());
		out.writeLong(session.thisAccessedTime());
		out.writeInt(session.maxInactiveInterval());
		out.writeBoolean(session.isNew());
		out.writeInt(values.size());
		for (Map.Entry<String, byte[]> value : values.entrySet()) {
			out.writeUTF(value.getKey());
			out.writeInt(value.getValue().length);
			out.write(value.getValue());
		}
	}

	private static byte[] serialize(Object value) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

	/** A temporary file beside the target, then a rename: a crash mid-write leaves no half file to read. */
	private void write(byte[] content) throws IOException {
		Path directory = this.file.getParent();
		Files.createDirectories(directory);
		Path temp = Files.createTempFile(directory, this.file.getFileName().toString(), ".tmp");
		try {
			if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
				Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
			}
			try (OutputStream out = Files.newOutputStream(temp)) {
				out.write(content);
			}
			try {
				Files.move(temp, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(temp, this.file, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		finally {
			Files.deleteIfExists(temp);
		}
	}

	/**
	 * Reads the stored sessions that have not expired and deletes the file. A file that cannot be
	 * read or is damaged is logged and yields nothing; an attribute that cannot be deserialized is
	 * left out with a warning naming it.
	 * @param classLoader the application's class loader, which resolves the attributes' classes
	 */
	List<StoredSession> load(ClassLoader classLoader, long now) {
		byte[] content;
		try {
			if (!Files.isRegularFile(this.file, LinkOption.NOFOLLOW_LINKS)) {
				if (Files.exists(this.file, LinkOption.NOFOLLOW_LINKS)) {
					logger.warn("Ignoring the session store {}: it is not a regular file", this.file);
				}
				return List.of();
			}
			content = Files.readAllBytes(this.file);
		}
		catch (NoSuchFileException ex) {
			return List.of();
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Ignoring the session store {}: it could not be read ({})", this.file, ex.toString());
			delete();
			return List.of();
		}
		delete();
		List<StoredSession> sessions;
		Map<String, Skipped> skipped = new TreeMap<>();
		try {
			sessions = parse(content, classLoader, now, skipped);
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Ignoring the session store {}: it is damaged ({})", this.file, ex.toString());
			return List.of();
		}
		skipped.forEach((name, skip) -> logger.warn(
				"Session attribute '{}' could not be deserialized and was left out of {} restored session(s): {}",
				name, skip.sessions, skip.reason));
		logger.info("Restored {} session(s) from {}", sessions.size(), this.file);
		return sessions;
	}

	private void delete() {
		try {
			Files.deleteIfExists(this.file);
		}
		catch (IOException ex) {
			logger.warn("Could not delete the session store {} after reading it ({})", this.file, ex.toString());
		}
	}

	private static List<StoredSession> parse(byte[] content, ClassLoader classLoader, long now,
			Map<String, Skipped> skipped) throws IOException {
		ByteArrayInputStream bytes = new ByteArrayInputStream(content);
		DataInputStream in = new DataInputStream(bytes);
		if (content.length < 16 || in.readLong() != MAGIC) {
			throw new IOException("not a Starlet session store");
		}
		int version = in.readInt();
		if (version != VERSION) {
			throw new IOException("unknown version " + version);
		}
		int count = in.readInt();
		if (count < 0) {
			throw new IOException("negative session count");
		}
		List<StoredSession> sessions = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String id = in.readUTF();
			long creationTime = in.readLong();
			long lastAccessedTime = in.readLong();
			long thisAccessedTime = in.readLong();
			int maxInactiveInterval = in.readInt();
			boolean isNew = in.readBoolean();
			int attributeCount = in.readInt();
			if (attributeCount < 0) {
				throw new IOException("negative attribute count in session " + i);
			}
			Map<String, byte[]> values = new LinkedHashMap<>();
			for (int j = 0; j < attributeCount; j++) {
				String name = in.readUTF();
				int length = in.readInt();
				if (length < 0 || length > bytes.available()) {
					throw new IOException("attribute length " + length + " beyond the end of the file");
				}
				values.put(name, in.readNBytes(length));
			}
			StoredSession stored = new StoredSession(id, creationTime, lastAccessedTime, thisAccessedTime,
					maxInactiveInterval, isNew, Map.of());
			if (stored.isExpired(now)) {
				continue;
			}
			// Deserialized only once the whole session has been framed correctly.
			Map<String, Object> attributes = new LinkedHashMap<>();
			for (Map.Entry<String, byte[]> value : values.entrySet()) {
				try {
					attributes.put(value.getKey(), deserialize(value.getValue(), classLoader));
				}
				catch (IOException | ClassNotFoundException | RuntimeException | LinkageError ex) {
					skipped.computeIfAbsent(value.getKey(), (key) -> new Skipped(null, ex.toString()))
						.sessions++;
				}
			}
			sessions.add(new StoredSession(id, creationTime, lastAccessedTime, thisAccessedTime, maxInactiveInterval,
					isNew, attributes));
		}
		if (bytes.available() != 0) {
			throw new EOFException(bytes.available() + " unexpected bytes after the last session");
		}
		return sessions;
	}

	private static Object deserialize(byte[] value, ClassLoader classLoader) throws IOException, ClassNotFoundException {
		try (ObjectInputStream in = new ApplicationObjectInputStream(new ByteArrayInputStream(value), classLoader)) {
			return in.readObject();
		}
	}

	/**
	 * Resolves classes in the application's class loader. The default resolution takes the nearest
	 * user class loader on the stack (Starlet's), which under DevTools is not the restart class
	 * loader the application's classes now live in.
	 */
	private static final class ApplicationObjectInputStream extends ObjectInputStream {

		private final ClassLoader classLoader;

		ApplicationObjectInputStream(InputStream in, ClassLoader classLoader) throws IOException {
			super(in);
			this.classLoader = classLoader;
		}

		@Override
		protected Class<?> resolveClass(ObjectStreamClass descriptor) throws IOException, ClassNotFoundException {
			try {
				return Class.forName(descriptor.getName(), false, this.classLoader);
			}
			catch (ClassNotFoundException ex) {
				// Primitive types ("int") have no class file; the default resolution knows them.
				return super.resolveClass(descriptor);
			}
		}

		@Override
		@SuppressWarnings("deprecation")
		protected Class<?> resolveProxyClass(String[] interfaceNames) throws IOException, ClassNotFoundException {
			Class<?>[] interfaces = new Class<?>[interfaceNames.length];
			for (int i = 0; i < interfaceNames.length; i++) {
				interfaces[i] = Class.forName(interfaceNames[i], false, this.classLoader);
			}
			try {
				return Proxy.getProxyClass(this.classLoader, interfaces);
			}
			catch (IllegalArgumentException ex) {
				throw new ClassNotFoundException("Proxy of " + String.join(", ", interfaceNames), ex);
			}
		}

	}

	/** One attribute name that could not be stored (its type) or restored, in how many sessions, and why. */
	private static final class Skipped {

		final String type;

		final String reason;

		int sessions;

		Skipped(String type, String reason) {
			this.type = type;
			this.reason = reason;
		}

	}

}
