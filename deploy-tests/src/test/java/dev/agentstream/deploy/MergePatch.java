package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * JSON merge patch (RFC 7386): objects merge key by key, {@code null} removes a key, anything else
 * (arrays included) replaces what was there. For a custom resource this is what kustomize does with
 * a patch of maps; it differs on lists of named items, which kustomize merges by name.
 */
final class MergePatch {

    private MergePatch() {}

    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result =
                target != null && target.isObject()
                        ? (ObjectNode) target.deepCopy()
                        : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), apply(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    /** Whether a patch holds an array anywhere, where the two merges would disagree. */
    static boolean hasArray(JsonNode patch) {
        if (patch.isArray()) {
            return true;
        }
        for (JsonNode child : patch) {
            if (hasArray(child)) {
                return true;
            }
        }
        return false;
    }
}
