package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.billing.UsageSettings;
import dev.agentstream.udfs.quota.QuotaKeys;
import dev.agentstream.udfs.turn.Turn;

/**
 * Keys turns for the quota stage by the tenant that pays for them, as their usage records name it
 * (and by thread too for a tenant without limits, see {@link QuotaKeys}). An erase command, as a
 * turn, goes to its tenant's own key ({@link QuotaKeys#erasing}).
 */
final class QuotaKey implements KeySelector<Turn, String> {

    private static final long serialVersionUID = 1L;

    private final UsageSettings usage;
    private final QuotaKeys keys;

    QuotaKey(UsageSettings usage, QuotaKeys keys) {
        this.usage = usage;
        this.keys = keys;
    }

    @Override
    public String getKey(Turn turn) {
        if (turn.erase != null) {
            return QuotaKeys.erasing(turn.erase.tenant);
        }
        return keys.of(usage.tenantOf(turn.tenant), turn.thread);
    }
}
