package dev.agentstream.udfs.router;

import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmClientFactory;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link LlmRouter} inside a task: one client and one circuit breaker per backend, in
 * priority order. Ships with the job's functions; keys are read by the backends' own factories when
 * the task opens.
 *
 * @param backends the backends, first choice first
 * @param retry retries per backend before falling back
 * @param breaker when a backend's circuit opens, and for how long
 */
public record LlmRouterFactory(
        List<BackendSpec> backends, RetryPolicy retry, BreakerSettings breaker)
        implements LlmClientFactory {

    private static final long serialVersionUID = 1L;

    /**
     * One backend: a name for logs and metrics, the model it serves, its client factory, and its
     * limits for the whole job (0 for none): tokens per minute and calls in flight.
     */
    public record BackendSpec(
            String name, String model, LlmClientFactory client, int rateLimitTpm, int maxConcurrent)
            implements Serializable {

        public BackendSpec(String name, String model, LlmClientFactory client) {
            this(name, model, client, 0, 0);
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

        public static BreakerSettings defaults() {
            return new BreakerSettings(50f, 20, 5, Duration.ofSeconds(30));
        }
    }

    public LlmRouterFactory {
        backends = List.copyOf(backends);
    }

    @Override
    public LlmClient create() {
        return create(1);
    }

    @Override
    public LlmClient create(int subtasks) {
        CircuitBreakerConfig config =
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(breaker.failureRatePercent())
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(breaker.window())
                        .minimumNumberOfCalls(breaker.minimumCalls())
                        .waitDurationInOpenState(breaker.openFor())
                        .permittedNumberOfCallsInHalfOpenState(1)
                        .build();
        List<LlmRouter.Route> routes = new ArrayList<>();
        for (BackendSpec spec : backends) {
            routes.add(
                    new LlmRouter.Route(
                            spec.name(),
                            spec.model(),
                            spec.client().create(),
                            CircuitBreaker.of(spec.name(), config),
                            Admission.of(
                                    spec.name(),
                                    share(spec.rateLimitTpm(), subtasks),
                                    share(spec.maxConcurrent(), subtasks))));
        }
        return new LlmRouter(routes, retry);
    }

    /** One subtask's share of a job-wide limit, at least 1; 0 stays "no limit". */
    private static int share(int limit, int subtasks) {
        return limit <= 0 ? 0 : Math.max(1, (limit + subtasks - 1) / subtasks);
    }
}
