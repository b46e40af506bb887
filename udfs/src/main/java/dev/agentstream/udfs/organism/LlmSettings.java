package dev.agentstream.udfs.organism;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * The organism's {@code llm:} section: routing strategy, retry policy and backends in the order
 * they are declared. The walking skeleton calls the first backend only; the router uses all.
 */
public record LlmSettings(
        String strategy,
        int retries,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        List<Backend> backends)
        implements Serializable {

    public LlmSettings {
        backends = List.copyOf(backends);
    }

    /** The backend with the highest priority (lowest number), first declared on ties. */
    public Backend primary() {
        Backend best = backends.get(0);
        for (Backend b : backends) {
            if (b.priority() < best.priority()) {
                best = b;
            }
        }
        return best;
    }
}
