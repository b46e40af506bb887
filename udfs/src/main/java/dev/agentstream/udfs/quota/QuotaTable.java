package dev.agentstream.udfs.quota;

import org.apache.flink.util.TimeUtils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentstream.udfs.tenant.TenantNames;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every tenant's limits: the default, and overrides per tenant from a YAML file of this shape,
 * where a field left out is the default's:
 *
 * <pre>{@code
 * tenants:
 *   acme:
 *     tokens-per-minute: 20000
 *     budget-tokens: 5000000
 *     max-wait: 30 s
 *   bigco:
 *     tokens-per-minute: 0        # no rate limit for bigco
 * }</pre>
 *
 * Read once, when the job is built: a bad file stops the job with its reason.
 */
public final class QuotaTable implements Serializable {

    private static final long serialVersionUID = 1L;

    static final String TENANTS = "tenants";
    static final String TOKENS_PER_MINUTE = "tokens-per-minute";
    static final String BUDGET_TOKENS = "budget-tokens";
    static final String MAX_WAIT = "max-wait";

    private static final Set<String> FIELDS = Set.of(TOKENS_PER_MINUTE, BUDGET_TOKENS, MAX_WAIT);

    private final QuotaLimits defaults;
    private final Map<String, QuotaLimits> tenants;

    public QuotaTable(QuotaLimits defaults, Map<String, QuotaLimits> tenants) {
        this.defaults = defaults;
        this.tenants = new TreeMap<>(tenants);
    }

    /** The default for every tenant, no overrides. */
    public static QuotaTable of(QuotaLimits defaults) {
        return new QuotaTable(defaults, Map.of());
    }

    /** {@code defaults}, overridden per tenant by the YAML file at {@code path}. */
    public static QuotaTable load(QuotaLimits defaults, Path path) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read the quota file " + path + ": " + e.getMessage(), e);
        }
        return parse(defaults, root, path.toString());
    }

    static QuotaTable parse(QuotaLimits defaults, JsonNode root, String source) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            return of(defaults);
        }
        require(root.isObject(), source, "is not a map");
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            require(TENANTS.equals(key), source, "has an unknown key " + key + " (only tenants)");
        }
        JsonNode list = root.path(TENANTS);
        if (list.isMissingNode() || list.isNull()) {
            return of(defaults);
        }
        require(list.isObject(), source, TENANTS + " is not a map of tenant to limits");
        Map<String, QuotaLimits> tenants = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = source + ": tenant " + e.getKey();
            require(TenantNames.isValid(e.getKey()), where, "is not a tenant name");
            tenants.put(e.getKey(), limits(defaults, e.getValue(), where));
        }
        return new QuotaTable(defaults, tenants);
    }

    private static QuotaLimits limits(QuotaLimits defaults, JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return defaults;
        }
        require(node.isObject(), where, "is not a map of limits");
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(f -> unknown.add(f));
        unknown.removeAll(FIELDS);
        require(unknown.isEmpty(), where, "has unknown keys " + unknown + "; known: " + FIELDS);
        try {
            return new QuotaLimits(
                    count(node, TOKENS_PER_MINUTE, defaults.tokensPerMinute(), where),
                    count(node, BUDGET_TOKENS, defaults.budgetTokens(), where),
                    node.has(MAX_WAIT)
                            ? TimeUtils.parseDuration(node.get(MAX_WAIT).asText())
                            : defaults.maxWait());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the quota file " + where + ": " + e.getMessage(), e);
        }
    }

    private static long count(JsonNode node, String field, long otherwise, String where) {
        if (!node.has(field)) {
            return otherwise;
        }
        JsonNode value = node.get(field);
        require(
                value.isIntegralNumber() && value.canConvertToLong() && value.asLong() >= 0,
                where,
                field + " is not a whole number >= 0: " + value);
        return value.asLong();
    }

    private static void require(boolean ok, String where, String what) {
        if (!ok) {
            throw new IllegalArgumentException("the quota file " + where + " " + what);
        }
    }

    /** The limits of {@code tenant}. */
    public QuotaLimits of(String tenant) {
        return tenants.getOrDefault(tenant, defaults);
    }

    public QuotaLimits defaults() {
        return defaults;
    }

    /** The tenants with limits of their own. */
    public Map<String, QuotaLimits> tenants() {
        return Map.copyOf(tenants);
    }

    /** True when some tenant, or the default, has a limit. */
    public boolean limitsAny() {
        return !defaults.unlimited() || tenants.values().stream().anyMatch(l -> !l.unlimited());
    }

    /** The longest wait any tenant's turns may have. */
    public Duration longestWait() {
        Duration longest = defaults.maxWait();
        for (QuotaLimits l : tenants.values()) {
            if (l.maxWait().compareTo(longest) > 0) {
                longest = l.maxWait();
            }
        }
        return longest;
    }
}
