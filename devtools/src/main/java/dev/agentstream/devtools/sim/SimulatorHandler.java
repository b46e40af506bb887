package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Routes the simulator's HTTP requests and sends the replies. Chat replies wait for the configured
 * latency on a scheduler, so a slow answer never occupies an HTTP worker thread.
 */
final class SimulatorHandler implements HttpHandler {

    static final String CHAT_PATH = "/v1/chat/completions";
    static final String HEALTH_PATH = "/health";

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorHandler.class);

    private final ObjectMapper json;
    private final ChatEndpoint chat;
    private final Supplier<Duration> latency;
    private final ScheduledExecutorService delayed;
    private final AtomicInteger chatRequests;

    SimulatorHandler(
            ObjectMapper json,
            ChatEndpoint chat,
            Supplier<Duration> latency,
            ScheduledExecutorService delayed,
            AtomicInteger chatRequests) {
        this.json = json;
        this.chat = chat;
        this.latency = latency;
        this.delayed = delayed;
        this.chatRequests = chatRequests;
    }

    @Override
    public void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        try {
            if (CHAT_PATH.equals(path)) {
                if ("POST".equals(method)) {
                    chat(exchange);
                } else {
                    send(exchange, error(OpenAiError.methodNotAllowed(method, path)));
                }
            } else if (HEALTH_PATH.equals(path) && "GET".equals(method)) {
                send(
                        exchange,
                        HttpReply.json(json, 200, json.createObjectNode().put("status", "ok")));
            } else {
                send(exchange, error(OpenAiError.notFound(method, path)));
            }
        } catch (RuntimeException | IOException e) {
            LOG.warn("Failed to answer {} {}", method, path, e);
            send(exchange, error(OpenAiError.internal("Simulator failure: " + e)));
        }
    }

    private void chat(HttpExchange exchange) throws IOException {
        chatRequests.incrementAndGet();
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpReply reply = chat.handle(body);
        long delayMillis = latency.get().toMillis();
        if (delayMillis <= 0) {
            send(exchange, reply);
            return;
        }
        try {
            delayed.schedule(() -> send(exchange, reply), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The simulator is closing: drop the exchange like a provider that went away.
            exchange.close();
        }
    }

    private HttpReply error(OpenAiError error) {
        return HttpReply.error(json, error);
    }

    /** Sends {@code reply} and closes the exchange; a client that hung up is only logged. */
    private static void send(HttpExchange exchange, HttpReply reply) {
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(reply.status(), reply.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        } catch (IOException e) {
            LOG.debug("Client went away before the reply was sent: {}", e.toString());
        } finally {
            exchange.close();
        }
    }
}
