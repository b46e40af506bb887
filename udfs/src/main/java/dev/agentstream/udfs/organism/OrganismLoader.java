package dev.agentstream.udfs.organism;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.EnvelopeLimits;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an upstream {@code organism.yaml} as it is. Keys the job does not use (port, concurrency
 * and scheduling settings) are ignored; every key it uses is checked, and a bad one fails with a
 * message that names it.
 */
public final class OrganismLoader {

    /** The name the job writes its own errors and answers under; no listener may take it. */
    private static final String RESERVED_NAME = SystemPayloads.JOB_SENDER;

    /** How long cached answers live when an agent says {@code cache: true} and nothing more. */
    static final double DEFAULT_CACHE_TTL_S = 3600;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private OrganismLoader() {}

    public static Organism load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Path dir = file.toAbsolutePath().getParent();
            return parse(YAML.readTree(in), file.toString(), dir);
        } catch (IOException e) {
            throw new OrganismException("cannot read organism file " + file + ": " + e, e);
        }
    }

    public static Organism parse(String yaml, String origin) {
        try {
            return parse(YAML.readTree(yaml), origin, Path.of("").toAbsolutePath());
        } catch (IOException e) {
            throw new OrganismException("organism " + origin + " is not valid YAML: " + e, e);
        }
    }

    private static Organism parse(JsonNode root, String origin, Path dir) {
        Keys keys = new Keys(origin);
        if (root == null || !root.isObject()) {
            throw keys.error("", "the file must be a YAML mapping");
        }
        String name = keys.requiredText(root.path("organism"), "organism.name", "name");
        LlmSettings llm = llm(keys, root.path("llm"), dir);
        List<Listener> listeners = listeners(keys, root.path("listeners"));
        checkPeers(keys, listeners);
        return new Organism(name, llm, listeners);
    }

    private static LlmSettings llm(Keys keys, JsonNode node, Path dir) {
        if (!node.isObject()) {
            throw keys.error("llm", "a mapping with at least one backend is required");
        }
        String strategy = node.path("strategy").asText("failover");
        if (!List.of("failover", "round-robin", "least-loaded").contains(strategy)) {
            throw keys.error(
                    "llm.strategy", "must be failover, round-robin or least-loaded: " + strategy);
        }
        int retries = keys.nonNegativeInt(node, "llm.retries", "retries", 3);
        Duration base = keys.seconds(node, "llm.retry_base_delay", "retry_base_delay", 1.0);
        Duration max = keys.seconds(node, "llm.retry_max_delay", "retry_max_delay", 60.0);
        return new LlmSettings(strategy, retries, base, max, backends(keys, node, dir));
    }

    /**
     * The backends: {@code llm.backends}, or a LiteLLM-style {@code model_list}, inline or in the
     * file {@code model_list_file} names (relative to the organism file).
     */
    private static List<Backend> backends(Keys keys, JsonNode node, Path dir) {
        int given =
                (node.has("backends") ? 1 : 0)
                        + (node.has("model_list") ? 1 : 0)
                        + (node.has("model_list_file") ? 1 : 0);
        if (given > 1) {
            throw keys.error(
                    "llm", "give one of backends, model_list or model_list_file, not several");
        }
        List<Backend> backends = new ArrayList<>();
        if (node.has("backends")) {
            JsonNode list = node.path("backends");
            if (!list.isArray() || list.isEmpty()) {
                throw keys.error("llm.backends", "a non-empty list is required");
            }
            for (int i = 0; i < list.size(); i++) {
                backends.add(backend(keys, list.get(i), "llm.backends[" + i + "]"));
            }
            return backends;
        }
        JsonNode list;
        String path;
        if (node.has("model_list_file")) {
            Path file =
                    dir.resolve(keys.requiredText(node, "llm.model_list_file", "model_list_file"));
            try (InputStream in = Files.newInputStream(file)) {
                JsonNode litellm = YAML.readTree(in);
                list = litellm == null ? null : litellm.path("model_list");
            } catch (IOException e) {
                throw keys.error("llm.model_list_file", "cannot read " + file + ": " + e);
            }
            path = file.getFileName() + ": model_list";
        } else if (node.has("model_list")) {
            list = node.path("model_list");
            path = "llm.model_list";
        } else {
            throw keys.error("llm.backends", "a non-empty list is required");
        }
        List<JsonNode> nodes = LiteLlmModelList.backends(list, path, keys::error);
        for (int i = 0; i < nodes.size(); i++) {
            backends.add(backend(keys, nodes.get(i), path + "[" + i + "]"));
        }
        return backends;
    }

    private static Backend backend(Keys keys, JsonNode node, String path) {
        String provider = keys.requiredText(node, path + ".provider", "provider");
        var defaults = ProviderDefaults.of(provider);
        String baseUrl = node.path("base_url").asText("");
        String model = node.path("model").asText("");
        if (baseUrl.isEmpty()) {
            baseUrl = defaults.map(ProviderDefaults.Defaults::baseUrl).orElse("");
        }
        if (model.isEmpty()) {
            model = defaults.map(ProviderDefaults.Defaults::model).orElse("");
        }
        if (baseUrl.isEmpty()) {
            throw keys.error(path + ".base_url", "required for provider " + provider);
        }
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            throw keys.error(path + ".base_url", "must be an http(s) URL: " + baseUrl);
        }
        if (model.isEmpty()) {
            throw keys.error(path + ".model", "required for provider " + provider);
        }
        String keyEnv =
                node.path("api_key_env")
                        .asText(defaults.map(ProviderDefaults.Defaults::apiKeyEnv).orElse(""));
        return new Backend(
                provider,
                node.path("name").asText(provider),
                keyEnv,
                baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl,
                model,
                keys.nonNegativeInt(node, path + ".priority", "priority", 1),
                keys.nonNegativeInt(node, path + ".rate_limit_tpm", "rate_limit_tpm", 0),
                keys.nonNegativeInt(node, path + ".max_concurrent", "max_concurrent", 0),
                keys.seconds(node, path + ".timeout", "timeout", 120.0),
                keys.nonNegativeInt(node, path + ".context_window", "context_window", 0),
                keys.nonNegativeInt(node, path + ".rate_limit_rpm", "rate_limit_rpm", 0));
    }

    private static List<Listener> listeners(Keys keys, JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            throw keys.error("listeners", "a non-empty list is required");
        }
        List<Listener> listeners = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> rootTags = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "listeners[" + i + "]";
            JsonNode node = list.get(i);
            String name = keys.requiredText(node, path + ".name", "name");
            String payloadClass = keys.requiredText(node, path + ".payload_class", "payload_class");
            List<String> peers = new ArrayList<>();
            JsonNode peerList = node.path("peers");
            if (!peerList.isMissingNode() && !peerList.isArray()) {
                throw keys.error(path + ".peers", "must be a list of listener names");
            }
            peerList.forEach(p -> peers.add(p.asText()));
            Listener listener =
                    new Listener(
                            name,
                            payloadClass,
                            node.path("handler").asText(""),
                            node.path("description").asText(""),
                            node.path("agent").asBoolean(false),
                            peers,
                            node.path("prompt").asText(""),
                            cacheTtl(keys, node, path));
            if (RESERVED_NAME.equals(name)) {
                throw keys.error(
                        path + ".name", "\"" + RESERVED_NAME + "\" is the job's own sender name");
            }
            if (name.length() > EnvelopeLimits.MAX_NAME_LENGTH) {
                throw keys.error(
                        path + ".name",
                        "longer than " + EnvelopeLimits.MAX_NAME_LENGTH + " characters");
            }
            if (!names.add(name)) {
                throw keys.error(path + ".name", "duplicate listener name " + name);
            }
            if (!rootTags.add(listener.rootTag())) {
                throw keys.error(
                        path + ".payload_class", "root tag already taken: " + listener.rootTag());
            }
            listeners.add(listener);
        }
        return listeners;
    }

    /** {@code cache: true} turns the response cache on, {@code cache_ttl:} (seconds) tunes it. */
    private static Duration cacheTtl(Keys keys, JsonNode node, String path) {
        JsonNode cache = node.path("cache");
        if (cache.isMissingNode() || cache.isNull()) {
            if (node.has("cache_ttl")) {
                throw keys.error(path + ".cache_ttl", "needs cache: true");
            }
            return Duration.ZERO;
        }
        if (!cache.isBoolean()) {
            throw keys.error(path + ".cache", "must be true or false: " + cache.asText());
        }
        if (!cache.asBoolean()) {
            return Duration.ZERO;
        }
        if (!node.path("agent").asBoolean(false)) {
            throw keys.error(path + ".cache", "only an agent's answers can be cached");
        }
        Duration ttl = keys.seconds(node, path + ".cache_ttl", "cache_ttl", DEFAULT_CACHE_TTL_S);
        if (ttl.isZero()) {
            throw keys.error(path + ".cache_ttl", "must be more than 0 seconds");
        }
        return ttl;
    }

    private static void checkPeers(Keys keys, List<Listener> listeners) {
        Set<String> names = new HashSet<>();
        listeners.forEach(l -> names.add(l.name()));
        for (int i = 0; i < listeners.size(); i++) {
            for (String peer : listeners.get(i).peers()) {
                if (!names.contains(peer)) {
                    throw keys.error("listeners[" + i + "].peers", "unknown listener " + peer);
                }
            }
        }
    }

    /** Typed reads of scalar keys with errors that name the key and the file. */
    private record Keys(String origin) {

        OrganismException error(String key, String problem) {
            String where = key.isEmpty() ? "" : " key '" + key + "'";
            return new OrganismException("organism " + origin + ":" + where + ": " + problem);
        }

        String requiredText(JsonNode parent, String path, String field) {
            JsonNode v = parent.path(field);
            if (!v.isValueNode() || v.asText().isBlank()) {
                throw error(path, "a non-empty value is required");
            }
            return v.asText().trim();
        }

        int nonNegativeInt(JsonNode parent, String path, String field, int fallback) {
            JsonNode v = parent.path(field);
            if (v.isMissingNode() || v.isNull()) {
                return fallback;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
                throw error(path, "must be a whole number >= 0: " + v.asText());
            }
            return v.asInt();
        }

        Duration seconds(JsonNode parent, String path, String field, double fallback) {
            JsonNode v = parent.path(field);
            if (v.isMissingNode() || v.isNull()) {
                return Duration.ofMillis(Math.round(fallback * 1000));
            }
            if (!v.isNumber() || v.asDouble() < 0) {
                throw error(path, "must be a number of seconds >= 0: " + v.asText());
            }
            return Duration.ofMillis(Math.round(v.asDouble() * 1000));
        }
    }
}
