package io.starlet.net;

import java.io.IOException;
import java.nio.channels.Selector;

/**
 * Lends selectors for timed waits to threads that have none of their own (an application thread
 * writing to a suspended exchange). A borrowed selector is given back clean: the connection's key
 * is cancelled and flushed first.
 */
public interface SelectorSource {

	Selector takeSelector() throws IOException;

	void returnSelector(Selector selector);

}
