package io.starlet.servlet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.starlet.http.FixedLengthInputStream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class RequestInputTest {

	private static final int LENGTH = 64 * 1024;

	private final byte[] body = new byte[LENGTH];

	private int largestRead;

	RequestInputTest() {
		for (int i = 0; i < LENGTH; i++) {
			this.body[i] = (byte) (i * 31);
		}
	}

	/** The body with a Content-Length, over a source that records the largest read asked of it. */
	private RequestInput input() {
		InputStream source = new ByteArrayInputStream(this.body) {
			@Override
			public synchronized int read(byte[] b, int off, int len) {
				RequestInputTest.this.largestRead = Math.max(RequestInputTest.this.largestRead, len);
				return super.read(b, off, len);
			}
		};
		FixedLengthInputStream body = new FixedLengthInputStream(source, LENGTH);
		return new RequestInput(body, body::remaining);
	}

	@Test
	void afterAPeekTheWholeBodyIsStillReadInOneExactSizeArray() throws IOException {
		// Spring MVC's empty-body check, then @RequestBody byte[]
		RequestInput in = input();
		in.mark(1);
		assertThat(in.read()).isEqualTo(this.body[0] & 0xff);
		in.reset();
		byte[] all = in.readNBytes(LENGTH);
		assertThat(all).isEqualTo(this.body);
		// one read of everything after the replayed byte, not the JDK's 8 KiB chunks
		assertThat(this.largestRead).isEqualTo(LENGTH - 1);
		assertThat(in.isFinished()).isTrue();
		// the read went past the mark's limit: the mark is gone
		assertThatIOException().isThrownBy(in::reset);
	}

	@Test
	void aMarkWideEnoughForTheWholeReadStillResetsToItsStart() throws IOException {
		RequestInput in = input();
		in.mark(LENGTH);
		byte[] first = in.readNBytes(100);
		in.reset();
		byte[] again = in.readNBytes(LENGTH);
		assertThat(first).isEqualTo(java.util.Arrays.copyOf(this.body, 100));
		assertThat(again).isEqualTo(this.body);
	}

}
