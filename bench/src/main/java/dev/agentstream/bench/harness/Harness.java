package dev.agentstream.bench.harness;

import dev.agentstream.bench.harness.Report.FigureSummary;
import dev.agentstream.bench.harness.Report.Ratio;
import dev.agentstream.bench.harness.Report.RoundRecord;
import dev.agentstream.bench.harness.Report.SideSummary;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Runs a {@link Comparison}: its sides take turns, one round each per cycle (A, B, A, B, ...), so
 * that a machine that slows down or speeds up during the run affects every side alike. The first
 * {@code warmup} cycles are run and reported but left out of the summaries and ratios.
 */
public final class Harness {

    /**
     * How a comparison is run.
     *
     * @param rounds measured rounds per side
     * @param warmup rounds per side run first and discarded
     * @param round what each round may do
     */
    public record Settings(int rounds, int warmup, RoundPlan round) {

        public Settings {
            if (rounds < 1) {
                throw new IllegalArgumentException("at least one measured round is needed");
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("warm-up rounds must be >= 0: " + warmup);
            }
        }
    }

    private final Settings settings;
    private final Consumer<String> progress;

    /** A harness that reports each round on {@code progress} as it ends. */
    public Harness(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** Opens the comparison's sides, runs every cycle, closes the sides and summarises. */
    public Report run(Comparison comparison) throws Exception {
        String startedAt = Instant.now().toString();
        Map<String, Object> environment = environment();
        List<Side> sides = comparison.sides();
        if (sides.size() < 2) {
            throw new IllegalArgumentException("a comparison needs two sides or more");
        }
        CpuMeter cpu = new CpuMeter(comparison.serverThreads());
        List<RoundRecord> rounds = new ArrayList<>();
        List<Side> opened = new ArrayList<>();
        try {
            for (Side side : sides) {
                side.open();
                opened.add(side);
            }
            int cycles = settings.warmup() + settings.rounds();
            for (int cycle = 0; cycle < cycles; cycle++) {
                for (Side side : sides) {
                    // Collect the last side's garbage now, not during the next side's round.
                    System.gc();
                    RoundRecord round = runRound(cpu, side, cycle);
                    rounds.add(round);
                    progress.accept(progressLine(round, cycles));
                }
            }
        } finally {
            closeAll(opened);
        }
        environment.put("loadAverageAtEnd", loadAverage());
        return summarise(comparison, startedAt, environment, rounds);
    }

    private RoundRecord runRound(CpuMeter cpu, Side side, int cycle) throws Exception {
        CpuMeter.Sample before = cpu.sample();
        RoundResult result = side.runRound(settings.round());
        CpuMeter.Usage usage = CpuMeter.between(before, cpu.sample());
        long answered = result.requests() + result.errors();
        return new RoundRecord(
                cycle,
                cycle < settings.warmup(),
                side.name(),
                result.requests(),
                result.errors(),
                result.firstError(),
                result.elapsedNanos() / 1e9,
                result.throughput(),
                result.p50Nanos() / 1e6,
                result.p99Nanos() / 1e6,
                result.maxNanos() / 1e6,
                result.meanNanos() / 1e6,
                perRequestMicros(usage.clientNanos(), answered),
                perRequestMicros(usage.serverNanos(), answered),
                usage.otherCores(),
                result.extras());
    }

    private static double perRequestMicros(long nanos, long requests) {
        return requests == 0 ? 0 : nanos / 1e3 / requests;
    }

    private static void closeAll(List<Side> opened) throws Exception {
        Exception first = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private Report summarise(
            Comparison comparison,
            String startedAt,
            Map<String, Object> environment,
            List<RoundRecord> rounds) {
        List<RoundRecord> measured = rounds.stream().filter(r -> !r.warmup()).toList();
        List<Side> sides = comparison.sides();
        List<SideSummary> summaries = new ArrayList<>();
        for (Side side : sides) {
            summaries.add(summary(side, of(measured, side.name())));
        }
        List<Ratio> ratios = new ArrayList<>();
        for (int b = 0; b < sides.size(); b++) {
            for (int o = b + 1; o < sides.size(); o++) {
                ratios.add(
                        ratio(
                                of(measured, sides.get(b).name()),
                                of(measured, sides.get(o).name())));
            }
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("rounds", settings.rounds());
        all.put("warmupRounds", settings.warmup());
        all.put("roundSeconds", settings.round().duration().toMillis() / 1e3);
        all.put("roundMaxRequests", settings.round().maxRequests());
        all.put("concurrency", settings.round().concurrency());
        all.put("loop", comparison.loop());
        all.putAll(comparison.settings());
        List<FigureSummary> figures = figures(comparison, measured);
        int withErrors = (int) measured.stream().filter(RoundRecord::flagged).count();
        return new Report(
                comparison.name(),
                comparison.description(),
                startedAt,
                all,
                environment,
                summaries,
                Report.RATIO_DIRECTION,
                ratios,
                figures,
                withErrors,
                rounds);
    }

    /** Each figure over the measured cycles: one value per cycle, from that cycle's rounds. */
    private static List<FigureSummary> figures(Comparison comparison, List<RoundRecord> measured) {
        Map<Integer, Map<String, RoundRecord>> cycles = new TreeMap<>();
        for (RoundRecord r : measured) {
            cycles.computeIfAbsent(r.cycle(), c -> new LinkedHashMap<>()).put(r.side(), r);
        }
        List<FigureSummary> out = new ArrayList<>();
        for (Figure f : comparison.figures()) {
            List<Double> values = new ArrayList<>();
            for (Map<String, RoundRecord> cycle : cycles.values()) {
                double v = f.value().applyAsDouble(cycle);
                if (Double.isFinite(v)) {
                    values.add(v);
                }
            }
            out.add(new FigureSummary(f.name(), f.description(), Spread.of(values)));
        }
        return out;
    }

    private static List<RoundRecord> of(List<RoundRecord> rounds, String side) {
        return rounds.stream().filter(r -> r.side().equals(side)).toList();
    }

    private static SideSummary summary(Side side, List<RoundRecord> rounds) {
        long errors = rounds.stream().mapToLong(RoundRecord::errors).sum();
        String firstError =
                rounds.stream()
                        .map(RoundRecord::firstError)
                        .filter(e -> !e.isEmpty())
                        .findFirst()
                        .orElse("");
        return new SideSummary(
                side.name(),
                side.description(),
                rounds.size(),
                (int) rounds.stream().filter(RoundRecord::flagged).count(),
                errors,
                firstError,
                spread(rounds, RoundRecord::p50Ms),
                spread(rounds, RoundRecord::p99Ms),
                spread(rounds, RoundRecord::throughput),
                spread(rounds, RoundRecord::clientCpuMicrosPerRequest),
                spread(rounds, RoundRecord::serverCpuMicrosPerRequest));
    }

    private static Spread spread(List<RoundRecord> rounds, ToDoubleFunction<RoundRecord> value) {
        return Spread.of(rounds.stream().map(value::applyAsDouble).toList());
    }

    /**
     * Ratios of the rounds of the same cycle: {@code base} and {@code other} ran one after the
     * other.
     */
    private static Ratio ratio(List<RoundRecord> base, List<RoundRecord> other) {
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> throughput = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> p50Added = new ArrayList<>();
        List<Double> cpuAdded = new ArrayList<>();
        for (RoundRecord b : base) {
            for (RoundRecord o : other) {
                if (o.cycle() != b.cycle()) {
                    continue;
                }
                p50.add(o.p50Ms() / b.p50Ms());
                p99.add(o.p99Ms() / b.p99Ms());
                throughput.add(b.throughput() / o.throughput());
                cpu.add(o.clientCpuMicrosPerRequest() / b.clientCpuMicrosPerRequest());
                p50Added.add((o.p50Ms() - b.p50Ms()) * 1e3);
                cpuAdded.add(o.clientCpuMicrosPerRequest() - b.clientCpuMicrosPerRequest());
            }
        }
        return new Ratio(
                base.get(0).side(),
                other.get(0).side(),
                Spread.of(p50),
                Spread.of(p99),
                Spread.of(throughput),
                Spread.of(cpu),
                Spread.of(p50Added),
                Spread.of(cpuAdded));
    }

    private static String progressLine(RoundRecord r, int cycles) {
        return String.format(
                Locale.ROOT,
                "round %d/%d%s %-14s %9.0f req/s  p50 %8.3f ms  p99 %8.3f ms  client %6.1f us/req"
                        + "  server %6.1f us/req  other cpu %s  errors %d%s",
                r.cycle() + 1,
                cycles,
                r.warmup() ? " warm-up" : "        ",
                r.side(),
                r.throughput(),
                r.p50Ms(),
                r.p99Ms(),
                r.clientCpuMicrosPerRequest(),
                r.serverCpuMicrosPerRequest(),
                r.otherCores() < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", r.otherCores()),
                r.errors(),
                r.errors() == 0 ? "" : " FLAGGED: " + r.firstError());
    }

    private static Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        env.put(
                "jvmArguments",
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        env.put("loadAverageAtStart", loadAverage());
        return env;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
