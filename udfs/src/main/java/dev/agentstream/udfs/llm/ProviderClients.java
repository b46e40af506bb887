package dev.agentstream.udfs.llm;

import java.time.Duration;
import java.util.Locale;

/**
 * Chooses the wire protocol of a backend from its provider's name: {@code anthropic} speaks the
 * Messages API, {@code ollama} Ollama's native chat, and any other provider the OpenAI-compatible
 * chat completions.
 *
 * <pre>{@code
 * LlmClientFactory clients =
 *         ProviderClients.factory(
 *                 "anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY", timeout);
 * }</pre>
 */
public final class ProviderClients {

    private ProviderClients() {}

    /**
     * The client factory of one backend.
     *
     * @param apiKeyEnv the environment variable holding the key, read only inside the task; empty
     *     for none
     */
    public static LlmClientFactory factory(
            String provider, String baseUrl, String apiKeyEnv, Duration timeout) {
        String name = provider == null ? "" : provider.strip().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "anthropic" -> new AnthropicMessagesClientFactory(baseUrl, apiKeyEnv, timeout);
            case "ollama" -> new OllamaChatClientFactory(baseUrl, apiKeyEnv, timeout);
            default -> new OpenAiChatClientFactory(baseUrl, apiKeyEnv, timeout);
        };
    }

    /** The key in {@code apiKeyEnv}, or empty when none is named or set. */
    static String key(String apiKeyEnv) {
        String key = apiKeyEnv.isEmpty() ? null : System.getenv(apiKeyEnv);
        return key == null ? "" : key;
    }
}
