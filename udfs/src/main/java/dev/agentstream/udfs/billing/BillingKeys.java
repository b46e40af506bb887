package dev.agentstream.udfs.billing;

/**
 * Keys of the billing stages: the tenant, a newline, then the thread or the window start. A tenant
 * name never holds a newline (see {@code TenantNames}), so the tenant of a key is what comes before
 * the first one.
 */
public final class BillingKeys {

    private static final char SEPARATOR = '\n';

    private BillingKeys() {}

    public static String of(String tenant, String part) {
        return tenant + SEPARATOR + part;
    }

    /** The tenant of a key; empty for a key without a separator. */
    public static String tenantOf(String key) {
        int at = key.indexOf(SEPARATOR);
        return at < 0 ? "" : key.substring(0, at);
    }
}
