package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.billing.UsageSettings;
import dev.agentstream.udfs.turn.Turn;

/**
 * Keys turns by the tenant that pays for them, as their usage records name it, so that a turn and
 * the record that settles it meet at one key.
 */
final class QuotaKey implements KeySelector<Turn, String> {

    private static final long serialVersionUID = 1L;

    private final UsageSettings usage;

    QuotaKey(UsageSettings usage) {
        this.usage = usage;
    }

    @Override
    public String getKey(Turn turn) {
        return usage.tenantOf(turn.tenant);
    }
}
