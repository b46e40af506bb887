package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.quota.QuotaKeys;

/** Keys usage records for the quota stage: the key of the turn each one settles. */
final class QuotaUsageKey implements KeySelector<UsageRecord, String> {

    private static final long serialVersionUID = 1L;

    private final QuotaKeys keys;

    QuotaUsageKey(QuotaKeys keys) {
        this.keys = keys;
    }

    @Override
    public String getKey(UsageRecord usage) {
        return keys.of(usage.tenant, usage.thread);
    }
}
