package dev.agentstream.udfs.llm;

import com.sun.net.httpserver.HttpServer;
import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.Harnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The async LLM operator against a real HTTP server on loopback that answers as the test says:
 * every turn yields exactly one result, whatever the server does.
 */
class LlmCallFunctionTest {

    private static final String OK_BODY =
            "{\"id\":\"r-1\",\"model\":\"m-1\",\"choices\":[{\"index\":0,\"message\":"
                    + "{\"role\":\"assistant\",\"content\":\"<Pong/>\"},"
                    + "\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3}}";

    private record Answer(int status, String body, long delayMillis) {}

    private final AtomicReference<Answer> answer = new AtomicReference<>();
    private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
    private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext(
                "/v1/chat/completions",
                exchange -> {
                    lastAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
                    idempotencyKeys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
                    exchange.getRequestBody().readAllBytes();
                    Answer a = answer.get();
                    try {
                        Thread.sleep(a.delayMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(a.status(), body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void shouldReturnTheAnswerAndItsUsage() throws Exception {
        answer.set(new Answer(200, OK_BODY, 0));

        TurnResult result = onlyResult(call(baseUrl(), 5_000));

        assertThat(result.isOk()).isTrue();
        assertThat(result.text).isEqualTo("<Pong/>");
        assertThat(result.promptTokens).isEqualTo(11);
        assertThat(result.completionTokens).isEqualTo(3);
        assertThat(result.responseModel).isEqualTo("m-1");
        assertThat(result.responseId).isEqualTo("r-1");
        assertThat(lastAuthorization.get()).isNull();
    }

    @Test
    void shouldSendOneIdempotencyKeyPerTurnThatAReplayRepeats() throws Exception {
        answer.set(new Answer(200, OK_BODY, 0));

        call(baseUrl(), 5_000);
        call(baseUrl(), 5_000);

        assertThat(idempotencyKeys).hasSize(2).doesNotContainNull();
        assertThat(idempotencyKeys.get(0)).isEqualTo(idempotencyKeys.get(1));
    }

    @Test
    void shouldMarkATurnBuiltBeforeTheTaskOpenedAsResent() throws Exception {
        answer.set(new Answer(200, OK_BODY, 0));

        // Fixtures.turn() was built long ago: as if restored with the operator's in-flight state.
        TurnResult result = onlyResult(call(baseUrl(), 5_000));

        assertThat(result.resent).isTrue();
        assertThat(Fixtures.turn().createdAt).isLessThan(System.currentTimeMillis());
    }

    @Test
    void shouldTurnAProviderErrorIntoOneFailedResult() throws Exception {
        answer.set(new Answer(503, "{\"error\":{\"type\":\"overloaded\",\"message\":\"x\"}}", 0));

        TurnResult result = onlyResult(call(baseUrl(), 5_000));

        assertThat(result.isOk()).isFalse();
        assertThat(result.error).isEqualTo("HTTP 503 from provider: overloaded");
        assertThat(result.promptTokens).isZero();
    }

    @Test
    void shouldTurnAMalformedBodyIntoOneFailedResult() throws Exception {
        answer.set(new Answer(200, "<html>gateway</html>", 0));

        assertThat(onlyResult(call(baseUrl(), 5_000)).error).contains("malformed");
    }

    @Test
    void shouldTurnAnAnswerWithoutChoicesIntoOneFailedResult() throws Exception {
        answer.set(new Answer(200, "{\"choices\":[]}", 0));

        assertThat(onlyResult(call(baseUrl(), 5_000)).error).contains("no choices");
    }

    @Test
    void shouldTurnARefusedConnectionIntoOneFailedResult() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        TurnResult result = onlyResult(call("http://127.0.0.1:" + closedPort + "/v1", 5_000));

        assertThat(result.isOk()).isFalse();
        assertThat(result.error).startsWith("no response");
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private static List<TurnResult> call(String baseUrl, long timeoutMillis) throws Exception {
        return Harnesses.callLlm(
                new OpenAiChatClientFactory(baseUrl, "", Duration.ofSeconds(5)), 1, timeoutMillis);
    }

    private static TurnResult onlyResult(List<TurnResult> results) {
        assertThat(results).hasSize(1);
        return results.get(0);
    }
}
