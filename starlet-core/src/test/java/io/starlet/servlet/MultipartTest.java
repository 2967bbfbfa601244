package io.starlet.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;

import io.starlet.testing.Mutations;

import static org.assertj.core.api.Assertions.assertThat;

/** multipart/form-data per MultipartConfigElement: parts, text parameters, spilling, limits. */
@Timeout(60)
class MultipartTest {

	static ServletServer server;

	@TempDir
	static Path uploads;

	static final String BOUNDARY = "----starletBoundary7MA4YWxkTrZu0gW";

	/** Lists the parts; turns limit violations into 413 the way Spring MVC does. */
	static class UploadServlet extends HttpServlet {

		@Override
		protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
			StringBuilder sb = new StringBuilder();
			try {
				for (Part part : request.getParts()) {
					sb.append(part.getName()).append(" file=").append(part.getSubmittedFileName())
						.append(" type=").append(part.getContentType()).append(" size=").append(part.getSize())
						.append(" sha=").append(sha256(part.getInputStream())).append('\n');
				}
				sb.append("param title=").append(request.getParameter("title")).append('\n');
				sb.append("tempFiles=").append(countTempFiles()).append('\n');
			}
			catch (IllegalStateException ex) {
				response.sendError(413, ex.getMessage());
				return;
			}
			catch (ServletException ex) {
				response.sendError(400, ex.getMessage());
				return;
			}
			response.setContentType("text/plain;charset=UTF-8");
			response.getWriter().write(sb.toString());
		}

	}

	static long countTempFiles() throws IOException {
		try (var files = Files.list(uploads)) {
			return files.filter((f) -> f.getFileName().toString().startsWith("starlet-upload-")).count();
		}
	}

	static String sha256(InputStream in) throws IOException {
		try (in) {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] buffer = new byte[8192];
			int n;
			while ((n = in.read(buffer)) >= 0) {
				digest.update(buffer, 0, n);
			}
			return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			var upload = context.addServlet("upload", new UploadServlet());
			upload.addMapping("/upload");
			upload.setMultipartConfig(new MultipartConfigElement(uploads.toString(), 5 * 1024 * 1024,
					8 * 1024 * 1024, 64 * 1024));
			context.addServlet("noConfig", new UploadServlet()).addMapping("/noconfig");
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	static byte[] body(Object... fields) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = 0; i < fields.length; i += 3) {
			String name = (String) fields[i];
			String fileName = (String) fields[i + 1];
			out.write(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
					+ ((fileName != null) ? "; filename=\"" + fileName + "\"\r\nContent-Type: application/octet-stream"
							: "")
					+ "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
			Object content = fields[i + 2];
			out.write((content instanceof byte[] bytes) ? bytes : content.toString().getBytes(StandardCharsets.UTF_8));
			out.write("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		out.write(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

	static HttpResponse<String> post(String path, byte[] body) throws Exception {
		return server.send(server.request(path)
			.header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
	}

	static byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		// make sure the data contains boundary look-alikes
		byte[] lookAlike = ("\r\n--" + BOUNDARY.substring(0, 20)).getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(lookAlike, 0, bytes, size / 2, lookAlike.length);
		return bytes;
	}

	@Test
	void aMultiMegabyteFileAndTextFieldsArrive() throws Exception {
		byte[] file = randomBytes(3 * 1024 * 1024 + 17);
		HttpResponse<String> response = post("/upload", body("title", null, "Grüße", "file", "données.bin", file,
				"small", "small.txt", "tiny"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("""
				title file=null type=null size=7 sha=%s
				file file=données.bin type=application/octet-stream size=%d sha=%s
				small file=small.txt type=application/octet-stream size=4 sha=%s
				param title=Grüße
				tempFiles=1
				""".formatted(sha256(new java.io.ByteArrayInputStream("Grüße".getBytes(StandardCharsets.UTF_8))),
				file.length, sha256(new java.io.ByteArrayInputStream(file)),
				sha256(new java.io.ByteArrayInputStream("tiny".getBytes()))));
		// the spilled file is deleted when the request completes
		assertThat(countTempFiles()).isZero();
	}

	@Test
	void aFileOverMaxFileSizeIsRefusedWith413() throws Exception {
		HttpResponse<String> response = post("/upload", body("file", "big.bin", randomBytes(5 * 1024 * 1024 + 1)));
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("exceeds its maximum permitted size of 5242880 bytes");
		assertThat(countTempFiles()).isZero();
	}

	@Test
	void aRequestOverMaxRequestSizeIsRefusedWith413BeforeReading() throws Exception {
		byte[] part = randomBytes(4 * 1024 * 1024);
		HttpResponse<String> response = post("/upload", body("a", "a.bin", part, "b", "b.bin", part, "c", "c.bin", part));
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("exceeds the configured maximum");
	}

	@Test
	void aMalformedBodyIsABadRequest() throws Exception {
		HttpResponse<String> response = post("/upload",
				("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nno closing boundary")
					.getBytes(StandardCharsets.UTF_8));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("missing closing boundary");
	}

	@Test
	void mutatedBodiesAreAnsweredWith400Or413AndLeaveNoTemporaryFile() throws Exception {
		// Valid bodies with bytes replaced, inserted and deleted (the boundary lines and the part
		// headers included): the parser must refuse what it cannot read with a ServletException
		// (400 here) or a limit (413), never fail otherwise (a 500), and must delete the
		// temporary file of a part it had started to spill (one part is past the 64 KiB threshold).
		byte[][] seeds = {
			body("title", null, "hello", "file", "a.txt", "some text\r\n--not the boundary"),
			body("file", "big.bin", randomBytes(70 * 1024), "title", null, "after"),
			body("empty", null, "", "name", "\u00e9t\u00e9.txt", "caf\u00e9".getBytes(StandardCharsets.UTF_8)),
		};
		byte[] interesting = ("\r\n-\";=: " + BOUNDARY.substring(BOUNDARY.length() - 4)).getBytes(StandardCharsets.ISO_8859_1);
		java.util.SplittableRandom random = new java.util.SplittableRandom(1205);
		java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
		for (int round = 0; round < 600; round++) {
			byte[] mutated = Mutations.edited(seeds[round % seeds.length], interesting, 3, random);
			HttpResponse<String> response = post("/upload", mutated);
			assertThat(response.statusCode()).as("%s", Mutations.literal(mutated)).isIn(200, 400, 413);
			statuses.merge(response.statusCode(), 1, Integer::sum);
		}
		assertThat(statuses).as("both outcomes reached").containsKeys(200, 400);
		assertThat(countTempFiles()).isZero();
	}

	@Test
	void aServletWithoutMultipartConfigCannotReadParts() throws Exception {
		HttpResponse<String> response = post("/noconfig", body("title", null, "x"));
		assertThat(response.statusCode()).isEqualTo(413 /* IllegalStateException, as the servlet maps it */);
		assertThat(response.body()).contains("no multipart config");
	}

}
