package dev.agentstream.devtools.load;

import org.HdrHistogram.Histogram;

/**
 * What the {@link LatencyConsumer} has measured so far: a copy of its histogram of end-to-end
 * latencies (microseconds, 3 significant digits) and its counts.
 *
 * @param inputVisible how long each generated agent envelope took to become readable at the
 *     consumer's isolation level (microseconds): at {@code read_committed} an input written after
 *     the first record of a transaction still open on its partition waits for that transaction, as
 *     the job's own source does
 * @param inputs generated agent envelopes seen on the bus (sent at or after {@code since})
 * @param contextInputs generated context-only (prefill) envelopes seen (sent at or after {@code
 *     since})
 * @param answered inputs answered at least once: each one's first answer is in the histogram
 * @param answeredMoreThanOnce inputs that got more than one answer (exactly once says none)
 * @param unknownInput answers whose input was never seen: their turn-end names no generated input
 *     (yet; an answer read before its input waits for it)
 * @param earlier answers to inputs sent before {@code since} (an earlier run on the same bus)
 * @param errorAnswers answers among {@code answered} that are a {@code <huh>} (a failed turn)
 * @param notAnswers envelopes seen that are neither generated inputs nor answers: the job's records
 *     of calls, envelopes between agents, envelopes to the client without a turn-end, envelopes of
 *     other senders, records that are no envelope
 */
public record LatencySnapshot(
        Histogram histogram,
        Histogram inputVisible,
        long inputs,
        long contextInputs,
        long answered,
        long answeredMoreThanOnce,
        long unknownInput,
        long earlier,
        long errorAnswers,
        long notAnswers) {

    /** Inputs seen that have no answer yet. */
    public long unanswered() {
        return Math.max(0, inputs - answered);
    }

    /** The latency at {@code percentile} (0-100), milliseconds; 0 when nothing was measured. */
    public double percentileMillis(double percentile) {
        return millisAt(histogram, percentile);
    }

    /** How long inputs took to become readable, at {@code percentile} (0-100), milliseconds. */
    public double inputVisibleMillis(double percentile) {
        return millisAt(inputVisible, percentile);
    }

    private static double millisAt(Histogram micros, double percentile) {
        return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double meanMillis() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMean() / 1000.0;
    }

    public double maxMillis() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1000.0;
    }
}
