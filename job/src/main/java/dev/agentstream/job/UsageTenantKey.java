package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.emit.UsageRecord;

/** Keys usage records by the tenant that pays for them. */
final class UsageTenantKey implements KeySelector<UsageRecord, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(UsageRecord usage) {
        return usage.tenant;
    }
}
