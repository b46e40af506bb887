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
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;

import static dev.agentstream.udfs.llm.ProviderStandIn.failure;
import static dev.agentstream.udfs.llm.ProviderStandIn.reply;
import static org.assertj.core.api.Assertions.assertThat;

/** The Anthropic client against a stand-in speaking the Messages API over loopback. */
class AnthropicMessagesClientTest {

    private static final String KEY = "sk-ant-test-DO-NOT-LEAK";

    private static final String OK =
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                    + "\"model\":\"claude-haiku-4-5\",\"content\":[{\"type\":\"text\","
                    + "\"text\":\"<Pong/>\"}],\"stop_reason\":\"end_turn\","
                    + "\"usage\":{\"input_tokens\":10,\"output_tokens\":3}}";

    private ProviderStandIn provider;
    private AnthropicMessagesClient client;

    @BeforeEach
    void start() throws IOException {
        provider = ProviderStandIn.start().answer(200, OK);
        client = new AnthropicMessagesClient(provider.url() + "/v1", KEY, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        provider.close();
    }

    @Test
    void shouldPostToMessagesWithTheKeyAndApiVersion() throws Exception {
        reply(client.complete(Fixtures.turn()));

        ProviderStandIn.Request request = provider.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/messages");
        assertThat(request.header("x-api-key")).isEqualTo(KEY);
        assertThat(request.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(request.header("content-type")).isEqualTo("application/json");
        assertThat(request.header("Idempotency-Key"))
                .isEqualTo(HttpTransport.idempotencyKey(Fixtures.turn()));
        assertThat(request.header("Authorization")).isNull();
    }

    @Test
    void shouldSendNoKeyHeaderWhenThereIsNoKey() throws Exception {
        try (var keyless =
                new AnthropicMessagesClient(provider.url() + "/v1", "", Duration.ofSeconds(5))) {
            reply(keyless.complete(Fixtures.turn()));
        }

        assertThat(provider.only().headers()).doesNotContainKey("x-api-key");
    }

    @Test
    void shouldPutSystemAtTheTopLevelAndMergeRolesSoTheyAlternate() throws Exception {
        Turn turn =
                turn(
                        new ChatMessage("system", "You greet."),
                        new ChatMessage("user", "<A/>"),
                        new ChatMessage("user", "<B/>"),
                        new ChatMessage("system", "Be brief."),
                        new ChatMessage("assistant", "<Hi/>"),
                        new ChatMessage("assistant", "<Hello/>"),
                        new ChatMessage("user", "<C/>"));

        reply(client.complete(turn));

        JsonNode body = provider.only().json();
        assertThat(body.path("model").asText()).isEqualTo(turn.model);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(turn.maxTokens);
        assertThat(body.path("system").asText()).isEqualTo("You greet.\n\nBe brief.");
        assertThat(body.path("messages").toString())
                .isEqualTo(
                        "[{\"role\":\"user\",\"content\":\"<A/>\\n\\n<B/>\"},"
                                + "{\"role\":\"assistant\",\"content\":\"<Hi/>\\n\\n<Hello/>\"},"
                                + "{\"role\":\"user\",\"content\":\"<C/>\"}]");
        assertThat(turn.messages[1].content).as("the turn's own messages").isEqualTo("<A/>");
    }

    @Test
    void shouldStartWithAUserMessageWhenTheChatStartsWithTheAssistant() throws Exception {
        Turn turn = turn(new ChatMessage("assistant", "<Hi/>"), new ChatMessage("user", "<Bye/>"));

        reply(client.complete(turn));

        JsonNode body = provider.only().json();
        assertThat(body.has("system")).isFalse();
        assertThat(body.path("messages").toString())
                .isEqualTo(
                        "[{\"role\":\"user\",\"content\":\"(conversation so far)\"},"
                                + "{\"role\":\"assistant\",\"content\":\"<Hi/>\"},"
                                + "{\"role\":\"user\",\"content\":\"<Bye/>\"}]");
    }

    @Test
    void shouldNeverSendAnEmptyContentAndAlwaysSendMaxTokens() throws Exception {
        Turn turn =
                turn(
                        new ChatMessage("system", "You greet."),
                        new ChatMessage("user", ""),
                        new ChatMessage("assistant", "  "),
                        new ChatMessage("user", null));
        turn.maxTokens = 0;

        reply(client.complete(turn));

        JsonNode body = provider.only().json();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(1024);
        assertThat(body.path("messages").toString())
                .isEqualTo("[{\"role\":\"user\",\"content\":\"(conversation so far)\"}]");
    }

    @Test
    void shouldStripTrailingWhitespaceFromALastAssistantMessage() throws Exception {
        reply(client.complete(turn(new ChatMessage("user", "<A/>"), assistant("<B>  \n"))));

        assertThat(provider.only().json().path("messages").path(1).path("content").asText())
                .isEqualTo("<B>");
    }

    @Test
    void shouldReadTheTextWithCacheTokensSummedAndKeptApart() throws Exception {
        provider.answer(
                200,
                "{\"id\":\"msg_2\",\"model\":\"claude-haiku-4-5\",\"content\":["
                        + "{\"type\":\"text\",\"text\":\"<Po\"},{\"type\":\"text\",\"text\":"
                        + "\"ng/>\"}],\"stop_reason\":\"end_turn\",\"usage\":{"
                        + "\"input_tokens\":10,\"cache_read_input_tokens\":100,"
                        + "\"cache_creation_input_tokens\":50,\"output_tokens\":5}}");

        LlmReply reply = reply(client.complete(Fixtures.turn()));

        assertThat(reply)
                .isEqualTo(
                        new LlmReply(
                                "<Pong/>",
                                160,
                                5,
                                "claude-haiku-4-5",
                                "msg_2",
                                "end_turn",
                                100,
                                50,
                                false));
    }

    @Test
    void shouldReadARefusalAsRefusedWithItsTokens() throws Exception {
        provider.answer(
                200,
                "{\"id\":\"msg_3\",\"model\":\"m\",\"content\":[],\"stop_reason\":\"refusal\","
                        + "\"usage\":{\"input_tokens\":40,\"output_tokens\":0}}");

        LlmReply reply = reply(client.complete(Fixtures.turn()));

        assertThat(reply.refused()).isTrue();
        assertThat(reply.text()).isEqualTo("refusal");
        assertThat(reply.finishReason()).isEqualTo("refusal");
        assertThat(reply.promptTokens()).isEqualTo(40);
    }

    @Test
    void shouldReadAnAnswerWithOnlyAToolUseAsRefusedWithItsTokens() throws Exception {
        provider.answer(
                200,
                "{\"id\":\"msg_4\",\"model\":\"m\",\"content\":[{\"type\":\"tool_use\","
                        + "\"id\":\"t1\",\"name\":\"f\",\"input\":{}}],\"stop_reason\":"
                        + "\"tool_use\",\"usage\":{\"input_tokens\":20,\"output_tokens\":8}}");

        LlmReply reply = reply(client.complete(Fixtures.turn()));

        assertThat(reply.refused()).isTrue();
        assertThat(reply.text()).isEqualTo("tool call");
        assertThat(reply.promptTokens()).isEqualTo(20);
        assertThat(reply.completionTokens()).isEqualTo(8);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "400 | invalid_request_error | prompt is too long: 210000 tokens > 200000 maximum"
                        + " | context_length_exceeded",
                "400 | invalid_request_error | Your credit balance is too low to access the"
                        + " Anthropic API. | insufficient_quota",
                "400 | invalid_request_error | messages: roles must alternate"
                        + " | invalid_request_error",
                "401 | authentication_error | invalid x-api-key | authentication_error",
                "403 | permission_error | not allowed | permission_error",
                "404 | not_found_error | model: claude-x | not_found_error",
                "413 | request_too_large | Request exceeds the maximum size | request_too_large",
                "429 | rate_limit_error | Number of request tokens has exceeded your rate limit"
                        + " | rate_limit_error",
                "500 | api_error | Internal server error | api_error",
                "529 | overloaded_error | Overloaded | overloaded_error"
            })
    void shouldNormaliseEachErrorClass(int status, String type, String message, String errorType)
            throws Exception {
        provider.answer(status, error(type, message));

        LlmCallException e = failure(client.complete(Fixtures.turn()));

        assertThat(e.status()).isEqualTo(status);
        assertThat(e.errorType()).isEqualTo(errorType);
        assertThat(e.getMessage()).isEqualTo("HTTP " + status + " from provider: " + errorType);
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 529})
    void shouldReadRetryAfterOnRateLimitsAndOverload(int status) throws Exception {
        provider.answer(status, error("rate_limit_error", "slow down"), "retry-after", "12");

        LlmCallException e = failure(client.complete(Fixtures.turn()));

        assertThat(e.retryAfterMs()).isEqualTo(12_000);
    }

    @Test
    void shouldNeverPutTheKeyInAFailure() throws Exception {
        provider.answer(401, error("authentication_error", "invalid x-api-key " + KEY));

        LlmCallException e = failure(client.complete(Fixtures.turn()));

        assertThat(e.getMessage()).doesNotContain(KEY);
        assertThat(e.errorType()).doesNotContain(KEY);
    }

    @Test
    void shouldFailMalformedTruncatedOrContentlessBodiesAsUnreadable() throws Exception {
        provider.answer(200, "<html>gateway</html>");
        LlmCallException malformed = failure(client.complete(Fixtures.turn()));
        provider.answer(200, OK.substring(0, OK.length() / 2));
        LlmCallException truncated = failure(client.complete(Fixtures.turn()));
        provider.answer(200, "{\"id\":\"msg_5\",\"type\":\"message\"}");
        LlmCallException contentless = failure(client.complete(Fixtures.turn()));

        assertThat(malformed.status()).isEqualTo(200);
        assertThat(malformed.getMessage()).isEqualTo("HTTP 200 with a malformed body");
        assertThat(truncated.getMessage()).isEqualTo("HTTP 200 with a malformed body");
        assertThat(contentless.status()).isEqualTo(200);
        assertThat(contentless.getMessage()).isEqualTo("response has no content");
    }

    @Test
    void shouldKeepTheStatusOfAnErrorPageThatIsNotJson() throws Exception {
        provider.answer(502, "<html>bad gateway</html>");

        LlmCallException e = failure(client.complete(Fixtures.turn()));

        assertThat(e.status()).isEqualTo(502);
        assertThat(e.getMessage()).isEqualTo("HTTP 502 with a malformed body");
    }

    private static Turn turn(ChatMessage... messages) {
        Turn turn = Fixtures.turn();
        turn.model = "claude-haiku-4-5";
        turn.messages = messages;
        return turn;
    }

    private static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    private static String error(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\""
                + type
                + "\",\"message\":\""
                + message
                + "\"}}";
    }
}
