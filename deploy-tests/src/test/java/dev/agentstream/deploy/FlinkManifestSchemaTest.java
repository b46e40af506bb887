package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every manifest under deploy/flink-k8s, each overlay merged onto the base, against the
 * openAPIV3Schema of the operator's CRDs in ../shared/flink-kubernetes-operator/ (release 1.15.0).
 * Skipped, saying so, when those CRDs are not beside the repository.
 */
class FlinkManifestSchemaTest {

    static final List<String> LAYOUTS = Layouts.ALL;

    private static CrdSchemas crds;

    /** Skips each test, saying why, rather than the class: Surefire would report 0 tests. */
    @BeforeEach
    void requireTheCrds() {
        Optional<Path> dir = Repo.operatorCrds();
        assumeTrue(
                dir.isPresent(),
                "../shared/flink-kubernetes-operator/ is absent: CRD schema checks skipped");
        if (crds == null) {
            crds = CrdSchemas.load(dir.get());
        }
    }

    @ParameterizedTest
    @FieldSource("LAYOUTS")
    void shouldMatchTheCrdSchemas(String layout) {
        List<ObjectNode> resources = Layouts.build(layout);

        List<ObjectNode> custom = resources.stream().filter(crds::covers).toList();
        assertThat(custom).extracting(r -> r.path("kind").asText()).contains("FlinkDeployment");
        for (ObjectNode resource : custom) {
            assertThat(crds.validate(resource)).as(layout + " " + resource.path("kind")).isEmpty();
        }
    }

    @Test
    void shouldMatchTheSnapshotSchema() {
        JsonNode snapshot = Repo.readYaml(Repo.path(Layouts.SNAPSHOT_EXAMPLE));

        assertThat(crds.covers(snapshot)).isTrue();
        assertThat(crds.validate(snapshot)).isEmpty();
    }

    @Test
    void shouldUseAFlinkVersionTheCrdAllows() {
        ObjectNode deployment = Layouts.flinkDeployment("base");

        assertThat(deployment.path("spec").path("flinkVersion").asText()).isEqualTo("v2_2");
        deployment.withObjectProperty("spec").put("flinkVersion", "v2_9");
        assertThat(crds.validate(deployment))
                .singleElement()
                .asString()
                .contains("/spec/flinkVersion");
    }

    @Test
    void shouldCatchWrongTypesAndUnknownFields() {
        ObjectNode deployment = Layouts.flinkDeployment("base");
        deployment
                .withObjectProperty("spec")
                .withObjectProperty("jobManager")
                .withObjectProperty("resource")
                .put("cpu", "one");
        deployment
                .withObjectProperty("spec")
                .withObjectProperty("job")
                .put("upgradeMod", "savepoint");
        deployment
                .withObjectProperty("spec")
                .withObjectProperty("podTemplate")
                .withObjectProperty("spec")
                .put("hostNetwerk", true);

        assertThat(crds.validate(deployment))
                .hasSize(3)
                .anySatisfy(p -> assertThat(p).contains("/spec/jobManager/resource/cpu"))
                .anySatisfy(p -> assertThat(p).startsWith("/spec/job/upgradeMod: not declared"))
                .anySatisfy(
                        p -> assertThat(p).startsWith("/spec/podTemplate/spec/hostNetwerk: not"));
    }
}
