package dev.agentstream.udfs.billing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A versioned table of model prices per million tokens (see {@code prices/prices-2026-01.yaml}).
 * Models are matched by exact name: a model the table does not list has no price, and no usage
 * record of it gets a cost.
 *
 * <pre>{@code
 * PriceTable prices = PriceTable.load("2026-01");
 * Optional<ModelPrice> price = prices.price("gpt-4o-mini");
 * }</pre>
 */
public final class PriceTable {

    /** The version shipped with the job and used unless {@code billing.price-table} says. */
    public static final String DEFAULT_VERSION = "2026-01";

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final String version;
    private final String currency;
    private final Map<String, ModelPrice> models;

    private PriceTable(String version, String currency, Map<String, ModelPrice> models) {
        this.version = version;
        this.currency = currency;
        this.models = Map.copyOf(models);
    }

    /**
     * The table {@code source} names: a version shipped in the jar, or the path of a YAML file
     * (ending in {@code .yaml} or {@code .yml}).
     *
     * @throws IllegalArgumentException when there is no such table or it is malformed
     */
    public static PriceTable load(String source) {
        if (source.endsWith(".yaml") || source.endsWith(".yml")) {
            try (InputStream in = Files.newInputStream(Path.of(source))) {
                return parse(in, source);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the price table " + source, e);
            }
        }
        String resource = "prices/prices-" + source + ".yaml";
        try (InputStream in = PriceTable.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(
                        "no price table of version " + source + " (" + resource + ") in the jar");
            }
            PriceTable table = parse(in, resource);
            if (!table.version.equals(source)) {
                throw new IllegalArgumentException(
                        resource + " says it is version " + table.version + ", not " + source);
            }
            return table;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the price table " + resource, e);
        }
    }

    static PriceTable parse(InputStream in, String name) throws IOException {
        JsonNode root = YAML.readTree(in);
        String version = text(root, "version", name);
        String currency = text(root, "currency", name);
        JsonNode list = root.path("models");
        if (!list.isObject() || list.isEmpty()) {
            throw new IllegalArgumentException(name + ": 'models' must list at least one model");
        }
        Map<String, ModelPrice> models = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> model = it.next();
            String where = name + ": models." + model.getKey();
            ModelPrice price =
                    new ModelPrice(
                            price(model.getValue(), "input", where),
                            price(model.getValue(), "output", where),
                            price(model.getValue(), "cache-read", where),
                            price(model.getValue(), "cache-write", where));
            put(models, model.getKey(), price, where);
            for (String snapshot : snapshots(model.getValue(), where)) {
                put(models, snapshot, price, where + ".snapshots");
            }
        }
        return new PriceTable(version, currency, models);
    }

    public String version() {
        return version;
    }

    public String currency() {
        return currency;
    }

    /**
     * The price of exactly {@code model}, a model or one of its listed snapshots; empty when the
     * table lists neither.
     */
    public Optional<ModelPrice> price(String model) {
        return model == null ? Optional.empty() : Optional.ofNullable(models.get(model));
    }

    private static void put(
            Map<String, ModelPrice> models, String name, ModelPrice price, String where) {
        if (models.putIfAbsent(name, price) != null) {
            throw new IllegalArgumentException(where + ": '" + name + "' is priced twice");
        }
    }

    /**
     * The names a provider answers with for a model that cost what it costs ({@code snapshots}: a
     * list of strings, optional). Listed by name, never guessed from a prefix: a dated snapshot may
     * be priced apart from its alias.
     */
    private static List<String> snapshots(JsonNode model, String where) {
        JsonNode list = model.path("snapshots");
        if (list.isMissingNode()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(where + ": 'snapshots' must be a list of names");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode name : list) {
            if (!name.isTextual() || name.asText().isBlank()) {
                throw new IllegalArgumentException(where + ": 'snapshots' must be a list of names");
            }
            names.add(name.asText());
        }
        return names;
    }

    private static String text(JsonNode root, String field, String name) {
        JsonNode node = root.path(field);
        if (!node.isValueNode() || node.asText().isBlank()) {
            throw new IllegalArgumentException(name + ": '" + field + "' is required");
        }
        return node.asText();
    }

    private static BigDecimal price(JsonNode model, String field, String where) {
        JsonNode node = model.path(field);
        if (!node.isValueNode() || node.isNull()) {
            throw new IllegalArgumentException(where + "." + field + " is required");
        }
        try {
            BigDecimal price = new BigDecimal(node.asText());
            if (price.signum() < 0) {
                throw new IllegalArgumentException(where + "." + field + " is negative");
            }
            return price;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    where + "." + field + " is not a decimal: " + node.asText(), e);
        }
    }
}
