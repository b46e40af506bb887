package dev.agentstream.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The metric names the monitoring files know are the ones the job registers. */
class MetricNamesTest {

    private static final Pattern REGISTERED =
            Pattern.compile("\\.(counter|gauge|histogram|meter)\\(\\s*(\"(\\w+)\"|([A-Z_]+))");
    private static final Pattern CONSTANT =
            Pattern.compile("static final String ([A-Z_]+)\\s*=\\s*\"(\\w+)\"");

    @Test
    void shouldKnowEveryMetricTheJobRegisters() throws IOException {
        assertThat(new TreeSet<>(MetricNames.JOB_METRICS.values()))
                .containsExactlyElementsOf(registeredInUdfs());
    }

    @Test
    void shouldReadMetricNamesAndLabelsOutOfAQuery() {
        String expr =
                "sum by (job_name, backend) (rate(flink_a_b{operator_name=~\"x{1}\", error=\"y\"}"
                        + "[$__rate_interval])) / on (job_name) max(flink_c) > 0.05 and bool flink_d";

        assertThat(PromQl.metricNames(expr)).containsExactly("flink_a_b", "flink_c", "flink_d");
        assertThat(PromQl.labelNames(expr))
                .containsExactly("backend", "error", "job_name", "operator_name");
    }

    /** Names given to counter(), gauge(), histogram() and meter() in udfs' main sources. */
    private static Set<String> registeredInUdfs() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Repo.path("udfs/src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Repo.read(file);
                Matcher m = REGISTERED.matcher(source);
                while (m.find()) {
                    names.add(m.group(3) != null ? m.group(3) : constant(source, m.group(4)));
                }
            }
        }
        return names;
    }

    private static String constant(String source, String name) {
        Matcher m = CONSTANT.matcher(source);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new AssertionError("metric name constant " + name + " not found");
    }
}
