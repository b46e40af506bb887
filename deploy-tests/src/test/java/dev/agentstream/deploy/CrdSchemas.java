package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code openAPIV3Schema} of every version of the operator's CRDs, by apiVersion and kind.
 * Validates a resource the way the API server's schema check would: types, enums and formats
 * (networknt, OpenAPI 3.0 dialect), plus the fields the schema does not declare.
 */
final class CrdSchemas {

    private final SchemaRegistry registry =
            SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30());
    private final Map<String, JsonNode> schemas = new HashMap<>();
    private final Map<String, Schema> compiled = new HashMap<>();

    private CrdSchemas() {}

    static CrdSchemas load(Path dir) {
        CrdSchemas crds = new CrdSchemas();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".yml"))
                    .sorted()
                    .forEach(crds::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return crds;
    }

    private void add(Path file) {
        JsonNode spec = Repo.readYaml(file).path("spec");
        String group = spec.path("group").asText();
        String kind = spec.path("names").path("kind").asText();
        for (JsonNode version : spec.path("versions")) {
            String apiVersion = group + "/" + version.path("name").asText();
            schemas.put(key(apiVersion, kind), version.path("schema").path("openAPIV3Schema"));
        }
    }

    boolean covers(JsonNode resource) {
        return schemas.containsKey(key(resource));
    }

    /** What the schema refuses in {@code resource}, and the fields it does not declare. */
    List<String> validate(JsonNode resource) {
        String key = key(resource);
        JsonNode schema = schemas.get(key);
        if (schema == null) {
            return List.of("no CRD for " + key);
        }
        Schema validator =
                compiled.computeIfAbsent(
                        key, k -> registry.getSchema(Repo.toJson(schema), InputFormat.JSON));
        List<String> problems = new ArrayList<>();
        validator
                .validate(Repo.toJson(resource), InputFormat.JSON)
                .forEach(error -> problems.add(error.toString()));
        UnknownFields.find(resource, schema)
                .forEach(path -> problems.add(path + ": not declared by the schema"));
        return problems;
    }

    private static String key(JsonNode resource) {
        return key(resource.path("apiVersion").asText(), resource.path("kind").asText());
    }

    private static String key(String apiVersion, String kind) {
        return apiVersion + "/" + kind;
    }
}
