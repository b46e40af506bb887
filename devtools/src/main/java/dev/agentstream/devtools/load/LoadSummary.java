package dev.agentstream.devtools.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The end of a load run: what the generator sent and, when latency was measured, the histogram's
 * percentiles and the consumer's counts; as a table for people and as JSON for machines.
 *
 * @param latency null when no latency consumer ran
 */
public record LoadSummary(
        LoadPlan plan,
        long sent,
        long prefillSent,
        long acknowledged,
        long errors,
        String firstError,
        long slipped,
        double seconds,
        LatencyConsumer.Isolation isolation,
        LatencySnapshot latency) {

    static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The generator's figures as they are now, and {@code latency} (may be null). */
    public static LoadSummary of(
            LoadGenerator load, LatencyConsumer.Isolation isolation, LatencySnapshot latency) {
        return new LoadSummary(
                load.plan(),
                load.sent(),
                load.prefillSent(),
                load.acknowledged(),
                load.errors(),
                load.firstError().orElse(null),
                load.slipped(),
                load.elapsed().toNanos() / 1e9,
                isolation,
                latency);
    }

    /** Agent envelopes per second over the time spent sending. */
    public double achievedRate() {
        return seconds <= 0 ? 0 : sent / seconds;
    }

    public void printTable(PrintStream out) {
        out.printf(
                Locale.ROOT,
                "Sent %,d agent envelopes to %s (and %,d prefill) in %.1f s: %.1f/s, target %.1f/s;"
                        + " %,d acknowledged by the broker, %,d errors, %,d slots given up%n",
                sent,
                plan.to(),
                prefillSent,
                seconds,
                achievedRate(),
                plan.rate(),
                acknowledged,
                errors,
                slipped);
        if (firstError != null) {
            out.println("First error: " + firstError);
        }
        if (latency == null) {
            return;
        }
        out.printf(
                Locale.ROOT,
                "End-to-end latency of %,d answered inputs (%s), ms:%n",
                latency.answered(),
                isolation.kafkaName());
        out.println("| p50 | p90 | p99 | p99.9 | max | mean |");
        out.println("|---|---|---|---|---|---|");
        StringBuilder row = new StringBuilder("|");
        for (double p : PERCENTILES) {
            row.append(String.format(Locale.ROOT, " %.1f |", latency.percentileMillis(p)));
        }
        row.append(String.format(Locale.ROOT, " %.1f |", latency.maxMillis()));
        row.append(String.format(Locale.ROOT, " %.1f |", latency.meanMillis()));
        out.println(row);
        out.printf(
                Locale.ROOT,
                "Inputs readable after (%s): p50 %.1f ms, p99 %.1f ms%n",
                isolation.kafkaName(),
                latency.inputVisibleMillis(50),
                latency.inputVisibleMillis(99));
        out.printf(
                Locale.ROOT,
                "Inputs seen %,d (unanswered %,d, answered more than once %,d, error answers %,d);"
                        + " answers to unknown inputs %,d, to earlier runs %,d;"
                        + " other envelopes %,d; prefill seen %,d%n",
                latency.inputs(),
                latency.unanswered(),
                latency.answeredMoreThanOnce(),
                latency.errorAnswers(),
                latency.unknownInput(),
                latency.earlier(),
                latency.notAnswers(),
                latency.contextInputs());
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode p = root.putObject("plan");
        p.put("topics", String.join(",", plan.topics()));
        p.put("tenantMode", plan.tenantMode().name().toLowerCase(Locale.ROOT));
        p.put("rate", plan.rate());
        p.put("count", plan.count());
        p.put("durationSeconds", plan.duration() == null ? 0 : plan.duration().toSeconds());
        p.put("threads", plan.threads());
        p.put("tenants", plan.tenants());
        p.put("threadLength", plan.threadLength());
        p.put("prefill", plan.prefill());
        p.put("duplicateFraction", plan.duplicateFraction());
        p.put("from", plan.from());
        p.put("to", plan.to());
        p.put("payloadElement", plan.payloadElement());
        p.put("payloadBytes", plan.payloadBytes());
        p.put("seed", plan.seed());
        ObjectNode g = root.putObject("generator");
        g.put("sent", sent);
        g.put("prefillSent", prefillSent);
        g.put("acknowledged", acknowledged);
        g.put("errors", errors);
        g.put("firstError", firstError);
        g.put("slotsGivenUp", slipped);
        g.put("seconds", seconds);
        g.put("achievedRate", achievedRate());
        if (latency != null) {
            ObjectNode l = root.putObject("latency");
            l.put("isolation", isolation.kafkaName());
            l.put("inputs", latency.inputs());
            l.put("contextInputs", latency.contextInputs());
            l.put("answered", latency.answered());
            l.put("unanswered", latency.unanswered());
            l.put("answeredMoreThanOnce", latency.answeredMoreThanOnce());
            l.put("unknownInput", latency.unknownInput());
            l.put("earlier", latency.earlier());
            l.put("errorAnswers", latency.errorAnswers());
            l.put("notAnswers", latency.notAnswers());
            ObjectNode ms = l.putObject("millis");
            for (double pct : PERCENTILES) {
                ms.put(
                        "p"
                                + (pct == Math.rint(pct)
                                        ? Long.toString((long) pct)
                                        : Double.toString(pct)),
                        latency.percentileMillis(pct));
            }
            ms.put("max", latency.maxMillis());
            ms.put("mean", latency.meanMillis());
            ObjectNode visible = l.putObject("inputReadableMillis");
            visible.put("p50", latency.inputVisibleMillis(50));
            visible.put("p99", latency.inputVisibleMillis(99));
        }
        return root;
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), toJson());
    }
}
