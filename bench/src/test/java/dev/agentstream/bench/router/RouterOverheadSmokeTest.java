package dev.agentstream.bench.router;

import dev.agentstream.bench.BenchCommand;
import dev.agentstream.bench.harness.Report;
import dev.agentstream.bench.harness.Report.Ratio;
import dev.agentstream.bench.harness.Report.RoundRecord;
import dev.agentstream.bench.harness.Report.SideSummary;
import dev.agentstream.bench.harness.ReportFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the router-overhead comparison end to end for two short rounds per side, so that the
 * harness, its options and its report keep working. Asserts no timing: only that every side did
 * correct work and that the ratios were computed.
 */
class RouterOverheadSmokeTest {

    @Test
    void shouldMeasureEverySideWithoutErrorsAndComputeTheRatios(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("report.json");
        StringWriter console = new StringWriter();
        CommandLine command = new CommandLine(new BenchCommand());
        command.setOut(new PrintWriter(console));

        int exit =
                command.execute(
                        "--comparison", "router-overhead",
                        "--rounds", "2",
                        "--warmup", "0",
                        "--round-seconds", "0.5",
                        "--concurrency", "8",
                        "--latency-ms", "0",
                        "--out", out.toString());

        assertThat(exit).as(console.toString()).isZero();
        Report report = ReportFile.read(out);
        assertThat(report.sides())
                .extracting(SideSummary::name)
                .containsExactly("bare-bytes", "bare-json", "router");
        for (SideSummary side : report.sides()) {
            assertThat(side.rounds()).isEqualTo(2);
            assertThat(side.errors()).as(side.firstError()).isZero();
            assertThat(side.throughput().min()).isPositive();
            assertThat(side.p50Ms().median()).isPositive();
        }
        assertThat(report.roundsWithErrors()).isZero();
        assertThat(report.rounds()).hasSize(6);

        Ratio routerOverBare = ratio(report, "bare-bytes", "router");
        assertThat(routerOverBare.p50().n()).isEqualTo(2);
        assertThat(routerOverBare.p50().median()).isFinite().isPositive();
        assertThat(routerOverBare.throughput().median()).isFinite().isPositive();
        assertThat(report.ratios()).hasSize(3);

        long sent = report.rounds().stream().mapToLong(r -> r.requests() + r.errors()).sum();
        assertThat(((Number) report.settings().get("simulatorRequests")).longValue())
                .as("every request reached the simulator once")
                .isEqualTo(sent);
        assertThat(report.settings().get("simulatorTcpNoDelay")).isEqualTo("true");
        assertThat(console.toString()).contains("router / bare-bytes").contains("report: ");
        assertThat(report.rounds()).noneMatch(RoundRecord::flagged);
    }

    private static Ratio ratio(Report report, String baseline, String other) {
        return report.ratios().stream()
                .filter(r -> r.baseline().equals(baseline) && r.other().equals(other))
                .findFirst()
                .orElseThrow();
    }
}
