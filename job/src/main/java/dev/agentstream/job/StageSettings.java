package dev.agentstream.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

import dev.agentstream.udfs.billing.UsageSettings;
import dev.agentstream.udfs.cache.CacheSettings;
import dev.agentstream.udfs.context.ContextSettings;
import dev.agentstream.udfs.control.ControlSettings;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.LlmClientFactory;
import dev.agentstream.udfs.llm.ProviderClients;
import dev.agentstream.udfs.organism.Backend;
import dev.agentstream.udfs.organism.LlmSettings;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.quota.QuotaLimits;
import dev.agentstream.udfs.quota.QuotaSettings;
import dev.agentstream.udfs.quota.QuotaTable;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.router.LlmRouterFactory;
import dev.agentstream.udfs.router.RetryPolicy;
import dev.agentstream.udfs.router.Strategy;
import dev.agentstream.udfs.tenant.TenantSettings;
import dev.agentstream.udfs.trace.TracingSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Each stage's typed settings, read from the job's options (and the files they name) when the graph
 * is built, so that a bad value stops the job at submission with its reason.
 */
public final class StageSettings {

    private StageSettings() {}

    /**
     * Quota settings from the options and {@code quota.file}, read here so that a bad file stops
     * the job with its reason. A turn must not wait so long that its thread gives up on it and
     * starts the next turn of the same agent.
     */
    public static QuotaSettings quotaSettings(Configuration conf) {
        QuotaLimits defaults =
                new QuotaLimits(
                        conf.get(AgentStreamOptions.QUOTA_TOKENS_PER_MINUTE),
                        conf.get(AgentStreamOptions.QUOTA_BUDGET_TOKENS),
                        conf.get(AgentStreamOptions.QUOTA_MAX_WAIT));
        QuotaSettings settings;
        try {
            QuotaTable table =
                    conf.getOptional(AgentStreamOptions.QUOTA_FILE)
                            .map(file -> QuotaTable.load(defaults, Path.of(file)))
                            .orElse(QuotaTable.of(defaults));
            settings =
                    new QuotaSettings(
                            conf.get(AgentStreamOptions.QUOTA_WINDOW),
                            conf.get(AgentStreamOptions.QUOTA_BUDGET_PERIOD),
                            conf.get(AgentStreamOptions.QUOTA_RESERVATION_TTL),
                            table);
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(e.getMessage(), e);
        }
        Duration release = conf.get(AgentStreamOptions.CONTEXT_TURN_RELEASE);
        Duration longest =
                settings.table().longestWait().plus(conf.get(AgentStreamOptions.LLM_TIMEOUT));
        if (settings.table().limitsAny() && longest.compareTo(release) >= 0) {
            throw new IllegalConfigurationException(
                    "quota.max-wait (the longest: %s) plus llm.timeout must be less than"
                            + " context.turn-release (%s), or a thread starts an agent's next turn"
                            + " while its turn still waits for quota",
                    settings.table().longestWait(), release);
        }
        return settings;
    }

    /** Control settings from the options; the key itself is read by each task. */
    public static ControlSettings controlSettings(Configuration conf) {
        return new ControlSettings(
                conf.get(AgentStreamOptions.CONTROL_KEY_FILE),
                conf.get(AgentStreamOptions.CONTROL_KEY_ENV),
                conf.get(AgentStreamOptions.CONTROL_MAX_AGE));
    }

    /** Envelope limits from the options, shared by decode, context, emit and the bus sink. */
    public static EnvelopeLimits limits(Configuration conf) {
        return EnvelopeLimits.defaults()
                .withMaxBytes((int) conf.get(AgentStreamOptions.ENVELOPE_MAX_SIZE).getBytes());
    }

    public static ContextSettings contextSettings(Configuration conf) {
        return new ContextSettings(
                conf.get(AgentStreamOptions.CONTEXT_TTL),
                conf.get(AgentStreamOptions.CONTEXT_MAX_SLOTS),
                conf.get(AgentStreamOptions.CONTEXT_HISTORY_TOKENS),
                conf.get(AgentStreamOptions.LLM_MAX_TOKENS),
                conf.get(AgentStreamOptions.CONTEXT_MAX_TURNS),
                conf.get(AgentStreamOptions.CONTEXT_TURN_RELEASE),
                conf.get(AgentStreamOptions.CONTEXT_MAX_THREAD_TOKENS));
    }

    static UsageSettings usageSettings(Configuration conf) {
        return new UsageSettings(
                conf.get(AgentStreamOptions.TENANT_DEFAULT),
                conf.get(AgentStreamOptions.BILLING_PRICE_TABLE));
    }

    static CacheSettings cacheSettings(Configuration conf) {
        return new CacheSettings(
                conf.get(AgentStreamOptions.CACHE_MAX_ENTRIES),
                conf.get(AgentStreamOptions.CACHE_REDIS_URI),
                conf.get(AgentStreamOptions.CACHE_REDIS_TIMEOUT));
    }

    /** Registry settings from the options; the key itself is read by each task. */
    public static RegistrySettings registrySettings(Configuration conf) {
        return new RegistrySettings(
                conf.get(AgentStreamOptions.REGISTRY_KEY_FILE),
                conf.get(AgentStreamOptions.REGISTRY_KEY_ENV),
                conf.get(AgentStreamOptions.REGISTRY_MAX_DEPTH));
    }

    /** Whether and where the stages trace, from the options. */
    public static TracingSettings tracingSettings(Configuration conf) {
        return new TracingSettings(
                conf.get(AgentStreamOptions.TRACING_ENABLED),
                conf.get(AgentStreamOptions.TRACING_OTLP_ENDPOINT),
                conf.get(AgentStreamOptions.TRACING_SAMPLE_RATIO));
    }

    /** Where tenants come from, from the options; the token keys are read by each task. */
    public static TenantSettings tenantSettings(Configuration conf) {
        return new TenantSettings(
                conf.get(AgentStreamOptions.TENANT_SOURCE),
                conf.get(AgentStreamOptions.TENANT_DEFAULT),
                conf.get(AgentStreamOptions.BUS_TOPIC_TEMPLATE),
                conf.get(AgentStreamOptions.TENANT_JWKS_FILE),
                conf.get(AgentStreamOptions.TENANT_SECRETS_FILE),
                conf.get(AgentStreamOptions.TENANT_TOKEN_ISSUER),
                conf.get(AgentStreamOptions.TENANT_TOKEN_AUDIENCE),
                conf.get(AgentStreamOptions.TENANT_TOKEN_CLOCK_SKEW),
                conf.get(AgentStreamOptions.TENANT_TOKEN_TYPES),
                conf.get(AgentStreamOptions.TENANT_CLAIM),
                conf.get(AgentStreamOptions.TENANT_SENDERS_CLAIM));
    }

    /**
     * The {@code llm.base-url} override as a backend of this provider reads it: given in the OpenAI
     * form ({@code .../v1}), and Ollama's native API lives at the server's root.
     */
    static String overrideFor(Backend backend, String url) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        boolean nativeRoot = "ollama".equalsIgnoreCase(backend.provider()) && base.endsWith("/v1");
        return nativeRoot ? base.substring(0, base.length() - 3) : base;
    }

    static LlmClientFactory llmClients(Organism organism, Configuration conf) {
        LlmSettings llm = organism.llm();
        Duration turnDeadline = conf.get(AgentStreamOptions.LLM_TIMEOUT);
        List<Backend> byPriority = new ArrayList<>(llm.backends());
        byPriority.sort(Comparator.comparingInt(Backend::priority));
        List<LlmRouterFactory.BackendSpec> specs = new ArrayList<>();
        for (Backend backend : byPriority) {
            Duration attemptTimeout =
                    backend.timeout() == null || backend.timeout().compareTo(turnDeadline) > 0
                            ? turnDeadline
                            : backend.timeout();
            String baseUrl =
                    conf.getOptional(AgentStreamOptions.LLM_BASE_URL)
                            .map(url -> overrideFor(backend, url))
                            .orElse(backend.baseUrl());
            specs.add(
                    new LlmRouterFactory.BackendSpec(
                            backend.name(),
                            backend.model(),
                            ProviderClients.factory(
                                    backend.provider(),
                                    baseUrl,
                                    backend.apiKeyEnv(),
                                    attemptTimeout),
                            backend.rateLimitTpm(),
                            backend.maxConcurrent(),
                            backend.contextWindow(),
                            backend.rateLimitRpm()));
        }
        return new LlmRouterFactory(
                specs,
                new RetryPolicy(llm.retries(), llm.retryBaseDelay(), llm.retryMaxDelay()),
                new LlmRouterFactory.BreakerSettings(
                        conf.get(AgentStreamOptions.LLM_BREAKER_FAILURE_RATE),
                        conf.get(AgentStreamOptions.LLM_BREAKER_WINDOW),
                        conf.get(AgentStreamOptions.LLM_BREAKER_MINIMUM_CALLS),
                        conf.get(AgentStreamOptions.LLM_BREAKER_OPEN_FOR)),
                Strategy.of(llm.strategy()));
    }
}
