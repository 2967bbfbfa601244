package io.starlet.servlet;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.starlet.StarletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer past the response buffer, over a real socket: a page written in many small pieces
 * goes out in a few large chunks (not one chunk per piece), and nothing is lost or garbled on the
 * way: non-ASCII text, a surrogate pair split across writes, a declared length, a flush, a reset.
 * A writer kept past its response writes nothing into a later one on the same worker.
 */
@Timeout(60)
class ResponseWriterTest {

	static ServletServer server;

	static final String CELL = "<td>cell</td>";

	static final int CELLS = 2000;

	/** 500 bytes of UTF-8 that the encoder, not the ASCII copy, writes. */
	static final String WIDE = "é日".repeat(100);

	interface Body {

		void write(HttpServletRequest request, HttpServletResponse response) throws IOException;

	}

	static void add(ServletContext context, String path, Body body) {
		context.addServlet(path, new HttpServlet() {
			@Override
			protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
				body.write(request, response);
			}
		}).addMapping(path);
	}

	static String ascii(int length) {
		StringBuilder text = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			text.append((char) ('a' + i % 26));
		}
		return text.toString();
	}

	@BeforeAll
	static void start() throws Exception {
		server = ServletServer.start((container) -> {
			ServletContext context = container.getServletContext();
			add(context, "/pieces", (request, response) -> {
				response.setContentType("text/html;charset=UTF-8");
				PrintWriter writer = response.getWriter();
				for (int i = 0; i < CELLS; i++) {
					if (i % 2 == 0) {
						writer.write(CELL);
					}
					else {
						writer.write(CELL.toCharArray());
					}
				}
			});
			add(context, "/mixed", (request, response) -> {
				response.setContentType("text/plain;charset=UTF-8");
				PrintWriter writer = response.getWriter();
				writer.write(ascii(10_000));
				writer.write("Grüße € ");
				writer.write('\uD83D');
				writer.write('\uDE00');
				writer.write(" é".toCharArray());
				writer.write(ascii(9_000));
				writer.write("日本");
			});
			add(context, "/chars", (request, response) -> {
				response.setContentType("text/html;charset=UTF-8");
				PrintWriter writer = response.getWriter();
				for (int i = 0; i < CELLS; i++) {
					writer.write('<');
					writer.print("td");
					writer.print('>');
					writer.print(i);
					writer.append('é').append("</td").write('>');
					writer.println();
				}
				writer.write('\uD83D');
				writer.write('\uDE00');
			});
			add(context, "/latin1", (request, response) -> {
				response.setContentType("text/plain;charset=ISO-8859-1");
				PrintWriter writer = response.getWriter();
				writer.write(ascii(9_000));
				writer.write("café € ");
				writer.write(ascii(100));
			});
			add(context, "/declared", (request, response) -> {
				response.setContentType("text/plain;charset=UTF-8");
				response.setContentLength(CELLS * CELL.length());
				PrintWriter writer = response.getWriter();
				for (int i = 0; i < CELLS; i++) {
					writer.write(CELL);
				}
			});
			add(context, "/wide", (request, response) -> {
				response.setContentType("text/plain;charset=UTF-8");
				PrintWriter writer = response.getWriter();
				for (int i = 0; i < 40; i++) {
					writer.write(WIDE);
				}
			});
			add(context, "/flush", (request, response) -> {
				response.setContentType("text/plain;charset=UTF-8");
				PrintWriter writer = response.getWriter();
				writer.write(ascii(10_000));
				writer.write("before flush");
				writer.flush();
				writer.write(" after flush");
			});
			add(context, "/reset", (request, response) -> {
				response.setContentType("text/plain;charset=UTF-8");
				PrintWriter writer = response.getWriter();
				writer.write("dropped by the reset");
				response.reset();
				response.setContentType("text/plain;charset=UTF-8");
				// the application may go on with the writer it holds, as on Tomcat
				writer.write("kept ");
				response.getWriter().write("and the writer getWriter gives now");
			});
			add(context, "/buffer-size", (request, response) -> {
				response.setContentType("text/plain;charset=UTF-8");
				PrintWriter writer = response.getWriter();
				writer.write("written");
				try {
					response.setBufferSize(64 * 1024);
					writer.write(", then the buffer size changed");
				}
				catch (IllegalStateException ex) {
					writer.write(", then setBufferSize refused");
				}
			});
		});
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	private static ServletServer.RawResponse get(String path) throws IOException {
		return server.raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	}

	/** The number of chunks (the last, empty one not counted) in a raw chunked response. */
	private static int chunks(ServletServer.RawResponse response) {
		String text = response.text();
		int pos = text.indexOf("\r\n\r\n") + 4;
		int count = 0;
		while (pos < text.length()) {
			int lineEnd = text.indexOf("\r\n", pos);
			int size = Integer.parseInt(text.substring(pos, lineEnd), 16);
			if (size == 0) {
				break;
			}
			count++;
			pos = lineEnd + 2 + size + 2;
		}
		return count;
	}

	@Test
	void aPageWrittenInSmallPiecesLeavesInLargeChunks() throws Exception {
		ServletServer.RawResponse response = get("/pieces");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.chunked()).isTrue();
		assertThat(response.body()).isEqualTo(CELL.repeat(CELLS));
		// 26 KB: the 8 KiB response buffer, then 8 KiB pieces (was 1,400 chunks of 13 bytes)
		assertThat(chunks(response)).isBetween(2, 5);
	}

	@Test
	void nonAsciiTextAndASplitSurrogatePairSurviveTheHeldBytes() throws Exception {
		ServletServer.RawResponse response = get("/mixed");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.chunked()).isTrue();
		assertThat(response.body()).isEqualTo(ascii(10_000) + "Grüße € \uD83D\uDE00 é" + ascii(9_000) + "日本");
	}

	@Test
	void singleCharactersAndPrintCallsArriveInOrderPastTheBuffer() throws Exception {
		ServletServer.RawResponse response = get("/chars");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.chunked()).isTrue();
		StringBuilder expected = new StringBuilder();
		for (int i = 0; i < CELLS; i++) {
			expected.append("<td>").append(i).append("é</td>").append(System.lineSeparator());
		}
		expected.append("\uD83D\uDE00");
		assertThat(response.body()).isEqualTo(expected.toString());
	}

	@Test
	void textThatIsNotAsciiFillsTheBufferAndThenLargeChunksThroughTheEncoder() throws Exception {
		ServletServer.RawResponse response = get("/wide");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.chunked()).isTrue();
		assertThat(response.body()).isEqualTo(WIDE.repeat(40));
		// 20 KB in 40 writes of 500 bytes that the encoder writes: the 8 KiB buffer, then 8 KiB
		// chunks, not one chunk per write
		assertThat(chunks(response)).isBetween(2, 4);
	}

	@Test
	void latin1IsEncodedWithItsReplacementForUnmappableCharacters() throws Exception {
		ServletServer.RawResponse response = get("/latin1");
		byte[] raw = response.text().getBytes(StandardCharsets.ISO_8859_1);
		String wire = new String(raw, StandardCharsets.ISO_8859_1);
		assertThat(wire).contains("café ? " + ascii(100));
	}

	@Test
	void aDeclaredLengthIsHonouredWithoutHoldingBytes() throws Exception {
		ServletServer.RawResponse response = get("/declared");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.chunked()).isFalse();
		assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(CELLS * CELL.length()));
		assertThat(response.body()).isEqualTo(CELL.repeat(CELLS));
	}

	@Test
	void aResetDropsWhatWasGatheredAndTheWriterServesOn() throws Exception {
		ServletServer.RawResponse response = get("/reset");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("kept and the writer getWriter gives now");
	}

	@Test
	void setBufferSizeIsRefusedOnceTheWriterHasContent() throws Exception {
		assertThat(get("/buffer-size").body()).isEqualTo("written, then setBufferSize refused");
	}

	@Test
	void aWriterKeptPastItsResponseWritesNothingIntoALaterOne() throws Exception {
		// one worker: the second response reuses what the first one gave back (its buffer)
		AtomicReference<PrintWriter> kept = new AtomicReference<>();
		try (ServletServer one = ServletServer.start(StarletConfig.builder().maxWorkers(1).maxKeepaliveReqs(100),
				(container) -> {
					ServletContext context = container.getServletContext();
					add(context, "/keep", (request, response) -> {
						response.setContentType("text/plain;charset=UTF-8");
						PrintWriter writer = response.getWriter();
						writer.write("first");
						kept.set(writer);
					});
					add(context, "/later", (request, response) -> {
						response.setContentType("text/plain;charset=UTF-8");
						PrintWriter writer = response.getWriter();
						writer.write("second ");
						kept.get().write("LEAKED");
						kept.get().flush();
						writer.write("response");
					});
				})) {
			assertThat(one.raw("GET /keep HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").body()).isEqualTo("first");
			assertThat(one.raw("GET /later HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").body())
				.isEqualTo("second response");
		}
	}

	@Test
	void flushHandsOverWhatTheWriterHeld() throws Exception {
		ServletServer.RawResponse response = get("/flush");
		assertThat(response.body()).isEqualTo(ascii(10_000) + "before flush after flush");
		assertThat(response.text()).contains("before flush\r\n");
	}

}
