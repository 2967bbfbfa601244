package io.starlet.boot.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fc00::/7}), as a
 * predicate. Only literal addresses are accepted: a host name would need a DNS lookup.
 */
final class AddressRanges implements Predicate<InetAddress> {

	private final List<Range> ranges;

	private AddressRanges(List<Range> ranges) {
		this.ranges = ranges;
	}

	/**
	 * @throws IllegalArgumentException saying which entry is wrong and why
	 */
	static AddressRanges parse(List<String> specs) {
		List<Range> ranges = new ArrayList<>();
		for (String spec : specs) {
			ranges.add(Range.parse(spec));
		}
		return new AddressRanges(List.copyOf(ranges));
	}

	@Override
	public boolean test(InetAddress address) {
		for (Range range : this.ranges) {
			if (range.contains(address)) {
				return true;
			}
		}
		return false;
	}

	private record Range(byte[] network, int prefixLength) {

		static Range parse(String spec) {
			String text = (spec != null) ? spec.trim() : "";
			int slash = text.indexOf('/');
			String addressPart = (slash < 0) ? text : text.substring(0, slash);
			boolean ipv4 = addressPart.matches("\\d{1,3}(\\.\\d{1,3}){3}")
					&& java.util.Arrays.stream(addressPart.split("\\.")).allMatch((octet) -> Integer.parseInt(octet) <= 255);
			boolean ipv6 = addressPart.contains(":") && addressPart.matches("[0-9A-Fa-f:.]+");
			if (!ipv4 && !ipv6) {
				throw new IllegalArgumentException(
						"'" + spec + "' is not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.168.1.7, fc00::/7)");
			}
			byte[] network;
			try {
				network = InetAddress.getByName(addressPart).getAddress();
			}
			catch (UnknownHostException ex) {
				throw new IllegalArgumentException("'" + spec + "' is not an IP address");
			}
			int bits = network.length * 8;
			int prefix = bits;
			if (slash >= 0) {
				try {
					prefix = Integer.parseInt(text.substring(slash + 1));
				}
				catch (NumberFormatException ex) {
					throw new IllegalArgumentException("'" + spec + "' has no numeric prefix length");
				}
				if (prefix < 0 || prefix > bits) {
					throw new IllegalArgumentException("'" + spec + "': the prefix length must be between 0 and " + bits);
				}
			}
			return new Range(network, prefix);
		}

		boolean contains(InetAddress address) {
			byte[] candidate = address.getAddress();
			if (candidate.length != this.network.length) {
				return false;
			}
			int fullBytes = this.prefixLength / 8;
			for (int i = 0; i < fullBytes; i++) {
				if (candidate[i] != this.network[i]) {
					return false;
				}
			}
			int remainingBits = this.prefixLength % 8;
			if (remainingBits == 0) {
				return true;
			}
			int mask = (0xFF << (8 - remainingBits)) & 0xFF;
			return (candidate[fullBytes] & mask) == (this.network[fullBytes] & mask);
		}

	}

}
