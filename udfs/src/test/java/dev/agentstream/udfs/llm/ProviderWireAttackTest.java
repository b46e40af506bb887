package dev.agentstream.udfs.llm;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.router.ErrorClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;

import static dev.agentstream.udfs.llm.ProviderStandIn.failure;
import static dev.agentstream.udfs.llm.ProviderStandIn.reply;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three provider clients against answers a provider, a gateway or a secret store may really
 * give: an error object inside a 200, a gateway's HTML error page with a Retry-After, a key read
 * from a file with its line break, and Retry-After values past what a long holds.
 */
class ProviderWireAttackTest {

    private static final String OPENAI_OK =
            "{\"choices\":[{\"message\":{\"content\":\"<Pong/>\"},\"finish_reason\":\"stop\"}]}";
    private static final String ANTHROPIC_OK =
            "{\"content\":[{\"type\":\"text\",\"text\":\"<Pong/>\"}],\"stop_reason\":\"end_turn\"}";
    private static final String OLLAMA_OK =
            "{\"message\":{\"role\":\"assistant\",\"content\":\"<Pong/>\"},\"done\":true}";

    private ProviderStandIn provider;

    @BeforeEach
    void start() throws IOException {
        provider = ProviderStandIn.start();
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    @Test
    void shouldReadAnOpenAiErrorInsideA200AsTheErrorItStates() throws Exception {
        // Some gateways in front of OpenAI-compatible servers answer every call with a 200.
        provider.answer(
                200,
                "{\"error\":{\"message\":\"You exceeded your current quota\","
                        + "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}");

        LlmCallException e;
        try (LlmClient client = client("openai", "")) {
            e = failure(client.complete(Fixtures.turn()));
        }

        assertThat(ErrorClass.of(e))
                .as("a spent quota in a 200 is retried on the same backend as unreadable")
                .isEqualTo(ErrorClass.QUOTA_EXHAUSTED);
    }

    @Test
    void shouldReadAnAnthropicErrorInsideA200AsTheErrorItStates() throws Exception {
        provider.answer(
                200,
                "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                        + "\"message\":\"prompt is too long: 210000 tokens > 200000 maximum\"}}");

        LlmCallException e;
        try (LlmClient client = client("anthropic", "")) {
            e = failure(client.complete(Fixtures.turn()));
        }

        assertThat(ErrorClass.of(e)).isEqualTo(ErrorClass.CONTEXT_LENGTH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void shouldKeepTheRetryAfterOfAGatewayErrorPageThatIsNotJson(String protocol) throws Exception {
        provider.answer(429, "<html><h1>429 Too Many Requests</h1></html>", "Retry-After", "120");

        LlmCallException e;
        try (LlmClient client = client(protocol, "")) {
            e = failure(client.complete(Fixtures.turn()));
        }

        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryAfterMs())
                .as("asked to wait two minutes: the router must fall back, not retry at once")
                .isEqualTo(RetryAfter.CAP.toMillis());
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void shouldSendAKeyReadFromASecretFileWithItsLineBreak(String protocol) throws Exception {
        provider.answer(
                200,
                switch (protocol) {
                    case "anthropic" -> ANTHROPIC_OK;
                    case "ollama" -> OLLAMA_OK;
                    default -> OPENAI_OK;
                });

        LlmReply answer;
        try (LlmClient client = client(protocol, "sk-test-key-1234\n")) {
            answer = reply(client.complete(Fixtures.turn()));
        }

        assertThat(answer.text()).isEqualTo("<Pong/>");
        ProviderStandIn.Request sent = provider.only();
        String key =
                protocol.equals("anthropic")
                        ? sent.header("x-api-key")
                        : sent.header("authorization");
        assertThat(key).endsWith("sk-test-key-1234");
    }

    @Test
    void shouldFallBackOnARetryAfterTooLargeForALong() {
        assertThat(RetryAfter.millis("99999999999999999999")).isEqualTo(RetryAfter.CAP.toMillis());
        assertThat(RetryAfter.millis("99999999999999999")).isEqualTo(RetryAfter.CAP.toMillis());
        assertThat(RetryAfter.millis("9999999999999")).isEqualTo(RetryAfter.CAP.toMillis());
        assertThat(RetryAfter.millis("-1")).isZero();
        assertThat(RetryAfter.millis("Tue, 99 Foo 20x5 25:61:61 GMT")).isZero();
    }

    private LlmClient client(String protocol, String key) {
        Duration timeout = Duration.ofSeconds(5);
        return switch (protocol) {
            case "anthropic" -> new AnthropicMessagesClient(provider.url(), key, timeout);
            case "ollama" -> new OllamaChatClient(provider.url(), key, timeout);
            default -> new OpenAiChatClient(provider.url(), key, timeout);
        };
    }
}
