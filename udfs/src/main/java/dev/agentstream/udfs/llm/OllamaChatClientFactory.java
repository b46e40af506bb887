package dev.agentstream.udfs.llm;

import org.apache.flink.util.Preconditions;

import java.time.Duration;

/**
 * Builds an {@link OllamaChatClient} for one backend. A key, when the backend names one for a proxy
 * in front of Ollama, is read from its environment variable when the client is created in a task.
 *
 * @param baseUrl e.g. {@code http://127.0.0.1:11434}, without {@code /v1}
 */
public record OllamaChatClientFactory(String baseUrl, String apiKeyEnv, Duration timeout)
        implements LlmClientFactory {

    private static final long serialVersionUID = 1L;

    public OllamaChatClientFactory {
        Preconditions.checkArgument(
                baseUrl.startsWith("http://") || baseUrl.startsWith("https://"),
                "base URL must be http(s): %s",
                baseUrl);
    }

    @Override
    public LlmClient create() {
        return new OllamaChatClient(baseUrl, ProviderClients.key(apiKeyEnv), timeout);
    }
}
