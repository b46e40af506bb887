package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/prometheus/alerts.yml parses, and each rule is complete and documented. */
class AlertRulesTest {

    static final String RULES = "deploy/prometheus/alerts.yml";
    static final String RUNBOOK = "docs/operations.md";

    private static List<JsonNode> rules;

    @BeforeAll
    static void parse() {
        rules = new ArrayList<>();
        for (JsonNode group : Repo.readYaml(Repo.path(RULES)).path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            group.path("rules").forEach(rules::add);
        }
    }

    @Test
    void shouldGiveEachRuleAnExpressionADurationAndASummary() {
        assertThat(rules).hasSizeGreaterThanOrEqualTo(8);
        Set<String> names = new HashSet<>();
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertThat(names.add(name)).as("unique alert " + name).isTrue();
            assertThat(rule.path("expr").asText()).as(name).isNotBlank();
            assertThat(rule.path("for").asText()).as(name).matches("\\d+(ms|s|m|h|d|w|y)");
            assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
            assertThat(rule.path("labels").path("severity").asText())
                    .as(name)
                    .isIn("info", "warning", "critical");
        }
    }

    @Test
    void shouldWatchOnlyKnownMetricsAndLabels() {
        for (JsonNode rule : rules) {
            String expr = rule.path("expr").asText();
            assertThat(PromQl.metricNames(expr))
                    .as(expr)
                    .isNotEmpty()
                    .isSubsetOf(MetricNames.known());
            assertThat(PromQl.labelNames(expr)).as(expr).isSubsetOf(MetricNames.LABELS);
        }
    }

    @Test
    void shouldWatchWhatTheIssueAsksFor() {
        String all = String.join("\n", rules.stream().map(r -> r.path("expr").asText()).toList());

        assertThat(all)
                .contains("pendingRecords")
                .contains("numberOfFailedCheckpoints")
                .contains("operator_name=~\"dead-letter-sink.*\"")
                .contains("breakerState")
                .contains("contextEvictions")
                .contains("llmLatencyMs{job_name=~\"agentstream.*\", quantile=\"0.99\"}")
                .contains("cacheHits");
    }

    @Test
    void shouldDocumentEveryAlertInTheRunbook() {
        String runbook = Repo.read(Repo.path(RUNBOOK));
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertThat(runbook).as(RUNBOOK).contains("#### " + name + "\n");
            assertThat(rule.path("annotations").path("runbook").asText())
                    .isEqualTo(RUNBOOK + "#" + name.toLowerCase(Locale.ROOT));
        }
    }
}
