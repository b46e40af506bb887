package dev.agentstream.udfs.cache;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;
import java.time.Duration;

/**
 * The response cache of one LLM-call subtask: how many answers it keeps (its shard of the job's
 * cache, since the call stage is partitioned by cache key), and the optional shared Redis tier.
 *
 * @param redisUri the Redis or Valkey tier, e.g. {@code redis://127.0.0.1:6379/0}; empty for none
 * @param redisTimeout how long a Redis command may take before it counts as a miss
 */
public record CacheSettings(long maxEntries, String redisUri, Duration redisTimeout)
        implements Serializable {

    /** Where every cache entry lives in Redis; the cache key (tenant first) follows. */
    public static final String REDIS_PREFIX = "agentstream:cache:";

    public CacheSettings {
        Preconditions.checkArgument(maxEntries >= 0, "maxEntries must be >= 0: %s", maxEntries);
        redisUri = redisUri == null ? "" : redisUri.strip();
        Preconditions.checkArgument(
                redisUri.isEmpty()
                        || redisUri.startsWith("redis://")
                        || redisUri.startsWith("rediss://"),
                "the Redis tier's URI must start with redis:// or rediss://");
    }

    /** A local cache only. */
    public CacheSettings(long maxEntries) {
        this(maxEntries, "", Duration.ofMillis(200));
    }

    /** The shared tier these settings name, connecting in the background; NONE without one. */
    public SecondTier secondTier() {
        return redisUri.isEmpty()
                ? SecondTier.NONE
                : new RedisTier(redisUri, REDIS_PREFIX, redisTimeout);
    }
}
