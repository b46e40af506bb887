package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.turn.Turn;

/** Keys turns by (tenant, their conversation's root thread): {@code tenant/root-uuid}. */
final class ConversationKey implements KeySelector<Turn, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(Turn turn) {
        return TenantNames.key(turn.tenant, turn.root);
    }
}
