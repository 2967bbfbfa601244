package io.starlet.servlet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import jakarta.servlet.http.Part;

/** The multipart parts of a request, deleted (their temp files with them) when the request ends. */
final class TemporaryParts {

	private final List<Part> parts = new ArrayList<>();

	void add(Collection<Part> more) {
		this.parts.addAll(more);
	}

	void deleteAll() {
		for (Part part : this.parts) {
			try {
				part.delete();
			}
			catch (IOException ex) {
				// a temp file we could not delete; it is marked delete-on-exit
			}
		}
		this.parts.clear();
	}

}
