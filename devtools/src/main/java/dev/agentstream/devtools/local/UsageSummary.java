package dev.agentstream.devtools.local;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/** Adds up usage records per agent and model, and prints them as a table. */
final class UsageSummary {

    private static final class Row {
        int turns;
        int failed;
        long prompt;
        long completion;
    }

    private final Map<String, Row> rows = new TreeMap<>();

    void add(JsonNode usage) {
        String key = usage.path("agent").asText() + "\t" + usage.path("requestModel").asText();
        Row row = rows.computeIfAbsent(key, k -> new Row());
        row.turns++;
        if (!"ok".equals(usage.path("status").asText())) {
            row.failed++;
        }
        row.prompt += usage.path("inputTokens").asLong();
        row.completion += usage.path("outputTokens").asLong();
    }

    int turns() {
        return rows.values().stream().mapToInt(r -> r.turns).sum();
    }

    void print(PrintStream out) {
        String format = "  %-16s %-22s %6s %7s %9s %11s %9s%n";
        out.printf(format, "agent", "model", "turns", "not ok", "input", "output", "total");
        rows.forEach(
                (key, row) -> {
                    String[] parts = key.split("\t", 2);
                    out.printf(
                            format,
                            parts[0],
                            parts[1],
                            row.turns,
                            row.failed,
                            row.prompt,
                            row.completion,
                            row.prompt + row.completion);
                });
        if (rows.isEmpty()) {
            out.println("  (no usage records)");
        }
    }
}
