package io.starlet.servlet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestAttributesTest {

	private final RequestAttributes attributes = new RequestAttributes();

	@Test
	void setReplaceAndRemoveReturnWhatWasThere() {
		assertThat(this.attributes.put("a", 1)).isNull();
		assertThat(this.attributes.put("a", 2)).isEqualTo(1);
		assertThat(this.attributes.get("a")).isEqualTo(2);
		assertThat(this.attributes.remove("a")).isEqualTo(2);
		assertThat(this.attributes.remove("a")).isNull();
		assertThat(this.attributes.get("a")).isNull();
		assertThat(this.attributes.names()).isEmpty();
	}

	@Test
	void namesWithTheSameHashAreDifferentAttributes() {
		assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
		this.attributes.put("Aa", "first");
		this.attributes.put("BB", "second");
		assertThat(this.attributes.get("Aa")).isEqualTo("first");
		assertThat(this.attributes.get("BB")).isEqualTo("second");
		this.attributes.remove("Aa");
		assertThat(this.attributes.get("BB")).isEqualTo("second");
		assertThat(this.attributes.get("Aa")).isNull();
	}

	@Test
	void aNameBuiltAtRunTimeFindsTheSameAttribute() {
		this.attributes.put("org.example.KEY", "v");
		String built = new StringBuilder("org.example.").append("KEY").toString();
		assertThat(this.attributes.get(built)).isEqualTo("v");
	}

	@Test
	void growsPastItsFirstArraysAndKeepsInsertionOrderAcrossRemovals() {
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			this.attributes.put("name-" + i, i);
			expected.add("name-" + i);
		}
		for (int i = 0; i < 100; i += 3) {
			assertThat(this.attributes.remove("name-" + i)).isEqualTo(i);
			expected.remove("name-" + i);
		}
		assertThat(this.attributes.names()).containsExactlyElementsOf(expected);
		for (int i = 0; i < 100; i++) {
			assertThat(this.attributes.get("name-" + i)).isEqualTo((i % 3 == 0) ? null : i);
		}
	}

	@Test
	void anIterationVariableSetAndRemovedRowAfterRowLeavesTheOthersIntact() {
		// Thymeleaf's th:each: the row variable is set and removed once per row, among fixed names,
		// and one new name per row makes the arrays fill up and reclaim again and again
		for (int i = 0; i < 20; i++) {
			this.attributes.put("fixed-" + i, i);
		}
		for (int row = 0; row < 1_000; row++) {
			assertThat(this.attributes.put("row", row)).isNull();
			assertThat(this.attributes.put("row-" + row, row)).isNull();
			assertThat(this.attributes.get("row")).isEqualTo(row);
			assertThat(this.attributes.remove("row")).isEqualTo(row);
			if (row > 0) {
				assertThat(this.attributes.remove("row-" + (row - 1))).isEqualTo(row - 1);
			}
			assertThat(this.attributes.get("row")).isNull();
		}
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			assertThat(this.attributes.get("fixed-" + i)).isEqualTo(i);
			expected.add("fixed-" + i);
		}
		expected.add("row-999");
		assertThat(this.attributes.names()).containsExactlyElementsOf(expected);
	}

	@Test
	void aRemovedNameSetAgainIsFoundAndListedOnce() {
		this.attributes.put("a", 1);
		this.attributes.put("b", 2);
		this.attributes.remove("a");
		assertThat(this.attributes.names()).containsExactly("b");
		assertThat(this.attributes.put("a", 3)).isNull();
		assertThat(this.attributes.get("a")).isEqualTo(3);
		assertThat(this.attributes.names()).containsExactlyInAnyOrder("a", "b");
	}

	@Test
	void theNamesAreASnapshot() {
		this.attributes.put("a", 1);
		List<String> names = this.attributes.names();
		this.attributes.put("b", 2);
		this.attributes.remove("a");
		assertThat(names).containsExactly("a");
		assertThat(this.attributes.names()).containsExactly("b");
	}

	@Test
	void onceSharedTwoThreadsLoseNoUpdates() throws Exception {
		this.attributes.put("before", 0);
		this.attributes.share();
		CyclicBarrier start = new CyclicBarrier(2);
		CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> fill("worker-", start));
		CompletableFuture<Void> application = CompletableFuture.runAsync(() -> fill("app-", start));
		CompletableFuture.allOf(worker, application).get(30, TimeUnit.SECONDS);
		assertThat(this.attributes.names()).hasSize(2 * 5_000 + 1);
		for (int i = 0; i < 5_000; i++) {
			assertThat(this.attributes.get("worker-" + i)).isEqualTo(i);
			assertThat(this.attributes.get("app-" + i)).isEqualTo(i);
		}
	}

	private void fill(String prefix, CyclicBarrier start) {
		try {
			start.await(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		for (int i = 0; i < 5_000; i++) {
			this.attributes.put(prefix + i, i);
			this.attributes.put(prefix + "scratch", i);
			this.attributes.remove(prefix + "scratch");
		}
	}

}
