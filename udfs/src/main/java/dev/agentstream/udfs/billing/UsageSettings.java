package dev.agentstream.udfs.billing;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;

/**
 * How the emit stage bills a turn.
 *
 * @param defaultTenant the tenant of a turn whose envelope names none ({@code tenant.default})
 * @param priceTable a price table version shipped in the jar ({@code prices/prices-<version>.yaml})
 *     or the path of a YAML file of the same shape; see {@link PriceTable}
 */
public record UsageSettings(String defaultTenant, String priceTable) implements Serializable {

    public static final String DEFAULT_TENANT = "default";

    public UsageSettings {
        Preconditions.checkArgument(
                defaultTenant != null && !defaultTenant.isBlank(),
                "The default tenant must not be empty");
        Preconditions.checkArgument(
                priceTable != null && !priceTable.isBlank(), "A price table must be named");
    }

    public static UsageSettings defaults() {
        return new UsageSettings(DEFAULT_TENANT, PriceTable.DEFAULT_VERSION);
    }

    /** The tenant a turn of {@code tenant} is billed to. */
    public String tenantOf(String tenant) {
        return tenant == null || tenant.isEmpty() ? defaultTenant : tenant;
    }
}
