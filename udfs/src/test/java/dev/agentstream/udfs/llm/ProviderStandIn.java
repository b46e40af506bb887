package dev.agentstream.udfs.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provider on 127.0.0.1 for tests: a JDK HTTP server that answers every path as the test scripts
 * it, in the provider's own wire shapes, and records each request it got.
 */
final class ProviderStandIn implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the stand-in does with one request. */
    @FunctionalInterface
    interface Script {
        void answer(HttpExchange exchange) throws Exception;
    }

    /** One request as it arrived; header names in lower case. */
    record Request(String method, String path, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicReference<Script> script = new AtomicReference<>();

    /** Counted down when a client hangs up on a body the stand-in is still sending. */
    final CountDownLatch hungUp = new CountDownLatch(1);

    private ProviderStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    static ProviderStandIn start() throws IOException {
        return new ProviderStandIn();
    }

    /** {@code http://127.0.0.1:<port>}; every path under it answers. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers every request with {@code status} and {@code body}. */
    ProviderStandIn answer(int status, String body) {
        return answer(exchange -> send(exchange, status, body));
    }

    /** Answers every request with {@code status}, {@code body} and one more header. */
    ProviderStandIn answer(int status, String body, String header, String value) {
        return answer(
                exchange -> {
                    exchange.getResponseHeaders().set(header, value);
                    send(exchange, status, body);
                });
    }

    ProviderStandIn answer(Script next) {
        script.set(next);
        return this;
    }

    /**
     * Sends a 200 one byte at a time until the client hangs up, then counts down {@link #hungUp}.
     */
    ProviderStandIn trickle() {
        return answer(
                exchange -> {
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream body = exchange.getResponseBody();
                    try {
                        for (int i = 0; i < 500; i++) {
                            body.write(' ');
                            body.flush();
                            Thread.sleep(20);
                        }
                    } catch (IOException clientWentAway) {
                        hungUp.countDown();
                    }
                });
    }

    List<Request> requests() {
        return requests;
    }

    /** The only request so far. */
    Request only() {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private void handle(HttpExchange exchange) {
        try {
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders()
                    .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            String body =
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(
                    new Request(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().getPath(),
                            headers,
                            body));
            script.get().answer(exchange);
        } catch (Exception e) {
            // a script may break the exchange on purpose
        } finally {
            exchange.close();
        }
    }

    static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /** A loopback port nothing listens on. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The call's reply, within a few seconds. */
    static LlmReply reply(CompletableFuture<LlmReply> call) throws Exception {
        return call.get(5, TimeUnit.SECONDS);
    }

    /** The call's failure, within a few seconds; fails the test when the call succeeded. */
    static LlmCallException failure(CompletableFuture<LlmReply> call) throws Exception {
        try {
            LlmReply reply = call.get(5, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + reply);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(LlmCallException.class);
            return (LlmCallException) e.getCause();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
