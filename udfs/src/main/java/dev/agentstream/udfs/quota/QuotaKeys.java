package dev.agentstream.udfs.quota;

import dev.agentstream.udfs.tenant.TenantNames;

import java.io.Serializable;

/**
 * The keys of the quota stage. A tenant with limits is one key, so that one subtask decides for all
 * its turns; a tenant without is keyed by (tenant, thread), so that its turns, which the stage only
 * lets through, spread over every subtask instead of meeting in one. A turn and the usage record
 * that settles it always get the same key.
 */
public final class QuotaKeys implements Serializable {

    private static final long serialVersionUID = 1L;

    private final QuotaTable table;

    public QuotaKeys(QuotaTable table) {
        this.table = table;
    }

    /** The key of a turn, or of a usage record, of {@code tenant} on {@code thread}. */
    public String of(String tenant, String thread) {
        return table.of(tenant).unlimited() ? TenantNames.key(tenant, thread) : tenant;
    }

    /**
     * The key an erase command of {@code tenant} goes to: the tenant itself, whatever its limits
     * are now. It is the only key of the tenant that can hold state: a key of (tenant, thread) is
     * only ever used while the tenant has no limits, and such a turn is let through without a state
     * of its own. A tenant that had limits and has none now still has its state there until its
     * timers clear it, and the command reaches it.
     */
    public static String erasing(String tenant) {
        return tenant;
    }

    /** The tenant of a key: the whole key, or its part before the thread. */
    public static String tenantOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(0, slash);
    }
}
