package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's admission rules that no schema can see, and the wiring between the manifests, the
 * job and its image: each layout passes, and each rule refuses what it should.
 */
class OperatorAdmissionRulesTest {

    static final List<String> LAYOUTS = Layouts.ALL;

    @ParameterizedTest
    @FieldSource("LAYOUTS")
    void shouldPassTheAdmissionRules(String layout) {
        assertThat(AdmissionRules.deployment(Layouts.flinkDeployment(layout))).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("LAYOUTS")
    void shouldPassArgumentsTheJobAccepts(String layout) {
        List<String> args = args(Layouts.flinkDeployment(layout));

        assertThat(JobOptions.read().problems(args)).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("LAYOUTS")
    void shouldMountTheOrganismFromAGeneratedConfigMap(String layout) {
        List<ObjectNode> resources = Layouts.build(layout);
        ObjectNode deployment = Layouts.flinkDeployment(layout);
        String organismPath = JobOptions.value(args(deployment), "organism.path").orElseThrow();
        JsonNode pod = deployment.path("spec").path("podTemplate").path("spec");
        JsonNode container = mainContainer(deployment);

        JsonNode mount = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (organismPath.startsWith(m.path("mountPath").asText() + "/")) {
                mount = m;
            }
        }
        assertThat(mount).as("a volume mounted above " + organismPath).isNotNull();
        String volumeName = mount.path("name").asText();
        String configMap = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(volumeName)) {
                configMap = v.path("configMap").path("name").asText(null);
            }
        }
        String fileName = organismPath.substring(organismPath.lastIndexOf('/') + 1);
        String wanted = configMap;
        assertThat(resources)
                .filteredOn(r -> Layouts.isKind(r, "ConfigMap"))
                .filteredOn(r -> r.path("metadata").path("name").asText().equals(wanted))
                .singleElement()
                .satisfies(cm -> assertThat(cm.path("data").has(fileName)).isTrue());
    }

    @ParameterizedTest
    @FieldSource("LAYOUTS")
    void shouldTakeSecretsFromSecretsAndEnableTheS3Plugin(String layout) {
        ObjectNode deployment = Layouts.flinkDeployment(layout);
        JsonNode container = mainContainer(deployment);

        assertThat(env(container, "AGENTSTREAM_REGISTRY_KEY").path("valueFrom").has("secretKeyRef"))
                .isTrue();
        assertThat(container.path("envFrom").findValues("secretRef")).isNotEmpty();
        String plugins = env(container, "ENABLE_BUILT_IN_PLUGINS").path("value").asText();
        assertThat(plugins)
                .matches("flink-s3-fs-(presto|hadoop)-" + Poms.flinkVersion() + "\\.jar");
        JsonNode conf = deployment.path("spec").path("flinkConfiguration");
        assertThat(AdmissionRules.setting(conf, AdmissionRules.CHECKPOINT_DIR))
                .hasValueSatisfying(dir -> assertThat(dir).startsWith("s3://"));
        assertThat(AdmissionRules.setting(conf, AdmissionRules.SAVEPOINT_DIR))
                .hasValueSatisfying(dir -> assertThat(dir).startsWith("s3://"));
        assertThat(conf.path("high-availability.storageDir").asText()).startsWith("s3://");
    }

    @Test
    void shouldShipTheExampleOrganism() {
        assertThat(Repo.read(Layouts.dir("base").resolve("organism.yaml")))
                .as("base/organism.yaml is a copy of examples/organism.yaml")
                .isEqualTo(Repo.read(Repo.path("examples/organism.yaml")));
    }

    @Test
    void shouldRunTheJobJarOfTheImage() {
        JsonNode job = Layouts.flinkDeployment("base").path("spec").path("job");

        String jarUri = job.path("jarURI").asText();
        assertThat(jarUri).startsWith("local://");
        assertThat(jarUri.substring("local://".length())).isEqualTo(Dockerfiles.jobJarInImage());
        String entryClass = job.path("entryClass").asText();
        assertThat(Repo.path("job/src/main/java/" + entryClass.replace('.', '/') + ".java"))
                .isRegularFile();
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
    }

    @Test
    void shouldReferToTheDeploymentFromTheSnapshotExample() {
        JsonNode snapshot = Repo.readYaml(Repo.path(Layouts.SNAPSHOT_EXAMPLE));
        String name = Layouts.flinkDeployment("base").path("metadata").path("name").asText();

        assertThat(AdmissionRules.snapshot(snapshot, Set.of(name))).isEmpty();
    }

    @Test
    void shouldRefuseWhatTheOperatorRefuses() {
        assertRefused(
                d -> d.withObjectProperty("metadata").put("name", "AgentStream"), "metadata.name");
        assertRefused(
                d -> d.withObjectProperty("metadata").put("name", "a".repeat(46)),
                "lower case DNS-1123");
        assertRefused(
                d -> conf(d).remove(AdmissionRules.SAVEPOINT_DIR), "upgradeMode savepoint needs");
        assertRefused(
                d -> conf(d).remove(AdmissionRules.CHECKPOINT_DIR), "upgradeMode savepoint needs");
        assertRefused(
                d -> {
                    conf(d).put("high-availability.type", "NONE");
                    conf(d).put("kubernetes.operator.deployment.rollback.enabled", "true");
                },
                "rollbacks need high availability");
        assertRefused(
                d -> {
                    conf(d).put("high-availability.type", "NONE");
                    job(d).put("upgradeMode", "last-state");
                },
                "last-state needs high availability");
        assertRefused(
                d -> {
                    conf(d).put("high-availability.type", "NONE");
                    d.withObjectProperty("spec")
                            .withObjectProperty("jobManager")
                            .put("replicas", 2);
                },
                "standby JobManagers");
        assertRefused(d -> conf(d).remove("high-availability.storageDir"), "storageDir");
        assertRefused(d -> job(d).put("jarURI", "/opt/flink/usrlib/x.jar"), "has no scheme");
        assertRefused(d -> ((ArrayNode) job(d).get("args")).remove(0), "--organism.path");
        assertRefused(d -> conf(d).remove(AdmissionRules.MAX_PARALLELISM), "must be pinned");
        assertRefused(d -> conf(d).put("kubernetes.namespace", "other"), "is forbidden");
        assertRefused(d -> conf(d).put(AdmissionRules.CHECKPOINT_INTERVAL, "1m"), "overridden");
        assertRefused(d -> conf(d).remove("jobmanager.scheduler"), "adaptive");
        assertRefused(d -> d.withObjectProperty("spec").remove("serviceAccount"), "serviceAccount");
    }

    @Test
    void shouldAcceptTheDeprecatedDirectoryKeys() {
        ObjectNode deployment = Layouts.flinkDeployment("base");
        ObjectNode conf = conf(deployment);
        conf.put("state.savepoints.dir", conf.remove(AdmissionRules.SAVEPOINT_DIR).asText());
        conf.put("state.checkpoints.dir", conf.remove(AdmissionRules.CHECKPOINT_DIR).asText());

        assertThat(AdmissionRules.deployment(deployment)).isEmpty();
    }

    @Test
    void shouldRefuseArgumentsTheJobRefuses() {
        JobOptions options = JobOptions.read();

        assertThat(options.keys()).contains("organism.path", "kafka.bootstrap-servers");
        assertThat(options.problems(List.of("--organism.path", "/o.yaml", "--llm.max-token", "9")))
                .containsExactly("llm.max-token is no option of the job");
        assertThat(options.problems(List.of("--organism.path")))
                .containsExactly("organism.path has no value");
        assertThat(options.problems(List.of("--execution.checkpointing.interval", "30s")))
                .isEmpty();
    }

    @Test
    void shouldRefuseASnapshotWithoutItsTarget() {
        JsonNode snapshot = Repo.readYaml(Repo.path(Layouts.SNAPSHOT_EXAMPLE));
        ObjectNode both = snapshot.deepCopy();
        both.withObjectProperty("spec").putObject("checkpoint");

        assertThat(AdmissionRules.snapshot(snapshot, Set.of("other")))
                .containsExactly(
                        "spec.jobReference.name names no FlinkDeployment of deploy/flink-k8s");
        assertThat(AdmissionRules.snapshot(both, Set.of("agentstream")))
                .containsExactly("exactly one of spec.savepoint and spec.checkpoint must be set");
    }

    private static void assertRefused(Consumer<ObjectNode> change, String problem) {
        ObjectNode deployment = Layouts.flinkDeployment("base");
        change.accept(deployment);
        assertThat(AdmissionRules.deployment(deployment)).anyMatch(p -> p.contains(problem));
    }

    private static ObjectNode conf(ObjectNode deployment) {
        return deployment.withObjectProperty("spec").withObjectProperty("flinkConfiguration");
    }

    private static ObjectNode job(ObjectNode deployment) {
        return deployment.withObjectProperty("spec").withObjectProperty("job");
    }

    static List<String> args(JsonNode deployment) {
        List<String> args = new ArrayList<>();
        deployment.path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    private static JsonNode mainContainer(JsonNode deployment) {
        for (JsonNode c :
                deployment.path("spec").path("podTemplate").path("spec").path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                return c;
            }
        }
        throw new AssertionError("no flink-main-container in the podTemplate");
    }

    private static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no env " + name + " in flink-main-container");
    }
}
