package io.starlet;

/** {@link Clock#SYSTEM}: the only place in the engine that asks the system for the time. */
final class SystemClock implements Clock {

	@Override
	public long nanoTime() {
		return System.nanoTime();
	}

	@Override
	public long currentTimeMillis() {
		return System.currentTimeMillis();
	}

	@Override
	public String toString() {
		return "Clock.SYSTEM";
	}

}
