package dev.agentstream.bench.harness;

import java.util.Arrays;
import java.util.Collection;

/**
 * The median of one number over the measured rounds, with its spread: the extremes and the
 * quartiles (linear interpolation between the closest ranks, as spreadsheets compute them).
 */
public record Spread(double median, double min, double max, double q1, double q3, int n) {

    public static Spread of(Collection<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        }
        return new Spread(
                quantile(sorted, 0.5),
                sorted[0],
                sorted[sorted.length - 1],
                quantile(sorted, 0.25),
                quantile(sorted, 0.75),
                sorted.length);
    }

    /** The {@code q} quantile of ascending {@code sorted}. */
    static double quantile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = (int) Math.ceil(rank);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    /** The spread of {@code values}, for tests and callers that hold an array. */
    public static Spread of(double... values) {
        return of(Arrays.stream(values).boxed().toList());
    }
}
