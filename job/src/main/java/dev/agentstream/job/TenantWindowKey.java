package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.billing.BillingKeys;
import dev.agentstream.udfs.billing.UsageWindows;
import dev.agentstream.udfs.emit.UsageRecord;

/** Keys usage records by tenant, then the start of their minute: one key per totals window. */
final class TenantWindowKey implements KeySelector<UsageRecord, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(UsageRecord usage) {
        return BillingKeys.of(usage.tenant, Long.toString(UsageWindows.start(usage.timestamp)));
    }
}
