package dev.agentstream.udfs.llm;

import org.apache.flink.util.Preconditions;

import java.time.Duration;

/**
 * Builds an {@link AnthropicMessagesClient} for one backend. The key is read from the backend's
 * environment variable when the client is created in a task, so it never travels with the job graph
 * or appears in its configuration.
 *
 * @param baseUrl e.g. {@code https://api.anthropic.com/v1}
 */
public record AnthropicMessagesClientFactory(String baseUrl, String apiKeyEnv, Duration timeout)
        implements LlmClientFactory {

    private static final long serialVersionUID = 1L;

    public AnthropicMessagesClientFactory {
        Preconditions.checkArgument(
                baseUrl.startsWith("http://") || baseUrl.startsWith("https://"),
                "base URL must be http(s): %s",
                baseUrl);
    }

    @Override
    public LlmClient create() {
        return new AnthropicMessagesClient(baseUrl, ProviderClients.key(apiKeyEnv), timeout);
    }
}
