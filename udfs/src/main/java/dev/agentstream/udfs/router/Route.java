package dev.agentstream.udfs.router;

import dev.agentstream.udfs.llm.LlmClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend of the {@link LlmRouter}: its client, the model it serves, its breaker, its limits,
 * its context window in tokens (0: unknown, never skipped) and its calls in flight from this
 * subtask.
 */
public record Route(
        String name,
        String model,
        LlmClient client,
        CircuitBreaker breaker,
        Admission admission,
        int contextWindow,
        AtomicInteger inFlight) {

    public Route(String name, String model, LlmClient client, CircuitBreaker breaker) {
        this(name, model, client, breaker, Admission.of(name, 0, 0), 0, new AtomicInteger());
    }

    boolean holds(int tokens) {
        return contextWindow <= 0 || tokens <= contextWindow;
    }
}
