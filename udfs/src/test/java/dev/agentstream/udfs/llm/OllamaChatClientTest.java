package dev.agentstream.udfs.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.time.Duration;

import static dev.agentstream.udfs.llm.ProviderStandIn.failure;
import static dev.agentstream.udfs.llm.ProviderStandIn.reply;
import static org.assertj.core.api.Assertions.assertThat;

/** The Ollama client against a stand-in speaking Ollama's native chat over loopback. */
class OllamaChatClientTest {

    private static final String OK =
            "{\"model\":\"llama3.2\",\"created_at\":\"2025-01-01T10:00:00.123Z\","
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"<Pong/>\"},"
                    + "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":26,"
                    + "\"eval_count\":4}";

    private ProviderStandIn provider;
    private OllamaChatClient client;

    @BeforeEach
    void start() throws IOException {
        provider = ProviderStandIn.start().answer(200, OK);
        client = new OllamaChatClient(provider.url(), "", Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        provider.close();
    }

    @Test
    void shouldPostTheChatUnstreamedWithTheAnswersLength() throws Exception {
        Turn turn = Fixtures.turn();
        turn.model = "llama3.2";
        turn.messages =
                new ChatMessage[] {
                    new ChatMessage("system", "Be brief."), new ChatMessage("user", "<Ping/>")
                };

        reply(client.complete(turn));

        ProviderStandIn.Request request = provider.only();
        assertThat(request.path()).isEqualTo("/api/chat");
        assertThat(request.header("Authorization")).isNull();
        assertThat(request.header("Idempotency-Key")).isEqualTo(HttpTransport.idempotencyKey(turn));
        JsonNode body = request.json();
        assertThat(body.path("model").asText()).isEqualTo("llama3.2");
        assertThat(body.path("stream").isBoolean()).isTrue();
        assertThat(body.path("stream").asBoolean()).isFalse();
        assertThat(body.path("options").path("num_predict").asInt()).isEqualTo(turn.maxTokens);
        assertThat(body.path("messages").toString())
                .isEqualTo(
                        "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                                + "{\"role\":\"user\",\"content\":\"<Ping/>\"}]");
    }

    @Test
    void shouldSendABearerKeyForAProxyWhenOneIsSet() throws Exception {
        try (var proxied =
                new OllamaChatClient(provider.url(), "proxy-key", Duration.ofSeconds(5))) {
            reply(proxied.complete(Fixtures.turn()));
        }

        assertThat(provider.only().header("Authorization")).isEqualTo("Bearer proxy-key");
    }

    @Test
    void shouldReadTheAnswerWithItsUsage() throws Exception {
        LlmReply reply = reply(client.complete(Fixtures.turn()));

        assertThat(reply)
                .isEqualTo(
                        new LlmReply(
                                "<Pong/>",
                                26,
                                4,
                                "llama3.2",
                                "ollama-2025-01-01T10:00:00.123Z",
                                "stop",
                                0,
                                0,
                                false));
    }

    @Test
    void shouldReadEmptyContentOrOnlyToolCallsAsRefusedWithTheirTokens() throws Exception {
        provider.answer(
                200,
                "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
                        + "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":9,"
                        + "\"eval_count\":0}");
        LlmReply empty = reply(client.complete(Fixtures.turn()));
        provider.answer(
                200,
                "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\","
                        + "\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":{}}}]},"
                        + "\"done\":true,\"prompt_eval_count\":9,\"eval_count\":6}");
        LlmReply toolCall = reply(client.complete(Fixtures.turn()));

        assertThat(empty.refused()).isTrue();
        assertThat(empty.text()).isEqualTo("no content");
        assertThat(empty.promptTokens()).isEqualTo(9);
        assertThat(toolCall.refused()).isTrue();
        assertThat(toolCall.text()).isEqualTo("tool call");
        assertThat(toolCall.completionTokens()).isEqualTo(6);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "400 | input length exceeds the context length | context_length_exceeded",
                "500 | the prompt is longer than the context window | context_length_exceeded",
                "400 | invalid options | bad_request",
                "401 | missing bearer token | unauthorized",
                "404 | model llama9 not found, try pulling it first | not_found",
                "429 | too busy | rate_limited",
                "500 | llama runner process has terminated | server_error",
                "503 | server busy | server_error",
                "200 | an error came back in the answer | error_in_answer"
            })
    void shouldTypeEachErrorFromItsStatusOrContextText(int status, String text, String errorType)
            throws Exception {
        provider.answer(status, "{\"error\":\"" + text + "\"}");

        LlmCallException e = failure(client.complete(Fixtures.turn()));

        assertThat(e.status()).isEqualTo(status);
        assertThat(e.errorType()).isEqualTo(errorType);
        assertThat(e.getMessage())
                .isEqualTo("HTTP " + status + " from provider: " + errorType)
                .doesNotContain(text);
    }

    @Test
    void shouldReadRetryAfterOnARateLimit() throws Exception {
        provider.answer(429, "{\"error\":\"too busy\"}", "Retry-After", "3");

        assertThat(failure(client.complete(Fixtures.turn())).retryAfterMs()).isEqualTo(3_000);
    }

    @Test
    void shouldFailMalformedTruncatedOrMessagelessBodiesAsUnreadable() throws Exception {
        provider.answer(200, "not json");
        LlmCallException malformed = failure(client.complete(Fixtures.turn()));
        provider.answer(200, OK.substring(0, 40));
        LlmCallException truncated = failure(client.complete(Fixtures.turn()));
        provider.answer(200, "{\"model\":\"llama3.2\",\"done\":true}");
        LlmCallException messageless = failure(client.complete(Fixtures.turn()));

        assertThat(malformed.status()).isEqualTo(200);
        assertThat(malformed.getMessage()).isEqualTo("HTTP 200 with a malformed body");
        assertThat(truncated.getMessage()).isEqualTo("HTTP 200 with a malformed body");
        assertThat(messageless.status()).isEqualTo(200);
        assertThat(messageless.getMessage()).isEqualTo("response has no message");
    }
}
