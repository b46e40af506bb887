package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The part of {@code kustomize build} that deploy/flink-k8s uses, so that tests see the resources
 * the API server would get: resources (files, and folders with a kustomization), ConfigMaps
 * generated from files without a hash suffix, patches from files applied as JSON merge patches, and
 * a namespace. A kustomization that uses anything else fails here, so that it cannot quietly
 * outgrow what the tests check.
 */
final class Kustomize {

    private static final Set<String> SUPPORTED =
            Set.of(
                    "apiVersion",
                    "kind",
                    "resources",
                    "namespace",
                    "configMapGenerator",
                    "generatorOptions",
                    "patches");

    private Kustomize() {}

    /** The resources that {@code kustomize build dir} would print. */
    static List<ObjectNode> build(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        JsonNode kustomization = Repo.readYaml(file);
        kustomization
                .fieldNames()
                .forEachRemaining(
                        key -> {
                            if (!SUPPORTED.contains(key)) {
                                throw unsupported(file, key);
                            }
                        });

        List<ObjectNode> resources = new ArrayList<>();
        for (JsonNode entry : kustomization.path("resources")) {
            Path resource = dir.resolve(entry.asText()).normalize();
            if (Files.isDirectory(resource)) {
                resources.addAll(build(resource));
            } else {
                Repo.readYamlDocuments(resource).forEach(doc -> resources.add((ObjectNode) doc));
            }
        }
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            resources.add(configMap(file, dir, generator, kustomization.path("generatorOptions")));
        }
        for (JsonNode patch : kustomization.path("patches")) {
            applyPatch(file, dir, patch, resources);
        }
        if (kustomization.hasNonNull("namespace")) {
            String namespace = kustomization.get("namespace").asText();
            resources.forEach(r -> ((ObjectNode) r.get("metadata")).put("namespace", namespace));
        }
        return resources;
    }

    private static ObjectNode configMap(Path file, Path dir, JsonNode generator, JsonNode options) {
        if (!options.path("disableNameSuffixHash").asBoolean()) {
            throw new IllegalArgumentException(
                    file
                            + ": a generated ConfigMap needs disableNameSuffixHash: kustomize would"
                            + " not rewrite the hashed name inside a FlinkDeployment's podTemplate");
        }
        generator
                .fieldNames()
                .forEachRemaining(
                        key -> {
                            if (!key.equals("name") && !key.equals("files")) {
                                throw unsupported(file, "configMapGenerator." + key);
                            }
                        });
        ObjectNode configMap = JsonNodeFactory.instance.objectNode();
        configMap.put("apiVersion", "v1").put("kind", "ConfigMap");
        configMap.putObject("metadata").put("name", generator.get("name").asText());
        ObjectNode data = configMap.putObject("data");
        for (JsonNode entry : generator.path("files")) {
            String spec = entry.asText();
            int eq = spec.indexOf('=');
            Path source = dir.resolve(eq < 0 ? spec : spec.substring(eq + 1)).normalize();
            String key = eq < 0 ? source.getFileName().toString() : spec.substring(0, eq);
            data.put(key, Repo.read(source));
        }
        return configMap;
    }

    private static void applyPatch(
            Path file, Path dir, JsonNode entry, List<ObjectNode> resources) {
        entry.fieldNames()
                .forEachRemaining(
                        key -> {
                            if (!key.equals("path")) {
                                throw unsupported(file, "patches[]." + key);
                            }
                        });
        Path patchFile = dir.resolve(entry.get("path").asText());
        JsonNode patch = Repo.readYaml(patchFile);
        if (MergePatch.hasArray(patch)) {
            throw new IllegalArgumentException(
                    patchFile
                            + ": patches lists; kustomize merges lists of named items by name,"
                            + " a JSON merge patch replaces them, so the tests could not tell"
                            + " what the cluster gets");
        }
        List<Integer> matches = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            if (sameObject(resources.get(i), patch)) {
                matches.add(i);
            }
        }
        if (matches.size() != 1) {
            throw new IllegalArgumentException(
                    patchFile + ": matches " + matches.size() + " resources, not one");
        }
        int index = matches.get(0);
        resources.set(index, (ObjectNode) MergePatch.apply(resources.get(index), patch));
    }

    private static boolean sameObject(JsonNode resource, JsonNode patch) {
        return resource.path("apiVersion").equals(patch.path("apiVersion"))
                && resource.path("kind").equals(patch.path("kind"))
                && resource.path("metadata")
                        .path("name")
                        .equals(patch.path("metadata").path("name"));
    }

    private static IllegalArgumentException unsupported(Path file, String key) {
        return new IllegalArgumentException(
                file + " uses " + key + ", which the tests' kustomize emulation does not know");
    }
}
