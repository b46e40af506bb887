package dev.agentstream.bench.stream;

import dev.agentstream.bench.BenchCommand;
import dev.agentstream.bench.harness.Report;
import dev.agentstream.bench.harness.Report.FigureSummary;
import dev.agentstream.bench.harness.Report.RoundRecord;
import dev.agentstream.bench.harness.ReportFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs two job-level comparisons end to end at a small fraction of their size, one round per side:
 * the full job and the pass-through on a real broker, and threads with history written before the
 * measured turns. Asserts no timing: that every answer came once, and that what the figures are
 * made of was measured.
 */
class StreamComparisonsSmokeTest {

    @Test
    void shouldRunTheJobAndThePassThroughOverTheSameBacklog(@TempDir Path dir) throws Exception {
        Report report = run(dir, StreamComparisons.JOB_VS_PASS_THROUGH, "0.02");

        assertThat(report.roundsWithErrors()).isZero();
        RoundRecord pass = round(report, "pass-through");
        RoundRecord job = round(report, "agentstream");
        assertThat(pass.extras().get("answered")).isEqualTo(1200.0);
        assertThat(job.extras().get("answered")).isEqualTo(1200.0);
        assertThat(job.extras().get("turns")).as("one usage record per turn").isEqualTo(1200.0);
        assertThat(job.extras().get("costPerTurnMicroUsd")).isPositive();
        assertThat(job.extras().keySet())
                .as("the operators' load was read from the REST API")
                .anyMatch(k -> k.startsWith("busyMsPerS:") && k.contains("thread-context"));
        assertThat(figure(report, "job-throughput-share").value().median()).isFinite().isPositive();
    }

    @Test
    void shouldWriteHistoryBeforeTheMeasuredTurns(@TempDir Path dir) throws Exception {
        Report report = run(dir, StreamComparisons.HISTORY_LENGTH, "0.01");

        assertThat(report.roundsWithErrors()).isZero();
        RoundRecord shortThreads = round(report, "history-10");
        RoundRecord longThreads = round(report, "history-5000");
        assertThat(shortThreads.extras().get("turns")).isEqualTo(shortThreads.requests());
        assertThat(longThreads.extras().get("inputTokensPerTurn"))
                .as("a longer history makes longer prompts")
                .isGreaterThan(shortThreads.extras().get("inputTokensPerTurn"));
        assertThat(figure(report, "cost-per-turn-x").value().median()).isGreaterThan(1);
    }

    private static Report run(Path dir, String comparison, String scale) throws Exception {
        Path out = dir.resolve(comparison + ".json");
        StringWriter console = new StringWriter();
        CommandLine command = new CommandLine(new BenchCommand());
        command.setOut(new PrintWriter(console));
        int exit =
                command.execute(
                        "--comparison",
                        comparison,
                        "--scale",
                        scale,
                        "--rounds",
                        "1",
                        "--warmup",
                        "0",
                        "--round-seconds",
                        "60",
                        "--out",
                        out.toString());
        assertThat(exit).as(console.toString()).isZero();
        return ReportFile.read(out);
    }

    private static RoundRecord round(Report report, String side) {
        return report.rounds().stream()
                .filter(r -> r.side().equals(side))
                .findFirst()
                .orElseThrow();
    }

    private static FigureSummary figure(Report report, String name) {
        return report.figures().stream()
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
