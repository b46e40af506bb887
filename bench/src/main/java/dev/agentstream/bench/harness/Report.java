package dev.agentstream.bench.harness;

import java.util.List;
import java.util.Map;

/**
 * The result of a comparison run, as written to JSON: settings and machine, one summary per side
 * over the measured rounds, the ratios between sides, and every round (warm-up rounds included,
 * marked).
 *
 * @param roundsWithErrors measured rounds in which a request failed; their numbers are in the
 *     summaries, so a report with any is not to be trusted as it stands
 */
public record Report(
        String comparison,
        String description,
        String startedAt,
        Map<String, Object> settings,
        Map<String, Object> environment,
        List<SideSummary> sides,
        String ratioDirection,
        List<Ratio> ratios,
        List<FigureSummary> figures,
        int roundsWithErrors,
        List<RoundRecord> rounds) {

    /** What the ratios mean; above 1 always means that the later side costs more. */
    public static final String RATIO_DIRECTION =
            "latency and CPU: other / baseline; throughput: baseline / other;"
                    + " above 1 means the other side costs more";

    /** One side over the measured rounds. */
    public record SideSummary(
            String name,
            String description,
            int rounds,
            int roundsWithErrors,
            long errors,
            String firstError,
            Spread p50Ms,
            Spread p99Ms,
            Spread throughput,
            Spread clientCpuMicrosPerRequest,
            Spread serverCpuMicrosPerRequest) {}

    /**
     * A later side against an earlier one, computed round by round within each cycle (the two
     * rounds ran back to back) and then summarised over the cycles.
     */
    public record Ratio(
            String baseline,
            String other,
            Spread p50,
            Spread p99,
            Spread throughput,
            Spread clientCpuPerRequest,
            Spread p50AddedMicros,
            Spread clientCpuAddedMicrosPerRequest) {}

    /** A comparison's own figure over the measured cycles. */
    public record FigureSummary(String name, String description, Spread value) {}

    /** One round of one side. */
    public record RoundRecord(
            int cycle,
            boolean warmup,
            String side,
            long requests,
            long errors,
            String firstError,
            double seconds,
            double throughput,
            double p50Ms,
            double p99Ms,
            double maxMs,
            double meanMs,
            double clientCpuMicrosPerRequest,
            double serverCpuMicrosPerRequest,
            double otherCores,
            Map<String, Double> extras) {

        public boolean flagged() {
            return errors > 0;
        }
    }
}
