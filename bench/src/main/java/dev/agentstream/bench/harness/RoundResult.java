package dev.agentstream.bench.harness;

import org.HdrHistogram.Histogram;

import java.util.Map;

/**
 * What one round of one side measured: the latencies of the requests that succeeded, how many
 * failed (with the first failure, for the report), and how long the round took from its first
 * request to its last completion.
 *
 * @param requests requests that completed correctly
 * @param errors requests that failed or returned a wrong answer
 * @param firstError a short description of the first failure, or empty
 * @param extras what else the side measured in the round, by name (a side that runs a whole job
 *     reports cost, cache hits, operator load here); the comparison's figures read them
 */
public record RoundResult(
        long requests,
        long errors,
        String firstError,
        long elapsedNanos,
        long p50Nanos,
        long p99Nanos,
        long maxNanos,
        double meanNanos,
        Map<String, Double> extras) {

    public RoundResult {
        extras = Map.copyOf(extras);
    }

    /** Summarises {@code latencies} (nanoseconds) of a round that took {@code elapsedNanos}. */
    public static RoundResult of(
            Histogram latencies, long errors, String firstError, long elapsedNanos) {
        boolean empty = latencies.getTotalCount() == 0;
        return new RoundResult(
                latencies.getTotalCount(),
                errors,
                firstError == null ? "" : firstError,
                elapsedNanos,
                empty ? 0 : latencies.getValueAtPercentile(50),
                empty ? 0 : latencies.getValueAtPercentile(99),
                empty ? 0 : latencies.getMaxValue(),
                empty ? 0 : latencies.getMean(),
                Map.of());
    }

    /** This result with {@code more} measurements added to its extras. */
    public RoundResult withExtras(Map<String, Double> more) {
        Map<String, Double> all = new java.util.TreeMap<>(extras);
        all.putAll(more);
        return new RoundResult(
                requests,
                errors,
                firstError,
                elapsedNanos,
                p50Nanos,
                p99Nanos,
                maxNanos,
                meanNanos,
                all);
    }

    /** Correct requests per second of the round. */
    public double throughput() {
        return elapsedNanos <= 0 ? 0 : requests * 1e9 / elapsedNanos;
    }
}
