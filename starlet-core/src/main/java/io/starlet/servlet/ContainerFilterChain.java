package io.starlet.servlet;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * The filters of one dispatch, each once, then the servlet. Async support is the AND of
 * everything entered.
 */
final class ContainerFilterChain implements FilterChain {

	private final List<FilterHolder> filters;

	private final ServletHolder servlet;

	private final ContainerRequest request;

	private int position;

	ContainerFilterChain(List<FilterHolder> filters, ServletHolder servlet, ContainerRequest request) {
		this.filters = filters;
		this.servlet = servlet;
		this.request = request;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
		if (this.position < this.filters.size()) {
			FilterHolder holder = this.filters.get(this.position++);
			if (!holder.isAsyncSupported()) {
				this.request.asyncSupported = false;
			}
			holder.filter().doFilter(request, response, this);
			return;
		}
		if (this.position++ > this.filters.size()) {
			throw new IllegalStateException("FilterChain.doFilter called twice past the end of the chain");
		}
		if (!this.servlet.isAsyncSupported()) {
			this.request.asyncSupported = false;
		}
		this.servlet.service(request, response);
	}

}
