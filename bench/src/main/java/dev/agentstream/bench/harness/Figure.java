package dev.agentstream.bench.harness;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A number a comparison defines over one cycle's rounds (one round per side, run back to back),
 * such as a ratio of two sides' extras or a side's throughput against a computed bound. The harness
 * computes it for every measured cycle and reports its median and spread.
 *
 * @param name short name in kebab case
 * @param description what the number is and which way is better
 * @param value the number from the cycle's rounds by side name; NaN when it cannot be computed
 */
public record Figure(
        String name, String description, ToDoubleFunction<Map<String, Report.RoundRecord>> value) {

    /** The figure's value for a side's extra {@code key} in every cycle. */
    public static Figure extra(String name, String description, String side, String key) {
        return new Figure(name, description, cycle -> extraOf(cycle, side, key));
    }

    /** {@code side}'s extra {@code key}, NaN when the side or the key is missing. */
    public static double extraOf(Map<String, Report.RoundRecord> cycle, String side, String key) {
        Report.RoundRecord r = cycle.get(side);
        if (r == null || r.extras() == null || !r.extras().containsKey(key)) {
            return Double.NaN;
        }
        return r.extras().get(key);
    }
}
