package dev.agentstream.devtools.load;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The line the load command prints once a second: what was sent, the rate over the last second,
 * and, with a latency consumer, what was answered and the percentiles so far.
 */
final class ProgressLine {

    private final LoadGenerator load;
    private final LatencyConsumer latency;
    private final PrintStream out;
    private final long started = System.nanoTime();
    private long lastSent;
    private long lastNanos;

    /**
     * @param latency null when latency is not measured
     */
    ProgressLine(LoadGenerator load, LatencyConsumer latency, PrintStream out) {
        this.load = load;
        this.latency = latency;
        this.out = out;
        this.lastNanos = System.nanoTime();
    }

    void print() {
        long now = System.nanoTime();
        long sent = load.sent();
        double rate = (sent - lastSent) / ((now - lastNanos) / 1e9);
        lastSent = sent;
        lastNanos = now;
        String pace = load.isDone() ? "done" : String.format(Locale.ROOT, "%.1f/s", rate);
        StringBuilder line = new StringBuilder();
        line.append(
                String.format(
                        Locale.ROOT,
                        "%6.0fs sent %,d (%s) prefill %,d errors %,d",
                        (now - started) / 1e9,
                        sent,
                        pace,
                        load.prefillSent(),
                        load.errors()));
        if (latency != null) {
            LatencySnapshot s = latency.snapshot();
            line.append(
                    String.format(
                            Locale.ROOT,
                            " | answered %,d p50 %.1f ms p99 %.1f ms",
                            s.answered(),
                            s.percentileMillis(50),
                            s.percentileMillis(99)));
        }
        out.println(line);
    }
}
