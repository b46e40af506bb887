package dev.agentstream.udfs.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

import static dev.agentstream.udfs.llm.ProviderStandIn.failure;
import static dev.agentstream.udfs.llm.ProviderStandIn.reply;
import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAI-compatible client against a stand-in speaking chat completions over loopback. */
class OpenAiChatClientTest {

    private static final String KEY = "sk-test-openai-DO-NOT-LEAK";

    private ProviderStandIn provider;
    private OpenAiChatClient client;

    @BeforeEach
    void start() throws IOException {
        provider = ProviderStandIn.start();
        client = new OpenAiChatClient(provider.url() + "/v1", KEY, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        provider.close();
    }

    @Test
    void shouldPostTheChatWithTheBearerKey() throws Exception {
        provider.answer(200, answer("\"<Pong/>\"", "stop", ""));
        Turn turn = Fixtures.turn();
        turn.messages =
                new ChatMessage[] {
                    new ChatMessage("system", "Be brief."), new ChatMessage("user", "<Ping/>")
                };

        reply(client.complete(turn));

        ProviderStandIn.Request request = provider.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Idempotency-Key")).isNotBlank();
        JsonNode body = request.json();
        assertThat(body.path("model").asText()).isEqualTo(turn.model);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(turn.maxTokens);
        assertThat(body.path("messages").toString())
                .isEqualTo(
                        "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                                + "{\"role\":\"user\",\"content\":\"<Ping/>\"}]");
    }

    @Test
    void shouldReadTheAnswerWithItsUsageAndCachedTokens() throws Exception {
        provider.answer(
                200,
                answer(
                        "\"<Pong/>\"",
                        "stop",
                        ",\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":7,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":100}}"));

        LlmReply reply = reply(client.complete(Fixtures.turn()));

        assertThat(reply)
                .isEqualTo(new LlmReply("<Pong/>", 120, 7, "m-1", "r-1", "stop", 100, 0, false));
    }

    @Test
    void shouldReadARefusalAsRefusedWithItsTokens() throws Exception {
        provider.answer(
                200,
                "{\"id\":\"r-2\",\"model\":\"m-1\",\"choices\":[{\"message\":{\"role\":"
                        + "\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"},"
                        + "\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":9}}");

        LlmReply reply = reply(client.complete(Fixtures.turn()));

        assertThat(reply.refused()).isTrue();
        assertThat(reply.text()).isEqualTo("I can't help with that.");
        assertThat(reply.promptTokens()).isEqualTo(30);
        assertThat(reply.completionTokens()).isEqualTo(9);
    }

    @Test
    void shouldReadAToolCallNobodyAskedForAsRefused() throws Exception {
        provider.answer(
                200,
                "{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":[{\"id\":\"c1\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":"
                        + "\"{}\"}}]},\"finish_reason\":\"tool_calls\"}],"
                        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4}}");

        LlmReply reply = reply(client.complete(Fixtures.turn()));

        assertThat(reply.refused()).isTrue();
        assertThat(reply.text()).isEqualTo("tool call");
        assertThat(reply.completionTokens()).isEqualTo(4);
    }

    @Test
    void shouldReadAContentFilterAsRefused() throws Exception {
        provider.answer(
                200,
                answer(
                        "null",
                        "content_filter",
                        ",\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":0}"));

        LlmReply reply = reply(client.complete(Fixtures.turn()));

        assertThat(reply.refused()).isTrue();
        assertThat(reply.text()).isEqualTo("content filter");
        assertThat(reply.promptTokens()).isEqualTo(12);
    }

    @Test
    void shouldReadNullContentAsRefusedAndAnEmptyStringAsAnAnswer() throws Exception {
        provider.answer(200, answer("null", "stop", ""));
        LlmReply nothing = reply(client.complete(Fixtures.turn()));

        provider.answer(200, answer("\"\"", "length", ""));
        LlmReply empty = reply(client.complete(Fixtures.turn()));

        assertThat(nothing.refused()).isTrue();
        assertThat(nothing.text()).isEqualTo("no content");
        assertThat(empty.refused()).isFalse();
        assertThat(empty.text()).isEmpty();
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(
                        429,
                        "{\"error\":{\"message\":\"You exceeded your current quota\","
                                + "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}",
                        "insufficient_quota"),
                Arguments.of(
                        429,
                        "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                                + "\"code\":\"rate_limit_exceeded\"}}",
                        "rate_limit_exceeded"),
                Arguments.of(
                        400,
                        "{\"error\":{\"message\":\"This model's maximum context length is 128000"
                                + " tokens.\",\"type\":\"invalid_request_error\","
                                + "\"code\":\"context_length_exceeded\"}}",
                        "context_length_exceeded"),
                // vLLM, older releases: the error at the top level, a numeric code
                Arguments.of(
                        400,
                        "{\"object\":\"error\",\"message\":\"This model's maximum context length"
                                + " is 4096 tokens. However, you requested 5000 tokens.\","
                                + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
                        "context_length_exceeded"),
                // xAI: the error a bare string
                Arguments.of(
                        400,
                        "{\"code\":\"Client specified an invalid argument\",\"error\":\"This"
                                + " model's maximum prompt length is 131072 but the request"
                                + " contains 140000 tokens.\"}",
                        "context_length_exceeded"),
                Arguments.of(
                        400,
                        "{\"error\":{\"message\":\"Request has too many tokens\","
                                + "\"type\":\"invalid_request_error\"}}",
                        "context_length_exceeded"),
                Arguments.of(
                        400,
                        "{\"error\":{\"message\":\"Unknown parameter\","
                                + "\"type\":\"invalid_request_error\",\"code\":\"unknown_param\"}}",
                        "invalid_request_error"),
                Arguments.of(
                        401,
                        "{\"error\":{\"message\":\"Incorrect API key provided: "
                                + KEY
                                + "\",\"type\":\"invalid_request_error\","
                                + "\"code\":\"invalid_api_key\"}}",
                        "invalid_request_error"),
                Arguments.of(
                        404,
                        "{\"error\":{\"message\":\"no such model\",\"code\":\"model_not_found\"}}",
                        "model_not_found"),
                Arguments.of(503, "{\"error\":{\"type\":\"overloaded\"}}", "overloaded"),
                Arguments.of(500, "{}", "unknown"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void shouldNormaliseEachErrorClass(int status, String body, String errorType) throws Exception {
        provider.answer(status, body);

        LlmCallException e = failure(client.complete(Fixtures.turn()));

        assertThat(e.status()).isEqualTo(status);
        assertThat(e.errorType()).isEqualTo(errorType);
        assertThat(e.getMessage())
                .isEqualTo("HTTP " + status + " from provider: " + errorType)
                .doesNotContain(KEY);
    }

    @Test
    void shouldReadRetryAfterOnARateLimit() throws Exception {
        provider.answer(
                429,
                "{\"error\":{\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}",
                "Retry-After",
                "7");

        LlmCallException e = failure(client.complete(Fixtures.turn()));

        assertThat(e.retryAfterMs()).isEqualTo(7_000);
    }

    @Test
    void shouldFailAMalformedOrTruncatedBodyAsUnreadable() throws Exception {
        provider.answer(200, "<html>gateway</html>");
        LlmCallException malformed = failure(client.complete(Fixtures.turn()));

        provider.answer(200, "{\"choices\":[{\"message\":{\"content\":\"<Po");
        LlmCallException truncated = failure(client.complete(Fixtures.turn()));

        assertThat(malformed.status()).isEqualTo(200);
        assertThat(malformed.getMessage()).isEqualTo("HTTP 200 with a malformed body");
        assertThat(truncated.status()).isEqualTo(200);
        assertThat(truncated.getMessage()).isEqualTo("HTTP 200 with a malformed body");
    }

    @Test
    void shouldFailABodyCutOffInTransitAsNoResponse() throws Exception {
        provider.answer(
                exchange -> {
                    exchange.sendResponseHeaders(200, 1_000);
                    exchange.getResponseBody()
                            .write("{\"choices\":[".getBytes(StandardCharsets.UTF_8));
                    exchange.getResponseBody().flush();
                    // closing now, 988 bytes short of the length promised, drops the connection
                });

        LlmCallException e = failure(client.complete(Fixtures.turn()));

        assertThat(e.status()).isZero();
        assertThat(e.getMessage()).startsWith("no response: ");
    }

    private static String answer(String content, String finishReason, String usage) {
        return "{\"id\":\"r-1\",\"model\":\"m-1\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":"
                + content
                + "},\"finish_reason\":\""
                + finishReason
                + "\"}]"
                + usage
                + "}";
    }
}
