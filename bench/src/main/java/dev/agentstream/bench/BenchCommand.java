package dev.agentstream.bench;

import dev.agentstream.bench.harness.Comparison;
import dev.agentstream.bench.harness.Harness;
import dev.agentstream.bench.harness.Report;
import dev.agentstream.bench.harness.ReportFile;
import dev.agentstream.bench.harness.ReportTable;
import dev.agentstream.bench.harness.RoundPlan;
import dev.agentstream.bench.router.RouterOverhead;
import dev.agentstream.bench.stream.StreamComparisons;
import dev.agentstream.devtools.cli.CommandErrors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs one comparison of the benchmark harness, prints its tables and writes its JSON report. The
 * exit code is 0, or {@value #EXIT_ERRORS} when a measured round had errors (the report is written
 * all the same).
 */
@Command(
        name = "agentstream-bench",
        mixinStandardHelpOptions = true,
        description = "Compares two or more sides in alternating rounds on this machine.")
public final class BenchCommand implements Callable<Integer> {

    static final int EXIT_ERRORS = 3;

    /** Every comparison there is, in the order {@code all} runs them. */
    static final List<String> COMPARISONS = comparisons();

    /** Runs every comparison, one after the other, into one report file. */
    static final String ALL = "all";

    private static List<String> comparisons() {
        List<String> names = new ArrayList<>();
        names.add(RouterOverhead.NAME);
        names.addAll(StreamComparisons.NAMES);
        return List.copyOf(names);
    }

    @Spec private CommandSpec spec;

    @Option(
            names = "--comparison",
            defaultValue = RouterOverhead.NAME,
            description =
                    "What to compare: ${COMPLETION-CANDIDATES}, or all of them. Default:"
                            + " ${DEFAULT-VALUE}.",
            completionCandidates = ComparisonCandidates.class)
    private String comparison;

    @Option(
            names = "--scale",
            defaultValue = "1",
            description =
                    "Job-level comparisons: workload sizes times this, above 0 (the smoke test runs"
                            + " a small fraction; router-overhead ignores it)."
                            + " Default: ${DEFAULT-VALUE}.")
    private double scale;

    @Option(
            names = "--rounds",
            defaultValue = "6",
            description = "Measured rounds per side. Default: ${DEFAULT-VALUE}.")
    private int rounds;

    @Option(
            names = "--warmup",
            defaultValue = "2",
            description = "Rounds per side run first and discarded. Default: ${DEFAULT-VALUE}.")
    private int warmup;

    @Option(
            names = "--round-seconds",
            defaultValue = "10",
            description = "How long a round lasts. Default: ${DEFAULT-VALUE}.")
    private double roundSeconds;

    @Option(
            names = "--round-requests",
            defaultValue = "10000000",
            description =
                    "A round also ends when it has started this many requests. Default:"
                            + " ${DEFAULT-VALUE}.")
    private long roundRequests;

    @Option(
            names = "--concurrency",
            defaultValue = "64",
            description =
                    "Requests in flight at all times (closed loop). Default: ${DEFAULT-VALUE}.")
    private int concurrency;

    @Option(
            names = "--latency-ms",
            defaultValue = "0",
            description = "The simulated provider's latency. Default: ${DEFAULT-VALUE}.")
    private long latencyMs;

    @Option(
            names = "--simulator-nodelay",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Make the simulator's HTTP server set TCP_NODELAY (the JDK's does not by"
                            + " default, which adds ~40 ms per exchange). Default:"
                            + " ${DEFAULT-VALUE}.")
    private boolean simulatorNoDelay;

    @Option(
            names = "--timeout-seconds",
            defaultValue = "30",
            description = "Every client's request timeout. Default: ${DEFAULT-VALUE}.")
    private long timeoutSeconds;

    @Option(
            names = "--profile",
            description =
                    "Job-level comparisons: record a JFR profile of every round's measured phase"
                            + " into this folder, with a text summary beside each.")
    private Path profile;

    @Option(
            names = "--out",
            description =
                    "The JSON report. Default: target/bench/<comparison>-<latency>ms-<time>.json")
    private Path out;

    @Override
    public Integer call() throws Exception {
        if (!ALL.equals(comparison) && !COMPARISONS.contains(comparison)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "unknown comparison: " + comparison);
        }
        checkOptions();
        List<String> names = ALL.equals(comparison) ? COMPARISONS : List.of(comparison);
        List<Report> reports = new ArrayList<>();
        for (String name : names) {
            reports.add(run(name));
        }
        Path file = out != null ? out : defaultOut();
        if (reports.size() == 1) {
            ReportFile.write(reports.get(0), file);
        } else {
            ReportFile.writeAll(reports, file);
        }
        PrintWriter console = spec.commandLine().getOut();
        console.println("report: " + file.toAbsolutePath());
        console.flush();
        boolean errors = reports.stream().anyMatch(r -> r.roundsWithErrors() > 0);
        return errors ? EXIT_ERRORS : 0;
    }

    /** Refuses, as a usage error, what would make a meaningless or impossible run. */
    private void checkOptions() {
        String problem = null;
        if (!(scale > 0) || Double.isInfinite(scale)) {
            problem = "--scale must be a number above 0: " + scale;
        } else if (rounds < 1) {
            problem = "--rounds must be at least 1: " + rounds;
        } else if (warmup < 0) {
            problem = "--warmup must be at least 0: " + warmup;
        } else if (!(roundSeconds > 0) || Double.isInfinite(roundSeconds)) {
            problem = "--round-seconds must be a number above 0: " + roundSeconds;
        } else if (concurrency < 1) {
            problem = "--concurrency must be at least 1: " + concurrency;
        } else if (roundRequests < 1) {
            problem = "--round-requests must be at least 1: " + roundRequests;
        } else if (latencyMs < 0) {
            problem = "--latency-ms must be at least 0: " + latencyMs;
        } else if (timeoutSeconds < 1) {
            problem = "--timeout-seconds must be at least 1: " + timeoutSeconds;
        }
        if (problem != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), problem);
        }
    }

    private Report run(String name) throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        RoundPlan round =
                new RoundPlan(
                        Duration.ofMillis(Math.round(roundSeconds * 1000)),
                        roundRequests,
                        concurrency);
        Harness.Settings settings = new Harness.Settings(rounds, warmup, round);
        Report report;
        try (Comparison c = open(name)) {
            console.println(c.name() + ": " + (warmup + rounds) + " rounds per side");
            console.flush();
            report =
                    new Harness(
                                    settings,
                                    line -> {
                                        console.println(line);
                                        console.flush();
                                    })
                            .run(c);
        }
        console.println();
        console.print(ReportTable.render(report));
        console.flush();
        return report;
    }

    private Comparison open(String name) throws Exception {
        if (name.equals(RouterOverhead.NAME)) {
            return RouterOverhead.start(
                    Duration.ofMillis(latencyMs),
                    Duration.ofSeconds(timeoutSeconds),
                    simulatorNoDelay);
        }
        // Job-level comparisons set the simulator's latency per side.
        System.setProperty(RouterOverhead.SERVER_NODELAY, Boolean.toString(simulatorNoDelay));
        return StreamComparisons.start(name, scale, profile);
    }

    private Path defaultOut() {
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("target", "bench", comparison + "-" + latencyMs + "ms-" + time + ".json");
    }

    static final class ComparisonCandidates extends java.util.ArrayList<String> {
        ComparisonCandidates() {
            addAll(COMPARISONS);
        }
    }

    public static void main(String[] args) {
        int code;
        try {
            CommandLine cli = new CommandLine(new BenchCommand());
            cli.setExecutionExceptionHandler(
                    CommandErrors.handler(
                            "agentstream-bench", LoggerFactory.getLogger(BenchCommand.class)));
            code = cli.execute(args);
        } catch (Throwable t) {
            // An error (not an exception) escapes picocli; the rig's threads would keep the JVM up.
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }
}
