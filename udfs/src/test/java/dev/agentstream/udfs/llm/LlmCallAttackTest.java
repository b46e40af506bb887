package dev.agentstream.udfs.llm;

import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.agentstream.udfs.Fixtures.turn;
import static dev.agentstream.udfs.Harnesses.callLlm;
import static dev.agentstream.udfs.Harnesses.emit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The LLM call against a misbehaving provider: a tiny HTTP server on 127.0.0.1 that answers as each
 * test says. Bounded: a handful of requests per test, every wait under a few seconds.
 */
class LlmCallAttackTest {

    private static final String KEY = "sk-test-DO-NOT-LEAK-1234";

    /** What the stub does with one request. */
    @FunctionalInterface
    private interface Behaviour {
        void answer(HttpExchange exchange) throws Exception;
    }

    private final AtomicReference<Behaviour> behaviour = new AtomicReference<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;
    private ExecutorService serverThreads;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        serverThreads = Executors.newFixedThreadPool(8);
        server.setExecutor(serverThreads);
        server.createContext(
                "/v1/chat/completions",
                exchange -> {
                    requests.incrementAndGet();
                    exchange.getRequestBody().readAllBytes();
                    try {
                        behaviour.get().answer(exchange);
                    } catch (Exception e) {
                        // the behaviour may break the exchange on purpose
                    } finally {
                        exchange.close();
                    }
                });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    // ------------------------------------------------------------ defects

    /**
     * {@code max_concurrent: 2} in the organism becomes async-http-client's maxConnections, whose
     * semaphore does not wait: with {@code llm.capacity} (64 by default) above it, every call
     * beyond the second fails at once with TooManyConnectionsException and a {@code <huh>}.
     */
    @Test
    void shouldQueueCallsBeyondTheBackendsMaxConcurrentInsteadOfFailingThem() throws Exception {
        behaviour.set(
                exchange -> {
                    Thread.sleep(400);
                    send(exchange, 200, okBody("<Pong/>"));
                });
        LlmClientFactory clients =
                new OpenAiChatClientFactory(baseUrl(), "", Duration.ofSeconds(5));

        List<TurnResult> results = callLlm(clients, 4, 5_000);

        assertThat(results).hasSize(4);
        assertThat(results)
                .as("calls beyond max_concurrent failed instead of waiting")
                .extracting(r -> r.error)
                .containsOnly("");
    }

    /**
     * OpenAI-compatible servers may send content as a list of parts. It is read as "" and the turn
     * counts as ok: the agent's answer is silently replaced by an empty {@code <reply/>}.
     */
    @Test
    void shouldNotTurnContentPartsIntoAnEmptyAnswer() throws Exception {
        behaviour.set(
                exchange ->
                        send(
                                exchange,
                                200,
                                "{\"id\":\"r\",\"model\":\"m\",\"choices\":[{\"message\":{\"role\":"
                                        + "\"assistant\",\"content\":[{\"type\":\"text\",\"text\":"
                                        + "\"<Pong/>\"}]},\"finish_reason\":\"stop\"}]}"));

        TurnResult result = callLlm(factory(), 1, 5_000).get(0);

        assertThat(result.isOk() && result.text.isEmpty())
                .as("an answer of content parts became an empty ok answer")
                .isFalse();
    }

    /** A refusal has null content: it becomes an empty ok answer, the refusal text lost. */
    @Test
    void shouldNotTurnARefusalIntoAnEmptyAnswer() throws Exception {
        behaviour.set(
                exchange ->
                        send(
                                exchange,
                                200,
                                "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":"
                                        + "null,\"refusal\":\"I can't help with that.\"},"
                                        + "\"finish_reason\":\"stop\"}]}"));

        TurnResult result = callLlm(factory(), 1, 5_000).get(0);

        assertThat(result.isOk() && result.text.isEmpty())
                .as("a refusal became an empty ok answer")
                .isFalse();
    }

    /** Usage is read with asInt: a provider's large or negative count becomes a wrong bill. */
    @Test
    void shouldNeverRecordNegativeTokenCounts() throws Exception {
        behaviour.set(
                exchange ->
                        send(
                                exchange,
                                200,
                                "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":"
                                        + "{\"prompt_tokens\":3000000000,"
                                        + "\"completion_tokens\":-5}}"));

        TurnResult result = callLlm(factory(), 1, 5_000).get(0);

        assertThat(result.promptTokens).isNotNegative();
        assertThat(result.completionTokens).isNotNegative();
    }

    /**
     * Nothing bounds what the provider sends back: a 200 with 600 000 characters of content, or an
     * error whose type is 600 000 characters long, goes into a {@code <reply>} or {@code <huh>}
     * that EnvelopeCodec.encode (the bus sink's serializer) refuses: the job fails.
     */
    @ParameterizedTest
    @ValueSource(strings = {"huge-content", "huge-error-type"})
    void shouldNeverTurnAProviderResponseIntoAnEnvelopeTheSinkCannotWrite(String mode)
            throws Exception {
        String big = "x".repeat(600_000);
        behaviour.set(
                exchange -> {
                    if (mode.equals("huge-content")) {
                        send(exchange, 200, okBody(big));
                    } else {
                        send(exchange, 500, "{\"error\":{\"type\":\"" + big + "\"}}");
                    }
                });

        TurnResult result = callLlm(factory(), 1, 5_000).get(0);
        List<Envelope> out = emit(Fixtures.helloWorld(), result).envelopes();

        EnvelopeCodec codec = new EnvelopeCodec();
        for (Envelope e : out) {
            assertThatCode(() -> codec.encode(e))
                    .as("bus-sink serializer throws: job failure")
                    .doesNotThrowAnyException();
        }
    }

    /**
     * After the operator's timeout has completed the result, the HTTP call is still running and
     * completes the same future again (and counts a second failure). Flink's ResultHandler drops
     * the second completion, but the function breaks its own "exactly once" contract.
     */
    @Test
    void shouldCompleteEachResultFutureExactlyOnceEvenAfterATimeout() throws Exception {
        behaviour.set(
                exchange -> {
                    Thread.sleep(600);
                    send(exchange, 200, okBody("<Pong/>"));
                });
        LlmCallFunction function = new LlmCallFunction(factory());
        function.setRuntimeContext(new MockStreamingRuntimeContext(1, 0));
        function.open(DefaultOpenContext.INSTANCE);
        try {
            RecordingFuture future = new RecordingFuture();
            Turn turn = turn();
            function.asyncInvoke(turn, future);
            function.timeout(turn, future);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (future.completions.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }

            assertThat(future.completions).as("completions of one result future").hasValue(1);
        } finally {
            function.close();
        }
    }

    // ------------------------------------------------------------ held up (regression)

    @ParameterizedTest
    @ValueSource(
            strings = {
                "401",
                "429",
                "reset-before-headers",
                "reset-mid-body",
                "slow-body",
                "redirect",
                "null-content",
                "empty-200"
            })
    void shouldYieldExactlyOneResultWithoutTheKeyWhateverTheProviderDoes(String mode)
            throws Exception {
        behaviour.set(
                exchange -> {
                    switch (mode) {
                        case "401" ->
                                send(
                                        exchange,
                                        401,
                                        "{\"error\":{\"message\":\"Incorrect API key provided: "
                                                + KEY
                                                + "\",\"type\":\"invalid_request_error\","
                                                + "\"code\":\"invalid_api_key\"}}");
                        case "429" -> {
                            exchange.getResponseHeaders().set("Retry-After", "1");
                            send(exchange, 429, "{\"error\":{\"type\":\"rate_limit_exceeded\"}}");
                        }
                        case "reset-before-headers" -> {
                            // close without a response
                        }
                        case "reset-mid-body" -> {
                            exchange.sendResponseHeaders(200, 1_000);
                            OutputStream body = exchange.getResponseBody();
                            body.write("{\"choices\":[".getBytes(StandardCharsets.UTF_8));
                            body.flush();
                        }
                        case "slow-body" -> {
                            exchange.sendResponseHeaders(200, 0);
                            OutputStream body = exchange.getResponseBody();
                            for (int i = 0; i < 30; i++) {
                                body.write(' ');
                                body.flush();
                                Thread.sleep(100);
                            }
                        }
                        case "redirect" -> {
                            exchange.getResponseHeaders().set("Location", "http://127.0.0.1:1/");
                            send(exchange, 302, "");
                        }
                        case "null-content" ->
                                send(
                                        exchange,
                                        200,
                                        "{\"choices\":[{\"message\":{\"content\":null}}]}");
                        default -> send(exchange, 200, "");
                    }
                });
        LlmClientFactory clients =
                () -> new OpenAiChatClient(baseUrl(), KEY, Duration.ofSeconds(5));

        List<TurnResult> results = callLlm(clients, 1, 1_500);

        assertThat(results).hasSize(1);
        TurnResult result = results.get(0);
        assertThat(result.error).doesNotContain(KEY);
        assertThat(result.text).doesNotContain(KEY);
        assertThat(emit(Fixtures.helloWorld(), result).envelopes()).hasSize(1);
    }

    // ------------------------------------------------------------------ helpers

    private LlmClientFactory factory() {
        return new OpenAiChatClientFactory(baseUrl(), "", Duration.ofSeconds(5));
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private static String okBody(String content) {
        return "{\"id\":\"r-1\",\"model\":\"m-1\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\""
                + content
                + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3}}";
    }

    /** Counts how often the function completes one future. */
    private static final class RecordingFuture implements ResultFuture<TurnResult> {
        final AtomicInteger completions = new AtomicInteger();
        final List<TurnResult> results = new ArrayList<>();

        @Override
        public synchronized void complete(Collection<TurnResult> result) {
            completions.incrementAndGet();
            results.addAll(result);
        }

        @Override
        public void completeExceptionally(Throwable error) {
            completions.incrementAndGet();
        }

        @Override
        public void complete(CollectionSupplier<TurnResult> supplier) {
            completions.incrementAndGet();
        }
    }
}
