package io.starlet.servlet;

import java.io.IOException;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Answers with how the request was mapped, one {@code key=value} per line. */
class InfoServlet extends HttpServlet {

	@Override
	protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
		HttpServletMapping mapping = request.getHttpServletMapping();
		response.setContentType("text/plain");
		response.setCharacterEncoding("UTF-8");
		response.getWriter()
			.append("servlet=").append(getServletName()).append('\n')
			.append("servletPath=").append(request.getServletPath()).append('\n')
			.append("pathInfo=").append(String.valueOf(request.getPathInfo())).append('\n')
			.append("match=").append(String.valueOf(mapping.getMappingMatch())).append('\n')
			.append("pattern=").append(mapping.getPattern()).append('\n')
			.append("matchValue=").append(mapping.getMatchValue()).append('\n')
			.append("requestURI=").append(request.getRequestURI()).append('\n')
			.append("contextPath=").append(request.getContextPath()).append('\n')
			.append("dispatcherType=").append(request.getDispatcherType().name()).append('\n');
	}

}
