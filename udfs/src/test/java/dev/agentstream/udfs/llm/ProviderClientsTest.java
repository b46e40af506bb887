package dev.agentstream.udfs.llm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderClientsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @ParameterizedTest
    @CsvSource({
        "anthropic, AnthropicMessagesClientFactory, AnthropicMessagesClient",
        "Anthropic, AnthropicMessagesClientFactory, AnthropicMessagesClient",
        "ollama, OllamaChatClientFactory, OllamaChatClient",
        "openai, OpenAiChatClientFactory, OpenAiChatClient",
        "xai, OpenAiChatClientFactory, OpenAiChatClient",
        "groq, OpenAiChatClientFactory, OpenAiChatClient",
        "vllm, OpenAiChatClientFactory, OpenAiChatClient"
    })
    void shouldSpeakEachProvidersOwnProtocol(String provider, String factory, String client)
            throws Exception {
        LlmClientFactory clients =
                ProviderClients.factory(provider, "http://127.0.0.1:1", "", TIMEOUT);

        assertThat(clients.getClass().getSimpleName()).isEqualTo(factory);
        try (LlmClient built = clients.create()) {
            assertThat(built.getClass().getSimpleName()).isEqualTo(client);
        }
    }

    @Test
    void shouldShipTheKeysVariableNameAndNeverAKey() throws Exception {
        LlmClientFactory clients =
                ProviderClients.factory(
                        "anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY", TIMEOUT);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(clients);
        }
        Object copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = in.readObject();
        }

        assertThat(copy).isEqualTo(clients);
    }

    @Test
    void shouldReadNoKeyFromAnUnsetOrUnnamedVariable() {
        assertThat(ProviderClients.key("")).isEmpty();
        assertThat(ProviderClients.key("AGENTSTREAM_TEST_SURELY_UNSET_KEY")).isEmpty();
    }

    @Test
    void shouldRefuseABaseUrlThatIsNotHttp() {
        assertThatThrownBy(() -> ProviderClients.factory("ollama", "file:///etc", "", TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProviderClients.factory("anthropic", "ftp://x", "", TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
