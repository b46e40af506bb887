package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/grafana/agentstream.json queries metrics that exist, with labels that exist. */
class DashboardTest {

    static final String DASHBOARD = "deploy/grafana/agentstream.json";

    private static JsonNode dashboard;
    private static List<JsonNode> panels;

    @BeforeAll
    static void parse() {
        dashboard = Repo.readJson(Repo.path(DASHBOARD));
        panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
    }

    @Test
    void shouldQueryOnlyKnownMetricsAndLabels() {
        Set<String> known = MetricNames.known();
        for (String expr : expressions()) {
            assertThat(PromQl.metricNames(expr)).as(expr).isNotEmpty().isSubsetOf(known);
            assertThat(PromQl.labelNames(expr)).as(expr).isSubsetOf(MetricNames.LABELS);
        }
    }

    @Test
    void shouldShowEveryMetricOfTheJob() {
        Set<String> used = new TreeSet<>();
        expressions().forEach(expr -> used.addAll(PromQl.metricNames(expr)));

        assertThat(used).containsAll(MetricNames.JOB_METRICS.keySet());
    }

    @Test
    void shouldDescribeEveryPanelAndUseTheDatasourceVariable() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique id").isTrue();
            assertThat(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
            if (panel.has("targets")) {
                assertThat(panel.path("description").asText())
                        .as(panel.path("title").asText())
                        .isNotBlank();
                assertThat(panel.path("datasource").path("uid").asText())
                        .isEqualTo("${datasource}");
            }
        }
        assertThat(dashboard.path("templating").path("list").findValuesAsText("name"))
                .contains("datasource", "job");
        assertThat(dashboard.path("uid").asText()).isEqualTo("agentstream");
    }

    @Test
    void shouldShowWhatTheAlertsWatch() {
        List<String> titles = panels.stream().map(p -> p.path("title").asText()).toList();

        assertThat(titles)
                .contains(
                        "Consumer lag (pendingRecords)",
                        "Checkpoints completed and failed",
                        "Dead-letter ratio",
                        "Circuit breakers",
                        "Evictions per append",
                        "Latency p50 and p99 by backend",
                        "Cache hit rate",
                        "Tokens");
    }

    private static List<String> expressions() {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        assertThat(expressions).isNotEmpty();
        return expressions;
    }
}
