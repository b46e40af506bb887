package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.List;

/** The kustomize layouts under deploy/flink-k8s, each built as kustomize would. */
final class Layouts {

    static final String ROOT = "deploy/flink-k8s";
    static final List<String> ALL = List.of("base", "overlays/small", "overlays/production");
    static final String SNAPSHOT_EXAMPLE = ROOT + "/snapshots/savepoint-example.yaml";

    private Layouts() {}

    static List<ObjectNode> build(String layout) {
        return Kustomize.build(Repo.path(ROOT).resolve(layout));
    }

    static Path dir(String layout) {
        return Repo.path(ROOT).resolve(layout);
    }

    static ObjectNode flinkDeployment(String layout) {
        List<ObjectNode> found =
                build(layout).stream().filter(r -> isKind(r, "FlinkDeployment")).toList();
        if (found.size() != 1) {
            throw new IllegalStateException(
                    layout + " holds " + found.size() + " FlinkDeployments");
        }
        return found.get(0);
    }

    static boolean isKind(JsonNode resource, String kind) {
        return resource.path("kind").asText().equals(kind);
    }
}
