package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml parses and is wired so that {@code docker compose up} converges: images or
 * builds, mounts that exist, dependencies that wait for health (or for a one-shot to finish),
 * explicit loopback port bindings, and the job's settings as the job and the image expect them. It
 * was never run here (no Docker engine); docs/operations.md says what was checked.
 */
class ComposeFileTest {

    static final String COMPOSE = "docker-compose.yml";

    private static JsonNode services;
    private static JsonNode volumes;

    @BeforeAll
    static void parse() {
        JsonNode compose = Repo.readYaml(Repo.path(COMPOSE));
        services = compose.path("services");
        volumes = compose.path("volumes");
    }

    @Test
    void shouldHoldTheStack() {
        assertThat(names(services))
                .contains(
                        "kafka",
                        "valkey",
                        "dynalite",
                        "jobmanager",
                        "taskmanager",
                        "llm-sim",
                        "prometheus",
                        "grafana",
                        "jaeger");
    }

    @Test
    void shouldGiveEveryServiceAnImageOrABuildThatExists() {
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            JsonNode s = service.getValue();
            assertThat(s.has("image") || s.has("build")).as(service.getKey()).isTrue();
            if (s.has("build")) {
                Path context = Repo.root().resolve(s.path("build").path("context").asText());
                assertThat(context).isDirectory();
                assertThat(context.resolve(s.path("build").path("dockerfile").asText()))
                        .as(service.getKey())
                        .isRegularFile();
            }
        }
    }

    @Test
    void shouldMountOnlyWhatExistsOrIsDeclared() {
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    assertThat(source)
                            .as(service.getKey() + " mounts from the repository")
                            .startsWith("./");
                    assertThat(Repo.root().resolve(source).normalize())
                            .as(service.getKey())
                            .exists();
                } else {
                    assertThat(volumes.has(source))
                            .as(service.getKey() + " volume " + source)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void shouldWaitOnlyForWhatCanBeWaitedFor() {
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            JsonNode dependsOn = service.getValue().path("depends_on");
            assertThat(dependsOn.isArray()).as(service.getKey() + ": long form only").isFalse();
            for (Map.Entry<String, JsonNode> dependency : dependsOn.properties()) {
                String name = service.getKey() + " -> " + dependency.getKey();
                JsonNode target = services.path(dependency.getKey());
                assertThat(target.isMissingNode()).as(name).isFalse();
                switch (dependency.getValue().path("condition").asText()) {
                    case "service_healthy" -> assertThat(hasHealthcheck(target)).as(name).isTrue();
                    case "service_completed_successfully" ->
                            assertThat(isOneShot(target)).as(name).isTrue();
                    // Only where the target's health needs this service first (the JobManager
                    // is healthy once the TaskManager runs the job); it still has a healthcheck.
                    case "service_started" -> assertThat(hasHealthcheck(target)).as(name).isTrue();
                    default -> throw new AssertionError(name + ": no condition");
                }
            }
        }
    }

    @Test
    void shouldCheckTheHealthOfEveryLongRunningService() {
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            if (!isOneShot(service.getValue())) {
                assertThat(hasHealthcheck(service.getValue())).as(service.getKey()).isTrue();
            }
        }
    }

    @Test
    void shouldBindEveryPortExplicitlyToLoopback() {
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            for (JsonNode port : service.getValue().path("ports")) {
                assertThat(port.isTextual()).as(service.getKey()).isTrue();
                assertThat(port.asText())
                        .as(service.getKey())
                        .matches("127\\.0\\.0\\.1:[1-9][0-9]*:[1-9][0-9]*(/tcp|/udp)?");
            }
        }
    }

    @Test
    void shouldLetKafkaRunTransactionsOnOneNode() {
        JsonNode env = services.path("kafka").path("environment");

        for (String key :
                List.of(
                        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertThat(env.path(key).asText()).as(key).isEqualTo("1");
        }
        assertThat(services.path("kafka").path("image").asText()).startsWith("apache/kafka:");
    }

    @Test
    void shouldCreateTheTopicsTheJobReads() {
        JobOptions options = JobOptions.read();
        String script = services.path("kafka-init").path("command").get(0).asText();

        for (String key : List.of("bus.topic", "usage.topic", "dead-letter.topic")) {
            assertThat(script).contains(options.stringDefault(key).orElseThrow());
        }
    }

    @Test
    void shouldRunTheJobInApplicationMode() {
        List<String> command = texts(services.path("jobmanager").path("command"));
        String entryClass =
                Layouts.flinkDeployment("base")
                        .path("spec")
                        .path("job")
                        .path("entryClass")
                        .asText();

        assertThat(command.subList(0, 3))
                .containsExactly("standalone-job", "--job-classname", entryClass);
        List<String> args = command.subList(3, command.size());
        assertThat(JobOptions.read().problems(args)).isEmpty();
        String organism = JobOptions.value(args, "organism.path").orElseThrow();
        assertThat(texts(services.path("jobmanager").path("volumes")))
                .anyMatch(v -> v.matches("\\./\\S+:" + organism + "(:ro)?"));
        assertThat(services.path("taskmanager").path("command").get(0).asText())
                .isEqualTo("taskmanager");
    }

    @Test
    void shouldConfigureBothFlinkProcessesAlike() {
        JsonNode jm = services.path("jobmanager");
        JsonNode tm = services.path("taskmanager");

        assertThat(tm.path("build")).isEqualTo(jm.path("build"));
        assertThat(tm.path("image")).isEqualTo(jm.path("image"));
        assertThat(tm.path("environment")).isEqualTo(jm.path("environment"));
        String properties = jm.path("environment").path("FLINK_PROPERTIES").asText();
        assertThat(properties)
                .contains(
                        "metrics.reporter.prom.factory.class: "
                                + "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .contains("metrics.reporter.prom.port: 9249")
                .contains("state.backend.type: rocksdb")
                .contains("execution.checkpointing.dir: file:///opt/flink/data/");
        assertThat(jm.path("environment").path("AGENTSTREAM_REGISTRY_KEY").asText()).isNotBlank();
    }

    @Test
    void shouldReachTheSimulatorWhereTheTasksRun() {
        JsonNode sim = services.path("llm-sim");
        List<String> jobArgs = texts(services.path("jobmanager").path("command"));
        String port = JobOptions.value(texts(sim.path("command")), "port").orElseThrow();

        assertThat(sim.path("network_mode").asText()).isEqualTo("service:taskmanager");
        assertThat(sim.has("ports")).isFalse();
        assertThat(JobOptions.value(jobArgs, "llm.base-url"))
                .hasValue("http://127.0.0.1:" + port + "/v1");
    }

    @Test
    void shouldScrapeBothFlinkProcessesAndProvisionGrafanaFromTheRepository() {
        JsonNode prometheus = Repo.readYaml(Repo.path("deploy/compose/prometheus/prometheus.yml"));
        List<String> targets = new ArrayList<>();
        prometheus.findValues("targets").forEach(t -> targets.addAll(texts(t)));
        JsonNode provider =
                Repo.readYaml(
                                Repo.path(
                                        "deploy/compose/grafana/provisioning/dashboards/agentstream.yml"))
                        .path("providers")
                        .get(0);

        assertThat(targets).containsExactlyInAnyOrder("jobmanager:9249", "taskmanager:9249");
        assertThat(texts(prometheus.path("rule_files")))
                .containsExactly("/etc/prometheus/alerts.yml");
        assertThat(texts(services.path("prometheus").path("volumes")))
                .contains("./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat(texts(services.path("grafana").path("volumes")))
                .contains(
                        "./deploy/grafana:"
                                + provider.path("options").path("path").asText()
                                + ":ro");
    }

    @Test
    void shouldSendTheJobsTracesToJaegerOverOtlpGrpc() {
        List<String> args = texts(services.path("jobmanager").path("command"));
        JsonNode jaeger = services.path("jaeger");

        assertThat(JobOptions.value(args, "tracing.enabled")).hasValue("true");
        assertThat(JobOptions.value(args, "tracing.otlp-endpoint")).hasValue("http://jaeger:4317");
        assertThat(jaeger.path("image").asText()).startsWith("jaegertracing/jaeger:2.");
        assertThat(texts(jaeger.path("ports")))
                .contains("127.0.0.1:16686:16686", "127.0.0.1:4317:4317");
        assertThat(
                        services.path("jobmanager")
                                .path("depends_on")
                                .path("jaeger")
                                .path("condition")
                                .asText())
                .isEqualTo("service_healthy");
    }

    private static boolean hasHealthcheck(JsonNode service) {
        return service.path("healthcheck").path("test").size() > 0;
    }

    private static boolean isOneShot(JsonNode service) {
        return service.path("restart").asText().equals("no") && !hasHealthcheck(service);
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(e -> texts.add(e.asText()));
        return texts;
    }
}
