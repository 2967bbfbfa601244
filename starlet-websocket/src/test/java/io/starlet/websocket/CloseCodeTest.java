package io.starlet.websocket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6455 §7.4.1 codes and which of them may travel in a Close frame (§7.4.2, §11.7). */
class CloseCodeTest {

	@Test
	void codesAreTheRegisteredOnesInOrder() {
		for (CloseCode code : CloseCode.values()) {
			assertThat(code.code()).isEqualTo(1000 + code.ordinal());
			assertThat(CloseCode.of(code.code())).isSameAs(code);
		}
		assertThat(CloseCode.of(1002).phrase()).isEqualTo("Protocol error");
		assertThat(CloseCode.of(1009)).isEqualTo(CloseCode.MESSAGE_TOO_BIG);
		assertThat(CloseCode.of(999)).isNull();
		assertThat(CloseCode.of(1016)).isNull();
		assertThat(CloseCode.of(4000)).isNull();
	}

	@Test
	void codesValidOnTheWire() {
		for (int code = 0; code < 70000; code++) {
			boolean expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
					|| (code >= 3000 && code <= 4999);
			assertThat(CloseCode.isValidOnWire(code)).as("code %d", code).isEqualTo(expected);
		}
		assertThat(CloseCode.RESERVED.isValidOnWire()).isFalse();
		assertThat(CloseCode.NO_STATUS_RECEIVED.isValidOnWire()).isFalse();
		assertThat(CloseCode.ABNORMAL_CLOSURE.isValidOnWire()).isFalse();
		assertThat(CloseCode.TLS_HANDSHAKE.isValidOnWire()).isFalse();
		assertThat(CloseCode.NORMAL_CLOSURE.isValidOnWire()).isTrue();
	}

	@Test
	void everyViolationClosesWithASendableCode() {
		for (ProtocolViolation violation : ProtocolViolation.values()) {
			assertThat(violation.closeCode().isValidOnWire()).isTrue();
			assertThat(violation.rule()).as(violation.name()).matches("RFC (6455|7692) §.*");
		}
	}

}
