package dev.agentstream.udfs.router;

import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Preconditions;

import dev.agentstream.udfs.llm.AttemptListener;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmClientFactory;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the {@link LlmRouter} inside a task: one client and one circuit breaker per backend, in
 * priority order. Ships with the job's functions; keys are read by the backends' own factories when
 * the task opens.
 *
 * @param backends the backends, first choice first
 * @param retry retries per backend before falling back
 * @param breaker when a backend's circuit opens, and for how long
 * @param strategy which backend a turn tries first
 */
public record LlmRouterFactory(
        List<BackendSpec> backends, RetryPolicy retry, BreakerSettings breaker, Strategy strategy)
        implements LlmClientFactory {

    private static final long serialVersionUID = 1L;

    /**
     * One backend: a name for logs and metrics, the model it serves, its client factory, its limits
     * for the whole job (0 for none): tokens per minute, calls in flight and requests per minute,
     * and its context window in tokens (0: unknown).
     */
    public record BackendSpec(
            String name,
            String model,
            LlmClientFactory client,
            int rateLimitTpm,
            int maxConcurrent,
            int contextWindow,
            int rateLimitRpm)
            implements Serializable {

        public BackendSpec(String name, String model, LlmClientFactory client) {
            this(name, model, client, 0, 0, 0, 0);
        }

        /** Without a limit on requests per minute. */
        public BackendSpec(
                String name,
                String model,
                LlmClientFactory client,
                int rateLimitTpm,
                int maxConcurrent,
                int contextWindow) {
            this(name, model, client, rateLimitTpm, maxConcurrent, contextWindow, 0);
        }
    }

    /**
     * A backend's circuit opens when at least {@code failureRatePercent} of the last {@code window}
     * calls failed (after {@code minimumCalls}), and stays open for {@code openFor}; then one call
     * probes it.
     */
    public record BreakerSettings(
            float failureRatePercent, int window, int minimumCalls, Duration openFor)
            implements Serializable {

        public BreakerSettings {
            Preconditions.checkArgument(
                    failureRatePercent > 0 && failureRatePercent <= 100,
                    "llm.breaker.failure-rate must be in (0, 100]: %s",
                    failureRatePercent);
            Preconditions.checkArgument(window >= 1, "llm.breaker.window must be >= 1: %s", window);
            Preconditions.checkArgument(
                    minimumCalls >= 1, "llm.breaker.minimum-calls must be >= 1: %s", minimumCalls);
            Preconditions.checkArgument(
                    openFor.toMillis() > 0, "llm.breaker.open-for must be positive: %s", openFor);
        }

        public static BreakerSettings defaults() {
            return new BreakerSettings(50f, 20, 5, Duration.ofSeconds(30));
        }
    }

    public LlmRouterFactory {
        backends = List.copyOf(backends);
    }

    /** A failover router. */
    public LlmRouterFactory(
            List<BackendSpec> backends, RetryPolicy retry, BreakerSettings breaker) {
        this(backends, retry, breaker, Strategy.FAILOVER);
    }

    @Override
    public LlmClient create() {
        return create(1);
    }

    @Override
    public LlmClient create(int subtasks) {
        return build(subtasks, null, AttemptListener.NONE);
    }

    @Override
    public LlmClient create(int subtasks, MetricGroup group) {
        return build(subtasks, group, AttemptListener.NONE);
    }

    @Override
    public LlmClient create(int subtasks, MetricGroup group, AttemptListener attempts) {
        return build(subtasks, group, attempts);
    }

    private LlmClient build(int subtasks, MetricGroup group, AttemptListener attempts) {
        CircuitBreakerConfig config =
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(breaker.failureRatePercent())
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(breaker.window())
                        .minimumNumberOfCalls(breaker.minimumCalls())
                        .waitDurationInOpenState(breaker.openFor())
                        .permittedNumberOfCallsInHalfOpenState(1)
                        .build();
        FlinkRouterMetrics metrics = group == null ? null : new FlinkRouterMetrics(group);
        List<Route> routes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (BackendSpec spec : backends) {
            String name = unique(spec.name(), names);
            Route route =
                    new Route(
                            name,
                            spec.model(),
                            spec.client().create(),
                            CircuitBreaker.of(name, config),
                            Admission.of(
                                    name,
                                    share(spec.rateLimitTpm(), subtasks),
                                    share(spec.maxConcurrent(), subtasks),
                                    share(spec.rateLimitRpm(), subtasks)),
                            spec.contextWindow(),
                            new AtomicInteger());
            if (metrics != null) {
                metrics.register(name, route.breaker(), route.inFlight()::get);
            }
            routes.add(route);
        }
        return new LlmRouter(
                routes, retry, strategy, metrics == null ? RouterMetrics.NONE : metrics, attempts);
    }

    /**
     * {@code name}, or {@code name#2}, {@code name#3}... when another backend took it: metrics and
     * logs tell backends apart by name (two backends of one provider both default to its name).
     */
    private static String unique(String name, Set<String> taken) {
        String candidate = name;
        for (int n = 2; !taken.add(candidate); n++) {
            candidate = name + "#" + n;
        }
        return candidate;
    }

    /** One subtask's share of a job-wide limit, at least 1; 0 stays "no limit". */
    private static int share(int limit, int subtasks) {
        return limit <= 0 ? 0 : (int) Math.max(1, ((long) limit + subtasks - 1) / subtasks);
    }
}
