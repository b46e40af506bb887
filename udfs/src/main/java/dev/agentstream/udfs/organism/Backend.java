package dev.agentstream.udfs.organism;

import java.io.Serializable;
import java.time.Duration;

/**
 * One LLM backend of the organism's {@code llm:} section.
 *
 * <p>Upstream guesses the model from substrings; here a backend serves the model it declares
 * ({@code model:}, our addition), or its provider's documented default when it declares none.
 *
 * @param apiKeyEnv name of the environment variable that holds the key; the key itself is read only
 *     where the call is made and never stored or logged
 * @param contextWindow tokens the model's context holds ({@code context_window:}, our addition), or
 *     0 when not declared; the router sends a longer prompt elsewhere, or cuts its history
 * @param rateLimitRpm requests per minute the backend takes from the whole job ({@code
 *     rate_limit_rpm:}, our addition), or 0 for no limit
 */
public record Backend(
        String provider,
        String name,
        String apiKeyEnv,
        String baseUrl,
        String model,
        int priority,
        int rateLimitTpm,
        int maxConcurrent,
        Duration timeout,
        int contextWindow,
        int rateLimitRpm)
        implements Serializable {}
