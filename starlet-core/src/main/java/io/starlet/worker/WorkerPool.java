package io.starlet.worker;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.starlet.Handler;
import io.starlet.ServerStats;
import io.starlet.StarletConfig;

/** The manager of the workers (being written). */
public final class WorkerPool {

	public WorkerPool(StarletConfig config, Handler handler) {
	}

	public void start() throws IOException {
		throw new IOException("engine not written yet");
	}

	public boolean isRunning() {
		return false;
	}

	public int port() {
		return -1;
	}

	public List<SocketAddress> boundAddresses() {
		return List.of();
	}

	public CompletableFuture<Void> shutdownGracefully() {
		return CompletableFuture.completedFuture(null);
	}

	public void stop() {
	}

	public void recycleWorkers() {
	}

	public ServerStats stats() {
		return ServerStats.EMPTY;
	}

}
