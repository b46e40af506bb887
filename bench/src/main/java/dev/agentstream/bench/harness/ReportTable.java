package dev.agentstream.bench.harness;

import dev.agentstream.bench.harness.Report.Ratio;
import dev.agentstream.bench.harness.Report.RoundRecord;
import dev.agentstream.bench.harness.Report.SideSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a {@link Report} as plain-text tables: medians with their min-max over rounds. */
public final class ReportTable {

    private ReportTable() {}

    public static String render(Report report) {
        StringBuilder out = new StringBuilder();
        out.append(report.comparison()).append(": ").append(report.description()).append('\n');
        out.append("settings: ").append(report.settings()).append('\n');
        out.append("machine: ")
                .append(report.environment().get("cores"))
                .append(" cores, ")
                .append(report.environment().get("java"))
                .append('\n');
        out.append("sides:\n");
        for (SideSummary side : report.sides()) {
            out.append("  ").append(side.name()).append(": ").append(side.description());
            out.append('\n');
        }
        out.append('\n').append(sideTable(report.sides())).append('\n');
        out.append("ratios (").append(Report.RATIO_DIRECTION).append("):\n");
        out.append(ratioTable(report.ratios())).append('\n');
        if (!report.figures().isEmpty()) {
            out.append("figures (median (min-max) over measured cycles):\n");
            out.append(figureTable(report.figures())).append('\n');
        }
        out.append(otherLoad(report.rounds())).append('\n');
        if (report.roundsWithErrors() > 0) {
            out.append("FLAGGED: ")
                    .append(report.roundsWithErrors())
                    .append(" measured rounds had errors; the numbers above include them\n");
        } else {
            out.append("no errors in any measured round\n");
        }
        return out.toString();
    }

    private static String sideTable(List<SideSummary> sides) {
        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {
                    "side",
                    "p50 ms",
                    "p99 ms",
                    "throughput req/s",
                    "client CPU us/req",
                    "server CPU us/req",
                    "errors"
                });
        for (SideSummary s : sides) {
            rows.add(
                    new String[] {
                        s.name(),
                        cell(s.p50Ms(), "%.3f"),
                        cell(s.p99Ms(), "%.3f"),
                        cell(s.throughput(), "%.0f"),
                        cell(s.clientCpuMicrosPerRequest(), "%.1f"),
                        cell(s.serverCpuMicrosPerRequest(), "%.1f"),
                        s.errors() + (s.roundsWithErrors() > 0 ? " (" + s.firstError() + ")" : "")
                    });
        }
        return columns(rows);
    }

    private static String ratioTable(List<Ratio> ratios) {
        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {
                    "other / baseline",
                    "p50 x",
                    "p99 x",
                    "throughput x",
                    "client CPU x",
                    "p50 added us",
                    "client CPU added us/req"
                });
        for (Ratio r : ratios) {
            rows.add(
                    new String[] {
                        r.other() + " / " + r.baseline(),
                        cell(r.p50(), "%.3f"),
                        cell(r.p99(), "%.3f"),
                        cell(r.throughput(), "%.3f"),
                        cell(r.clientCpuPerRequest(), "%.3f"),
                        cell(r.p50AddedMicros(), "%.0f"),
                        cell(r.clientCpuAddedMicrosPerRequest(), "%.1f")
                    });
        }
        return columns(rows);
    }

    private static String figureTable(List<Report.FigureSummary> figures) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"figure", "value", "cycles", "what"});
        for (Report.FigureSummary f : figures) {
            rows.add(
                    new String[] {
                        f.name(),
                        cell(f.value(), "%.3f"),
                        Integer.toString(f.value().n()),
                        f.description()
                    });
        }
        return columns(rows);
    }

    /** How busy the rest of the machine was: someone else's build shows here. */
    private static String otherLoad(List<RoundRecord> rounds) {
        List<Double> other =
                rounds.stream()
                        .filter(r -> !r.warmup() && r.otherCores() >= 0)
                        .map(RoundRecord::otherCores)
                        .toList();
        if (other.isEmpty()) {
            return "other processes: unknown (no /proc/stat)";
        }
        return "other processes kept "
                + cell(Spread.of(other), "%.2f")
                + " cores busy per measured round";
    }

    /** {@code median (min-max)}. */
    static String cell(Spread s, String format) {
        return String.format(Locale.ROOT, format, s.median())
                + " ("
                + String.format(Locale.ROOT, format, s.min())
                + "-"
                + String.format(Locale.ROOT, format, s.max())
                + ")";
    }

    private static String columns(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
