package io.starlet.servlet.example;

import java.io.IOException;

import io.starlet.StarletConfig;
import io.starlet.server.StarletServer;
import io.starlet.servlet.ServletContainer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

public final class HelloStarlet {

	public static class HelloServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.setContentType("text/plain;charset=UTF-8");
			response.getWriter().write("Hello, " + request.getParameter("name") + "!");
		}

	}

	public static StarletServer start(int port) throws Exception {
		ServletContainer container = new ServletContainer();
		container.getServletContext().addServlet("hello", new HelloServlet()).addMapping("/hello");
		container.startContext();
		container.initServlets();
		StarletServer server = new StarletServer(
				StarletConfig.builder().listen("127.0.0.1", port).maxWorkers(4).build(), container);
		server.start();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			server.stop();
			container.destroy();
		}));
		return server;
	}

	public static void main(String[] args) throws Exception {
		StarletServer server = start(8080);
		System.out.println("Try http://127.0.0.1:" + server.port() + "/hello?name=Starlet");
	}

}
