package dev.agentstream.udfs.tenant;

import java.util.regex.Pattern;

/**
 * Tenant names and the keys built from them. A name is lowercase letters, digits, dots, dashes and
 * underscores, at most 64 characters, starting with a letter or digit: it fits in a Kafka topic
 * name and never holds {@code /}, so {@code tenant + "/" + id} keys never collide.
 */
public final class TenantNames {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private static final char SEPARATOR = '/';

    private TenantNames() {}

    /** True when {@code name} is a usable tenant name. */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * The key of {@code id} (a thread or a conversation's root thread) within {@code tenant}, e.g.
     * {@code acme/6f1c2a9e-...}: whatever a tenant owns is keyed by its tenant first.
     */
    public static String key(String tenant, String id) {
        return (tenant == null ? "" : tenant) + SEPARATOR + id;
    }

    /** The tenant part of a {@link #key}; empty for a key without one. */
    public static String tenantOf(String key) {
        int slash = key.indexOf(SEPARATOR);
        return slash < 0 ? "" : key.substring(0, slash);
    }

    /** The id part of a {@link #key}; the whole key when it has no tenant part. */
    public static String idOf(String key) {
        int slash = key.indexOf(SEPARATOR);
        return slash < 0 ? key : key.substring(slash + 1);
    }
}
