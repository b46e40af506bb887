package dev.agentstream.udfs.organism;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Base URL, default model and key variable of the providers the organism file may name without
 * spelling them out. A provider not listed here needs {@code base_url} and {@code model}, and is
 * spoken to as OpenAI-compatible.
 */
final class ProviderDefaults {

    record Defaults(String baseUrl, String model, String apiKeyEnv) {}

    private static final Map<String, Defaults> KNOWN =
            Map.of(
                    "openai",
                    new Defaults("https://api.openai.com/v1", "gpt-4o-mini", "OPENAI_API_KEY"),
                    "xai",
                    new Defaults("https://api.x.ai/v1", "grok-3-mini", "XAI_API_KEY"),
                    "groq",
                    new Defaults(
                            "https://api.groq.com/openai/v1",
                            "llama-3.1-8b-instant",
                            "GROQ_API_KEY"),
                    "anthropic",
                    new Defaults(
                            "https://api.anthropic.com/v1",
                            "claude-haiku-4-5",
                            "ANTHROPIC_API_KEY"),
                    // Ollama's native API (the llm package speaks /api/chat), not its /v1 shim.
                    "ollama",
                    new Defaults("http://127.0.0.1:11434", "llama3.2", ""));

    private ProviderDefaults() {}

    static Optional<Defaults> of(String provider) {
        return Optional.ofNullable(KNOWN.get(provider.toLowerCase(Locale.ROOT)));
    }
}
