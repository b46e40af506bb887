package dev.agentstream.udfs.cache;

import dev.agentstream.udfs.llm.LlmReply;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A cache shared by every subtask behind the local one (e.g. Redis). It is only ever asked
 * asynchronously, and a tier that fails answers as a miss: the cache never fails a turn.
 */
public interface SecondTier extends AutoCloseable {

    /** No second tier. */
    SecondTier NONE =
            new SecondTier() {
                @Override
                public CompletableFuture<Optional<LlmReply>> get(String key) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }

                @Override
                public void put(String key, LlmReply reply, Duration ttl) {}

                @Override
                public CompletableFuture<Long> deleteByPrefix(String keyPrefix) {
                    return CompletableFuture.completedFuture(0L);
                }

                @Override
                public void close() {}
            };

    /** The answer stored under {@code key}, or empty on a miss or a failure of the tier. */
    CompletableFuture<Optional<LlmReply>> get(String key);

    /** Stores {@code reply} for {@code ttl}, without waiting; a failure is only logged. */
    void put(String key, LlmReply reply, Duration ttl);

    /**
     * Deletes every entry whose cache key starts with {@code keyPrefix} (a tenant's, see {@code
     * CacheKeys#tenantPrefix}), without blocking.
     *
     * @return how many entries it deleted; failed when the tier is away or a command failed
     */
    CompletableFuture<Long> deleteByPrefix(String keyPrefix);
}
