package dev.agentstream.udfs.organism;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Reads a LiteLLM-style {@code model_list} into backends written the way an organism's {@code
 * llm.backends} are, so that one set of checks applies to both. Each entry's {@code
 * litellm_params.model} is {@code <provider>/<model>}; {@code api_base}, {@code api_key} (only as
 * {@code os.environ/NAME}: keys never sit in a file), {@code tpm}, {@code rpm}, {@code
 * max_parallel_requests}, {@code timeout} and {@code order} map to our keys, and {@code
 * model_info.max_input_tokens} to the context window. Entries sharing a {@code model_name} become
 * backends numbered in order.
 */
final class LiteLlmModelList {

    /** LiteLLM's provider prefixes that map to a provider of ours. */
    private static final Map<String, String> PROVIDERS =
            Map.of(
                    "openai", "openai",
                    "hosted_vllm", "openai",
                    "anthropic", "anthropic",
                    "ollama", "ollama",
                    "ollama_chat", "ollama",
                    "groq", "groq",
                    "xai", "xai");

    private static final String ENV_PREFIX = "os.environ/";

    private LiteLlmModelList() {}

    /**
     * The entries of {@code list} as backend nodes.
     *
     * @param error builds the error for a key path and a problem
     */
    static List<JsonNode> backends(
            JsonNode list, String path, BiFunction<String, String, RuntimeException> error) {
        if (!list.isArray() || list.isEmpty()) {
            throw error.apply(path, "a non-empty list of models is required");
        }
        List<JsonNode> backends = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode entry = list.get(i);
            String name = entry.path("model_name").asText("").strip();
            if (name.isEmpty()) {
                throw error.apply(at + ".model_name", "a non-empty value is required");
            }
            int n = seen.merge(name, 1, Integer::sum);
            backends.add(backend(entry.path("litellm_params"), entry, at, error, name, n, i));
        }
        return backends;
    }

    private static ObjectNode backend(
            JsonNode params,
            JsonNode entry,
            String at,
            BiFunction<String, String, RuntimeException> error,
            String name,
            int nth,
            int index) {
        String model = params.path("model").asText("").strip();
        int slash = model.indexOf('/');
        String prefix = slash < 0 ? "openai" : model.substring(0, slash).toLowerCase(Locale.ROOT);
        String provider = PROVIDERS.get(prefix);
        if (model.isEmpty() || provider == null) {
            throw error.apply(
                    at + ".litellm_params.model",
                    "must be <provider>/<model> with a provider of " + PROVIDERS.keySet());
        }
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("provider", provider);
        b.put("name", nth == 1 ? name : name + "#" + nth);
        b.put("model", model.substring(slash + 1));
        copy(params, "api_base", b, "base_url");
        copy(params, "tpm", b, "rate_limit_tpm");
        copy(params, "rpm", b, "rate_limit_rpm");
        copy(params, "max_parallel_requests", b, "max_concurrent");
        copy(params, "timeout", b, "timeout");
        copy(entry.path("model_info"), "max_input_tokens", b, "context_window");
        b.set("priority", params.has("order") ? params.get("order") : intNode(index + 1));
        JsonNode key = params.path("api_key");
        if (!key.isMissingNode() && !key.isNull()) {
            String value = key.asText("");
            if (!value.startsWith(ENV_PREFIX) || value.length() == ENV_PREFIX.length()) {
                throw error.apply(
                        at + ".litellm_params.api_key",
                        "only os.environ/<NAME> is read: keys never sit in a file");
            }
            b.put("api_key_env", value.substring(ENV_PREFIX.length()));
        }
        return b;
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String ours) {
        JsonNode v = from.path(field);
        if (!v.isMissingNode() && !v.isNull()) {
            to.set(ours, v);
        }
    }

    private static JsonNode intNode(int value) {
        return JsonNodeFactory.instance.numberNode(value);
    }
}
