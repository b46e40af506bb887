package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Routes the simulator's HTTP requests to the chat endpoint of their protocol and sends the
 * replies. Chat replies wait for the global latency, and a slow fault's delay, on a scheduler, so a
 * slow answer never occupies an HTTP worker thread.
 */
final class SimulatorHandler implements HttpHandler {

    static final String HEALTH_PATH = "/health";

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorHandler.class);

    private final ObjectMapper json;
    private final Map<String, ChatEndpoint> endpoints;
    private final Supplier<Duration> latency;
    private final ScheduledExecutorService delayed;
    private final RequestLog requests;

    SimulatorHandler(
            ObjectMapper json,
            List<ChatEndpoint> endpoints,
            Supplier<Duration> latency,
            ScheduledExecutorService delayed,
            RequestLog requests) {
        this.json = json;
        this.endpoints =
                endpoints.stream()
                        .collect(
                                Collectors.toUnmodifiableMap(
                                        e -> e.protocol().path(), Function.identity()));
        this.latency = latency;
        this.delayed = delayed;
        this.requests = requests;
    }

    @Override
    public void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        ChatEndpoint endpoint = endpoints.get(path);
        try {
            if (endpoint != null) {
                if ("POST".equals(method)) {
                    chat(exchange, endpoint);
                } else {
                    ReplySender.send(exchange, endpoint.dialect().methodNotAllowed(method, path));
                }
            } else if (HEALTH_PATH.equals(path) && "GET".equals(method)) {
                ReplySender.send(
                        exchange,
                        HttpReply.json(json, 200, json.createObjectNode().put("status", "ok")));
            } else {
                ReplySender.send(
                        exchange, HttpReply.error(json, OpenAiError.notFound(method, path)));
            }
        } catch (RuntimeException | IOException e) {
            LOG.warn("Failed to answer {} {}", method, path, e);
            String message = "Simulator failure: " + e;
            ReplySender.send(
                    exchange,
                    endpoint != null
                            ? endpoint.dialect().internalError(message)
                            : HttpReply.error(json, OpenAiError.internal(message)));
        }
    }

    private void chat(HttpExchange exchange, ChatEndpoint endpoint) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        RecordedRequest request =
                new RecordedRequest(
                        endpoint.protocol(),
                        exchange.getRequestHeaders(),
                        body.length,
                        new String(body, StandardCharsets.UTF_8));
        requests.record(request);
        HttpReply reply = endpoint.handle(request.headers(), body);
        long delayMillis = latency.get().plus(reply.delay()).toMillis();
        if (delayMillis <= 0) {
            ReplySender.send(exchange, reply);
            return;
        }
        try {
            delayed.schedule(
                    () -> ReplySender.send(exchange, reply), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The simulator is closing: drop the exchange like a provider that went away.
            exchange.close();
        }
    }
}
