package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.turn.Turn;

/**
 * Keys turns for the LLM call: by cache key when the agent caches (identical requests meet in one
 * subtask's cache; it starts with the tenant), else by (tenant, thread).
 */
final class CallKey implements KeySelector<Turn, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(Turn turn) {
        return turn.cacheKey != null ? turn.cacheKey : TenantNames.key(turn.tenant, turn.thread);
    }
}
