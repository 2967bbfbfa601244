package io.starlet.net;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MinimumRateTest {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private static final long START = 1_000 * SECOND;

	private final MinimumRate rate = new MinimumRate(240, 5 * SECOND);

	@Test
	void nothingIsBehindDuringTheGrace() {
		assertThat(this.rate.isBehind(START, 0, START + 5 * SECOND)).isFalse();
		assertThat(this.rate.isBehind(START, 0, START + 5 * SECOND + 1)).isTrue();
	}

	@Test
	void afterTheGraceTheBodyMustAverageTheRateSinceItStarted() {
		// 10 s in: 2,400 bytes are due, counted from the start, not from the grace's end
		assertThat(this.rate.isBehind(START, 2_399, START + 10 * SECOND)).isTrue();
		assertThat(this.rate.isBehind(START, 2_400, START + 10 * SECOND)).isFalse();
		assertThat(this.rate.deadline(START, 2_400)).isEqualTo(START + 10 * SECOND);
	}

	@Test
	void theDeadlineIsNeverBeforeTheGraceEnds() {
		assertThat(this.rate.deadline(START, 0)).isEqualTo(START + 5 * SECOND);
		assertThat(this.rate.deadline(START, 240)).isEqualTo(START + 5 * SECOND);
	}

	@Test
	void aHugeBodyDoesNotOverflowTheDeadline() {
		long received = 40L * 1024 * 1024 * 1024; // 40 GB: received * 10^9 would overflow a long
		long deadline = new MinimumRate(1024 * 1024, 5 * SECOND).deadline(START, received);
		assertThat(deadline).isEqualTo(START + 40L * 1024 * SECOND);
	}

	@Test
	void rateZeroIsNoMinimum() {
		MinimumRate none = new MinimumRate(0, 5 * SECOND);
		assertThat(none.applies()).isFalse();
		assertThat(none.isBehind(START, 0, START + 3600 * SECOND)).isFalse();
	}

}
