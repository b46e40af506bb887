package dev.agentstream.udfs.llm;

import org.apache.flink.util.Preconditions;

import java.time.Duration;

/**
 * Builds an {@link OpenAiChatClient} for one backend. The key is read from the backend's
 * environment variable when the client is created in a task, so it never travels with the job graph
 * or appears in its configuration.
 *
 * @param baseUrl the backend's base URL, or an override such as the local simulator's
 */
public record OpenAiChatClientFactory(String baseUrl, String apiKeyEnv, Duration timeout)
        implements LlmClientFactory {

    private static final long serialVersionUID = 1L;

    public OpenAiChatClientFactory {
        Preconditions.checkArgument(
                baseUrl.startsWith("http://") || baseUrl.startsWith("https://"),
                "base URL must be http(s): %s",
                baseUrl);
    }

    @Override
    public LlmClient create() {
        return new OpenAiChatClient(baseUrl, ProviderClients.key(apiKeyEnv), timeout);
    }
}
