package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of a custom resource that its structural schema does not declare. The API server drops
 * them without a word (pruning), or refuses the object under kubectl's strict field validation;
 * JSON-schema validation alone lets them pass, since CRD schemas never say {@code
 * additionalProperties: false}. A misspelt field would otherwise be lost unseen.
 */
final class UnknownFields {

    private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata");
    private static final Set<String> METADATA =
            Set.of("name", "namespace", "labels", "annotations");

    private UnknownFields() {}

    static List<String> find(JsonNode resource, JsonNode schema) {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : resource.properties()) {
            String name = field.getKey();
            if (name.equals("metadata")) {
                field.getValue()
                        .fieldNames()
                        .forEachRemaining(
                                key -> {
                                    if (!METADATA.contains(key)) {
                                        unknown.add("/metadata/" + key);
                                    }
                                });
            } else if (!TOP_LEVEL.contains(name)) {
                walk(field.getValue(), schema.path("properties").get(name), "/" + name, unknown);
            }
        }
        return unknown;
    }

    private static void walk(JsonNode node, JsonNode schema, String path, List<String> unknown) {
        if (schema == null) {
            unknown.add(path);
            return;
        }
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            return;
        }
        if (node.isObject()) {
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String child = path + "/" + field.getKey();
                if (properties != null && properties.has(field.getKey())) {
                    walk(field.getValue(), properties.get(field.getKey()), child, unknown);
                } else if (additional != null && additional.isObject()) {
                    walk(field.getValue(), additional, child, unknown);
                } else if (additional == null || !additional.asBoolean()) {
                    unknown.add(child);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), schema.get("items"), path + "/" + i, unknown);
            }
        }
    }
}
