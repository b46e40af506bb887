package dev.agentstream.bench;

import dev.agentstream.bench.harness.Comparison;
import dev.agentstream.bench.harness.Harness;
import dev.agentstream.bench.harness.Report;
import dev.agentstream.bench.harness.ReportFile;
import dev.agentstream.bench.harness.ReportTable;
import dev.agentstream.bench.harness.RoundPlan;
import dev.agentstream.bench.router.RouterOverhead;
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

    /** The comparisons there are; issue 8 adds the others. */
    enum ComparisonName {
        ROUTER_OVERHEAD(RouterOverhead.NAME);

        final String cli;

        ComparisonName(String cli) {
            this.cli = cli;
        }

        static ComparisonName of(String cli) {
            for (ComparisonName c : values()) {
                if (c.cli.equals(cli)) {
                    return c;
                }
            }
            throw new CommandLine.TypeConversionException("unknown comparison: " + cli);
        }
    }

    @Spec private CommandSpec spec;

    @Option(
            names = "--comparison",
            defaultValue = RouterOverhead.NAME,
            converter = ComparisonConverter.class,
            description = "What to compare: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
            completionCandidates = ComparisonCandidates.class)
    private ComparisonName comparison;

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
            names = "--out",
            description =
                    "The JSON report. Default: target/bench/<comparison>-<latency>ms-<time>.json")
    private Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        RoundPlan round =
                new RoundPlan(
                        Duration.ofMillis(Math.round(roundSeconds * 1000)),
                        roundRequests,
                        concurrency);
        Harness.Settings settings = new Harness.Settings(rounds, warmup, round);
        Report report;
        try (Comparison c = open()) {
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
        Path file = out != null ? out : defaultOut();
        ReportFile.write(report, file);
        console.println();
        console.print(ReportTable.render(report));
        console.println("report: " + file.toAbsolutePath());
        console.flush();
        return report.roundsWithErrors() > 0 ? EXIT_ERRORS : 0;
    }

    private Comparison open() throws Exception {
        return switch (comparison) {
            case ROUTER_OVERHEAD ->
                    RouterOverhead.start(
                            Duration.ofMillis(latencyMs),
                            Duration.ofSeconds(timeoutSeconds),
                            simulatorNoDelay);
        };
    }

    private Path defaultOut() {
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of(
                "target", "bench", comparison.cli + "-" + latencyMs + "ms-" + time + ".json");
    }

    static final class ComparisonConverter implements CommandLine.ITypeConverter<ComparisonName> {
        @Override
        public ComparisonName convert(String value) {
            return ComparisonName.of(value);
        }
    }

    static final class ComparisonCandidates extends java.util.ArrayList<String> {
        ComparisonCandidates() {
            for (ComparisonName c : ComparisonName.values()) {
                add(c.cli);
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }
}
