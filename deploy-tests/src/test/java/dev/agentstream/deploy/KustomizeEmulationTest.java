package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The emulation of kustomize the manifest tests rely on. */
class KustomizeEmulationTest {

    @Test
    void shouldMergeAsRfc7386Says() throws IOException {
        JsonNode target = json("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"},\"l\":[1,2]}");
        JsonNode patch = json("{\"a\":\"z\",\"c\":{\"f\":null},\"l\":[3],\"n\":{\"m\":1}}");

        assertThat(MergePatch.apply(target, patch))
                .isEqualTo(json("{\"a\":\"z\",\"c\":{\"d\":\"e\"},\"l\":[3],\"n\":{\"m\":1}}"));
        assertThat(target.path("c").has("f")).as("the target is left as it was").isTrue();
    }

    @Test
    void shouldApplyTheOverlayOntoTheBase() {
        ObjectNode base = Layouts.flinkDeployment("base");
        ObjectNode production = Layouts.flinkDeployment("overlays/production");

        assertThat(production.path("metadata").path("namespace").asText()).isEqualTo("agentstream");
        assertThat(production.path("spec").path("jobManager").path("replicas").asInt())
                .isEqualTo(2);
        assertThat(production.path("spec").path("job").path("args"))
                .isEqualTo(base.path("spec").path("job").path("args"));
        assertThat(production.path("spec").path("flinkConfiguration").path("state.backend.type"))
                .isEqualTo(base.path("spec").path("flinkConfiguration").path("state.backend.type"));
        assertThat(
                        production
                                .path("spec")
                                .path("flinkConfiguration")
                                .path("job.autoscaler.vertex.max-parallelism")
                                .asText())
                .isEqualTo("48");
    }

    @Test
    void shouldCarryTracingOffWithTheCollectorsEndpointShown() {
        for (String layout : new String[] {"base", "overlays/production"}) {
            List<String> args = new ArrayList<>();
            Layouts.flinkDeployment(layout)
                    .path("spec")
                    .path("job")
                    .path("args")
                    .forEach(a -> args.add(a.asText()));

            assertThat(JobOptions.value(args, "tracing.enabled")).as(layout).hasValue("false");
            assertThat(JobOptions.value(args, "tracing.otlp-endpoint"))
                    .as(layout)
                    .hasValueSatisfying(e -> assertThat(e).startsWith("http://").endsWith(":4317"));
        }
    }

    @Test
    void shouldRefuseWhatItDoesNotEmulate(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "images:\n  - name: x\n");
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("uses images");

        Files.writeString(
                dir.resolve("kustomization.yaml"),
                "resources: [d.yaml]\npatches:\n  - path: p.yaml\n");
        Files.writeString(
                dir.resolve("d.yaml"), "apiVersion: v1\nkind: X\nmetadata: {name: x}\nspec: {}\n");
        Files.writeString(
                dir.resolve("p.yaml"),
                "apiVersion: v1\nkind: X\nmetadata: {name: x}\nspec: {list: [1]}\n");
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("patches lists");
    }

    private static JsonNode json(String text) throws IOException {
        return Repo.JSON.readTree(text);
    }
}
