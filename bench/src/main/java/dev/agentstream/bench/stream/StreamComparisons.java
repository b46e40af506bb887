package dev.agentstream.bench.stream;

import org.apache.flink.connector.base.DeliveryGuarantee;

import dev.agentstream.bench.harness.Comparison;
import dev.agentstream.bench.harness.Figure;
import dev.agentstream.bench.harness.Report.RoundRecord;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The job-level comparisons of issue 8, each on a rig of its own. Workload sizes scale with {@code
 * scale} (1 for the documented run; the smoke test runs a small fraction).
 */
public final class StreamComparisons {

    public static final String JOB_VS_PASS_THROUGH = "job-vs-pass-through";
    public static final String LLM_CAPACITY = "llm-capacity";
    public static final String HISTORY_LENGTH = "history-length";
    public static final String CACHE = "cache";
    public static final String DELIVERY = "delivery-guarantee";
    public static final String COMMIT_LAG = "commit-lag";

    /** Every job-level comparison, in the order the report gives them. */
    public static final List<String> NAMES =
            List.of(JOB_VS_PASS_THROUGH, LLM_CAPACITY, HISTORY_LENGTH, CACHE, DELIVERY, COMMIT_LAG);

    private static final int SLOTS = 2;
    private static final Duration HALF_SECOND = Duration.ofMillis(500);

    private StreamComparisons() {}

    /**
     * Starts the rig and builds comparison {@code name}; with a {@code profileDir}, every round of
     * its sides is profiled into it (JFR files and their summaries).
     */
    public static Comparison start(String name, double scale, Path profileDir) throws Exception {
        StreamRig rig = StreamRig.start(SLOTS);
        try {
            StreamComparison c = build(name, scale, rig);
            if (profileDir != null) {
                c.streamSides().forEach(s -> s.profiledInto(profileDir.resolve(name)));
            }
            return c;
        } catch (RuntimeException e) {
            rig.close();
            throw e;
        }
    }

    private static StreamComparison build(String name, double scale, StreamRig rig) {
        return switch (name) {
            case JOB_VS_PASS_THROUGH -> jobVsPassThrough(rig, scale);
            case LLM_CAPACITY -> llmCapacity(rig, scale);
            case HISTORY_LENGTH -> historyLength(rig, scale);
            case CACHE -> cache(rig, scale);
            case DELIVERY -> delivery(rig, scale);
            case COMMIT_LAG -> commitLag(rig, scale);
            default -> throw new IllegalArgumentException("unknown comparison: " + name);
        };
    }

    /** 1: the whole job against Flink copying the same records, same broker and guarantee. */
    private static StreamComparison jobVsPassThrough(StreamRig rig, double scale) {
        JobSettings settings = JobSettings.exactlyOnce(Duration.ofSeconds(1));
        Workload backlog = Workload.backlog(size(60_000, scale));
        StreamSide pass =
                new StreamSide(
                        "pass-through",
                        "Kafka source -> Kafka sink, bytes copied, exactly once",
                        rig,
                        new PassThroughJob(),
                        settings,
                        backlog,
                        Duration.ZERO);
        StreamSide job =
                new StreamSide(
                        "agentstream",
                        "the whole job, one turn per envelope, simulator answering at once",
                        rig,
                        new FullJob(),
                        settings,
                        backlog,
                        Duration.ZERO);
        return new StreamComparison(
                JOB_VS_PASS_THROUGH,
                "envelopes per second through the whole job against a Flink pass-through of the"
                        + " same backlog on the same broker",
                rig,
                List.of(pass, job),
                List.of(
                        new Figure(
                                "job-throughput-share",
                                "agentstream answers/s / pass-through records/s (1 = as fast)",
                                c -> throughput(c, "agentstream") / throughput(c, "pass-through")),
                        new Figure(
                                "job-cpu-per-envelope-x",
                                "this JVM's CPU per envelope, agentstream / pass-through",
                                c ->
                                        Figure.extraOf(c, "agentstream", "jvmCpuMicrosPerAnswer")
                                                / Figure.extraOf(
                                                        c,
                                                        "pass-through",
                                                        "jvmCpuMicrosPerAnswer"))),
                Map.of("checkpointIntervalMs", 1000, "simulatorLatencyMs", 0));
    }

    /** 2: calls per second against parallelism x capacity / latency, offered 1.5x that. */
    private static StreamComparison llmCapacity(StreamRig rig, double scale) {
        int capacity = 8;
        JobSettings settings = JobSettings.exactlyOnce(HALF_SECOND).withCapacity(capacity);
        List<StreamSide> sides =
                List.of(
                        capacitySide(rig, settings, Duration.ofMillis(100), scale),
                        capacitySide(rig, settings, Duration.ofSeconds(1), scale));
        return new StreamComparison(
                LLM_CAPACITY,
                "LLM calls per second at a simulator latency of 100 ms and 1 s, offered 1.5 x the"
                        + " bound parallelism x llm.capacity / latency",
                rig,
                sides,
                List.of(
                        new Figure(
                                "calls-per-bound-100ms",
                                "answers/s / (parallelism x capacity / 100 ms); 1 = at the bound",
                                c -> throughput(c, "latency-100ms") / bound(settings, 0.1)),
                        new Figure(
                                "calls-per-bound-1s",
                                "answers/s / (parallelism x capacity / 1 s); 1 = at the bound",
                                c -> throughput(c, "latency-1000ms") / bound(settings, 1.0))),
                Map.of("llmCapacity", capacity, "parallelism", settings.parallelism()));
    }

    private static StreamSide capacitySide(
            StreamRig rig, JobSettings settings, Duration latency, double scale) {
        double bound = bound(settings, latency.toMillis() / 1e3);
        double offered = 1.5 * bound;
        int envelopes = size((int) Math.round(offered * 20), scale);
        return new StreamSide(
                "latency-" + latency.toMillis() + "ms",
                "the whole job, simulator answering after " + latency.toMillis() + " ms",
                rig,
                new FullJob(),
                settings,
                Workload.offered(envelopes, offered),
                latency);
    }

    private static double bound(JobSettings s, double latencySeconds) {
        return s.parallelism() * s.llmCapacity() / latencySeconds;
    }

    /** 3: what a turn costs on a thread with 5,000 envelopes of history against 10. */
    private static StreamComparison historyLength(StreamRig rig, double scale) {
        JobSettings settings =
                JobSettings.exactlyOnce(HALF_SECOND)
                        .withOptions(Map.of("context.max-slots", "6000"));
        int threads = Math.max(2, size(8, scale));
        int turns = 4;
        StreamSide shortThreads = historySide(rig, settings, threads, turns, 10, scale);
        StreamSide longThreads = historySide(rig, settings, threads, turns, 5_000, scale);
        String s = shortThreads.name();
        String l = longThreads.name();
        return new StreamComparison(
                HISTORY_LENGTH,
                "cost of a turn on threads of 5,000 envelopes of history against 10"
                        + " (context.history-tokens caps what a prompt takes)",
                rig,
                List.of(shortThreads, longThreads),
                List.of(
                        ratioOfExtras(
                                "cost-per-turn-x",
                                "billed cost per turn",
                                l,
                                s,
                                "costPerTurnMicroUsd"),
                        ratioOfExtras(
                                "input-tokens-per-turn-x",
                                "prompt tokens per turn",
                                l,
                                s,
                                "inputTokensPerTurn"),
                        ratioOfExtras(
                                "jvm-cpu-per-turn-x",
                                "this JVM's CPU per turn",
                                l,
                                s,
                                "jvmCpuMicrosPerAnswer")),
                Map.of("threads", threads, "turnsPerThread", turns));
    }

    private static StreamSide historySide(
            StreamRig rig, JobSettings settings, int threads, int turns, int length, double scale) {
        int history = Math.max(1, (int) Math.round((length - turns) * Math.min(1, scale * 10)));
        Workload w = new Workload(threads * turns, 0, false, threads, turns, history, 0, 2, 200);
        return new StreamSide(
                "history-" + length,
                "threads with " + history + " envelopes of history, then " + turns + " turns each",
                rig,
                new FullJob(),
                settings,
                w.withRate(threads * turns * 4.0),
                Duration.ZERO);
    }

    /** 4: hits against planted duplicates, and what a hit saves. */
    private static StreamComparison cache(StreamRig rig, double scale) {
        double duplicates = 0.3;
        JobSettings settings = JobSettings.exactlyOnce(HALF_SECOND);
        Workload w = Workload.offered(size(3_000, scale), 100).withDuplicates(duplicates);
        Duration latency = Duration.ofMillis(100);
        StreamSide off =
                new StreamSide(
                        "cache-off",
                        "agent without cache",
                        rig,
                        new FullJob(),
                        settings,
                        w,
                        latency);
        StreamSide on =
                new StreamSide(
                        "cache-on",
                        "agent with cache: true",
                        rig,
                        new FullJob(),
                        settings.withCache(true),
                        w,
                        latency);
        return new StreamComparison(
                CACHE,
                "response cache hits against the planted duplicate fraction ("
                        + duplicates
                        + "), and a hit's call latency against a miss's",
                rig,
                List.of(off, on),
                List.of(
                        new Figure(
                                "hit-ratio-per-duplicates",
                                "cache hits / turns / duplicate fraction; 1 = every duplicate hit",
                                c -> Figure.extraOf(c, "cache-on", "cacheHitRatio") / duplicates),
                        new Figure(
                                "hit-latency-per-miss",
                                "call stage p50 of hits / of misses (1 ms resolution)",
                                c ->
                                        Figure.extraOf(c, "cache-on", "hitCallP50Ms")
                                                / Figure.extraOf(c, "cache-on", "missCallP50Ms")),
                        ratioOfExtras(
                                "cost-per-turn-x",
                                "billed cost per turn, on / off",
                                "cache-on",
                                "cache-off",
                                "costPerTurnMicroUsd")),
                Map.of("duplicateFraction", duplicates, "simulatorLatencyMs", 100));
    }

    /** 5: exactly once against at least once at 500 ms checkpoints. */
    private static StreamComparison delivery(StreamRig rig, double scale) {
        JobSettings eo = JobSettings.exactlyOnce(HALF_SECOND);
        Workload backlog = Workload.backlog(size(30_000, scale));
        StreamSide alo =
                new StreamSide(
                        "at-least-once",
                        "the whole job, at-least-once sinks",
                        rig,
                        new FullJob(),
                        eo.withGuarantee(DeliveryGuarantee.AT_LEAST_ONCE),
                        backlog,
                        Duration.ZERO);
        StreamSide exactly =
                new StreamSide(
                        "exactly-once",
                        "the whole job, transactional sinks",
                        rig,
                        new FullJob(),
                        eo,
                        backlog,
                        Duration.ZERO);
        return new StreamComparison(
                DELIVERY,
                "throughput of the whole job with exactly-once sinks against at-least-once, 500 ms"
                        + " checkpoints",
                rig,
                List.of(alo, exactly),
                List.of(
                        new Figure(
                                "exactly-once-throughput-share",
                                "exactly-once answers/s / at-least-once answers/s",
                                c ->
                                        throughput(c, "exactly-once")
                                                / throughput(c, "at-least-once"))),
                Map.of("checkpointIntervalMs", 500));
    }

    /**
     * 6: how late a committed answer becomes visible, against the checkpoint interval; at
     * parallelism 2 for two intervals, at parallelism 1 (one transactional writer per partition)
     * and with the clients on an ingress topic for the shorter one, and the pass-through's copies
     * at that interval, which shows what the Kafka sink's transactions alone make of it.
     */
    private static StreamComparison commitLag(StreamRig rig, double scale) {
        Workload w = Workload.offered(size(2_000, scale), 100);
        List<StreamSide> sides =
                List.of(
                        lagSide(rig, w, HALF_SECOND, 2, false),
                        lagSide(rig, w, Duration.ofSeconds(2), 2, false),
                        lagSide(rig, w, HALF_SECOND, 1, false),
                        lagSide(rig, w, HALF_SECOND, 2, true),
                        new StreamSide(
                                "pass-through-500ms",
                                "the pass-through at parallelism 2, checkpoints every 500 ms",
                                rig,
                                new PassThroughJob(),
                                JobSettings.exactlyOnce(HALF_SECOND),
                                w,
                                Duration.ZERO,
                                true));
        return new StreamComparison(
                COMMIT_LAG,
                "end-to-end latency of answers read committed, against the checkpoint interval",
                rig,
                sides,
                sides.stream().flatMap(StreamComparisons::lagFigures).toList(),
                Map.of("rate", 100));
    }

    private static StreamSide lagSide(
            StreamRig rig, Workload w, Duration interval, int parallelism, boolean ingress) {
        String suffix = (parallelism == 2 ? "" : "-p" + parallelism) + (ingress ? "-ingress" : "");
        return new StreamSide(
                "checkpoint-" + interval.toMillis() + "ms" + suffix,
                "the whole job at parallelism "
                        + parallelism
                        + ", checkpoints every "
                        + interval.toMillis()
                        + " ms"
                        + (ingress ? ", clients on an ingress topic (bus.ingress-topic)" : ""),
                rig,
                new FullJob(ingress),
                JobSettings.exactlyOnce(interval).withParallelism(parallelism),
                w,
                Duration.ZERO,
                true);
    }

    /**
     * A side's visible p99 against its interval and, where its reader sees the inputs (the bus),
     * how long they took to become readable against the same interval.
     */
    private static Stream<Figure> lagFigures(StreamSide side) {
        double interval = side.settings().checkpointInterval().toMillis();
        Figure visible =
                new Figure(
                        "p99-per-interval-" + lagName(side),
                        "visible latency p99 / checkpoint interval",
                        c -> p99Ms(c, side.name()) / interval);
        if (side.job() instanceof PassThroughJob) {
            return Stream.of(visible);
        }
        Figure input =
                new Figure(
                        "input-readable-p99-per-interval-" + lagName(side),
                        "time until an input is readable committed, p99 / checkpoint interval",
                        c -> Figure.extraOf(c, side.name(), "inputReadableP99Ms") / interval);
        return Stream.of(visible, input);
    }

    private static String lagName(StreamSide side) {
        return side.name().replaceFirst("^checkpoint-", "");
    }

    private static Figure ratioOfExtras(
            String name, String what, String side, String baseline, String key) {
        return new Figure(
                name,
                what + ", " + side + " / " + baseline,
                c -> Figure.extraOf(c, side, key) / Figure.extraOf(c, baseline, key));
    }

    private static double throughput(Map<String, RoundRecord> cycle, String side) {
        RoundRecord r = cycle.get(side);
        return r == null ? Double.NaN : r.throughput();
    }

    private static double p99Ms(Map<String, RoundRecord> cycle, String side) {
        RoundRecord r = cycle.get(side);
        return r == null ? Double.NaN : r.p99Ms();
    }

    private static int size(int full, double scale) {
        return Math.max(10, (int) Math.round(full * scale));
    }
}
