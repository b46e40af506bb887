package dev.agentstream.bench.stream;

import org.apache.flink.connector.base.DeliveryGuarantee;

import java.time.Duration;
import java.util.Map;

/**
 * How a round's job runs.
 *
 * @param guarantee the sinks' delivery guarantee
 * @param checkpointInterval how often the job checkpoints (and, at exactly once, commits)
 * @param parallelism every stage's parallelism
 * @param llmCapacity LLM calls in flight per call subtask ({@code llm.capacity})
 * @param cache whether the agent's response cache is on
 * @param options further job options by key, e.g. {@code context.max-slots}
 */
public record JobSettings(
        DeliveryGuarantee guarantee,
        Duration checkpointInterval,
        int parallelism,
        int llmCapacity,
        boolean cache,
        Map<String, String> options) {

    public JobSettings {
        options = Map.copyOf(options);
    }

    /** Exactly once, the given checkpoint interval, parallelism 2, capacity 100, no cache. */
    public static JobSettings exactlyOnce(Duration checkpointInterval) {
        return new JobSettings(
                DeliveryGuarantee.EXACTLY_ONCE, checkpointInterval, 2, 100, false, Map.of());
    }

    public JobSettings withGuarantee(DeliveryGuarantee g) {
        return new JobSettings(g, checkpointInterval, parallelism, llmCapacity, cache, options);
    }

    public JobSettings withParallelism(int p) {
        return new JobSettings(guarantee, checkpointInterval, p, llmCapacity, cache, options);
    }

    public JobSettings withCapacity(int capacity) {
        return new JobSettings(
                guarantee, checkpointInterval, parallelism, capacity, cache, options);
    }

    public JobSettings withCache(boolean on) {
        return new JobSettings(
                guarantee, checkpointInterval, parallelism, llmCapacity, on, options);
    }

    public JobSettings withOptions(Map<String, String> more) {
        Map<String, String> all = new java.util.TreeMap<>(options);
        all.putAll(more);
        return new JobSettings(guarantee, checkpointInterval, parallelism, llmCapacity, cache, all);
    }
}
