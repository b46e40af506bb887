package dev.agentstream.udfs.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.turn.Turn;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The response cache in front of the router, for the turns of agents that cache ({@link
 * Turn#cacheKey} set): a local Caffeine cache of this subtask's shard of the keys, then an optional
 * {@link SecondTier}, then the router. Identical turns in flight at once share one call (single
 * flight). Only the turn that made the call is billed its tokens; every other gets the answer as a
 * cache hit with zero tokens. Failed calls and refusals are never kept.
 *
 * <p>Cancelling a turn's future (its deadline passed) leaves a shared call running for the others
 * that wait on it; the backend's own timeout bounds it.
 */
public final class CachingLlmClient implements LlmClient {

    /** What the cache counts; called from whichever thread completes a lookup. */
    public interface Counts {
        Counts NONE = new Counts() {};

        default void hit() {}

        default void miss() {}
    }

    /** A stored answer, and how long it lives. */
    private record Entry(LlmReply reply, long ttlNanos, boolean fromSecondTier) {}

    private final LlmClient router;
    private final SecondTier secondTier;
    private final Counts counts;
    private final AsyncCache<String, Entry> local;

    /** Tenant prefix → how often its entries were erased, for loads that began before. */
    private final Map<String, Long> erasures = new ConcurrentHashMap<>();

    public CachingLlmClient(
            LlmClient router, long maxEntries, SecondTier secondTier, Counts counts) {
        this(router, maxEntries, secondTier, counts, Ticker.systemTicker());
    }

    /** With the clock the entries' TTLs are read from; tests pass their own. */
    CachingLlmClient(
            LlmClient router,
            long maxEntries,
            SecondTier secondTier,
            Counts counts,
            Ticker ticker) {
        this.router = router;
        this.secondTier = secondTier;
        this.counts = counts;
        this.local =
                Caffeine.newBuilder()
                        .maximumSize(maxEntries)
                        .expireAfter(new EntryTtl())
                        .ticker(ticker)
                        .buildAsync();
    }

    @Override
    public CompletableFuture<LlmReply> complete(Turn turn) {
        if (turn.cacheKey == null || turn.cacheTtlMs <= 0) {
            return router.complete(turn);
        }
        long generation = erasures.getOrDefault(CacheKeys.tenantPrefix(turn.tenant), 0L);
        boolean[] leader = {false};
        CompletableFuture<Entry> shared =
                local.get(
                        turn.cacheKey,
                        (key, executor) -> {
                            leader[0] = true;
                            // Started outside the cache's own lock, on the cache's executor.
                            return CompletableFuture.supplyAsync(
                                            () -> load(turn, generation), executor)
                                    .thenCompose(loading -> loading);
                        });
        boolean madeTheCall = leader[0];
        // A dependent future per turn: cancelling one turn never cancels the others' call.
        return shared.handle(
                (entry, error) -> {
                    if (error != null) {
                        // Gone before anyone hears of it, so that the next turn calls again.
                        local.asMap().remove(turn.cacheKey, shared);
                        throw error instanceof CompletionException c
                                ? c
                                : new CompletionException(error);
                    }
                    boolean hit = !madeTheCall || entry.fromSecondTier();
                    if (hit) {
                        counts.hit();
                    } else {
                        counts.miss();
                    }
                    return hit ? entry.reply().asCacheHit() : entry.reply();
                });
    }

    /** What one subtask's erasure of a tenant cleared from the cache. */
    public record Erased(long localEntries, long secondTierEntries) {}

    /**
     * Drops every entry of {@code tenant} from this shard (answers being loaded included: their
     * callers still get them, nobody else will), and, when {@code secondTierToo}, from the second
     * tier (one subtask does it for all). A load that began before the erasure and ends after it
     * does not store its answer in the second tier. Exact when called on the thread that calls
     * {@link #complete} for cached turns, as the LLM-call stage does (its task thread).
     *
     * @return what was dropped; failed when the second tier could not be cleared
     */
    public CompletableFuture<Erased> eraseTenant(String tenant, boolean secondTierToo) {
        String prefix = CacheKeys.tenantPrefix(tenant);
        erasures.merge(prefix, 1L, Long::sum);
        long local = 0;
        for (Iterator<String> keys = this.local.asMap().keySet().iterator(); keys.hasNext(); ) {
            if (keys.next().startsWith(prefix)) {
                keys.remove();
                local++;
            }
        }
        long dropped = local;
        if (!secondTierToo) {
            return CompletableFuture.completedFuture(new Erased(dropped, 0));
        }
        return secondTier.deleteByPrefix(prefix).thenApply(n -> new Erased(dropped, n));
    }

    private boolean erasedSince(Turn turn, long generation) {
        return erasures.getOrDefault(CacheKeys.tenantPrefix(turn.tenant), 0L) != generation;
    }

    /** A local miss: the second tier, else the router; a good answer goes to the second tier. */
    private CompletableFuture<Entry> load(Turn turn, long generation) {
        long ttlNanos = TimeUnit.MILLISECONDS.toNanos(turn.cacheTtlMs);
        return secondTier
                .get(turn.cacheKey)
                .exceptionally(failed -> Optional.empty())
                .thenCompose(
                        stored -> {
                            if (stored.isPresent()) {
                                return CompletableFuture.completedFuture(
                                        new Entry(stored.get(), ttlNanos, true));
                            }
                            return router.complete(turn)
                                    .thenApply(
                                            reply -> {
                                                if (keepable(reply)
                                                        && !erasedSince(turn, generation)) {
                                                    secondTier.put(
                                                            turn.cacheKey,
                                                            reply,
                                                            Duration.ofMillis(turn.cacheTtlMs));
                                                }
                                                return new Entry(reply, ttlNanos, false);
                                            });
                        });
    }

    private static boolean keepable(LlmReply reply) {
        return !reply.refused() && !reply.text().isEmpty();
    }

    /** Each entry lives as long as its turn's agent says; a refusal not at all. */
    private static final class EntryTtl implements Expiry<String, Entry> {
        @Override
        public long expireAfterCreate(String key, Entry entry, long now) {
            return keepable(entry.reply()) ? entry.ttlNanos() : 0;
        }

        @Override
        public long expireAfterUpdate(String key, Entry entry, long now, long current) {
            return expireAfterCreate(key, entry, now);
        }

        @Override
        public long expireAfterRead(String key, Entry entry, long now, long current) {
            return current;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            router.close();
        } finally {
            secondTier.close();
        }
    }
}
