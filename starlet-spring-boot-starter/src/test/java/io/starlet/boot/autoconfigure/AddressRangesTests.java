package io.starlet.boot.autoconfigure;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class AddressRangesTests {

	@Test
	void matchesAddressesAndBlocks() throws Exception {
		AddressRanges ranges = AddressRanges.parse(List.of("10.0.0.0/8", "192.168.1.7", "172.16.0.0/12", "fc00::/7"));
		assertThat(ranges.test(InetAddress.getByName("10.200.3.4"))).isTrue();
		assertThat(ranges.test(InetAddress.getByName("11.0.0.1"))).isFalse();
		assertThat(ranges.test(InetAddress.getByName("192.168.1.7"))).isTrue();
		assertThat(ranges.test(InetAddress.getByName("192.168.1.8"))).isFalse();
		assertThat(ranges.test(InetAddress.getByName("172.31.255.255"))).isTrue();
		assertThat(ranges.test(InetAddress.getByName("172.32.0.0"))).isFalse();
		assertThat(ranges.test(InetAddress.getByName("fd12::1"))).isTrue();
		assertThat(ranges.test(InetAddress.getByName("2001:db8::1"))).isFalse();
	}

	@Test
	void rejectsWhatIsNotALiteralAddressOrBlock() {
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRanges.parse(List.of("example.com")));
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRanges.parse(List.of("10.0.0.0/40")));
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRanges.parse(List.of("10.0.0.0/x")));
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRanges.parse(List.of("")));
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRanges.parse(List.of("999.1.1.1")));
	}

}
