package io.starlet.sample;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * A multipart file upload ({@code curl -F file=@photo.jpg localhost:8080/upload}). Sizes are
 * limited by {@code spring.servlet.multipart.max-file-size} and {@code max-request-size}.
 */
@RestController
class UploadController {

	@PostMapping(path = "/upload", consumes = "multipart/form-data")
	UploadReceipt upload(@RequestParam("file") MultipartFile file) throws IOException {
		MessageDigest sha256 = sha256();
		long size = 0;
		// Reads the part as a stream: an upload is never held in memory whole.
		try (InputStream in = new DigestInputStream(file.getInputStream(), sha256)) {
			byte[] buffer = new byte[8192];
			for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
				size += read;
			}
		}
		return new UploadReceipt(file.getOriginalFilename(), file.getContentType(), size,
				HexFormat.of().formatHex(sha256.digest()));
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JDK has SHA-256", ex);
		}
	}

	record UploadReceipt(String name, String contentType, long size, String sha256) {
	}

}
