package dev.agentstream.udfs.cache;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;

/**
 * The response cache of one LLM-call subtask: how many answers it keeps (its shard of the job's
 * cache, since the call stage is partitioned by cache key).
 */
public record CacheSettings(long maxEntries) implements Serializable {

    public CacheSettings {
        Preconditions.checkArgument(maxEntries >= 0, "maxEntries must be >= 0: %s", maxEntries);
    }
}
