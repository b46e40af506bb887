package dev.agentstream.udfs.cache;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.ScriptedProvider;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachingLlmClientTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Organism ORGANISM = Fixtures.helloWorld();

    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger misses = new AtomicInteger();

    @Test
    void shouldMissFirstThenHitWithZeroTokens() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        CachingLlmClient cache = cache(provider);

        LlmReply first = get(cache.complete(cachedTurn("tenant-a", "hello")));
        LlmReply second = get(cache.complete(cachedTurn("tenant-a", "hello")));

        assertThat(provider.calls()).isEqualTo(1);
        assertThat(first.cacheHit()).isFalse();
        assertThat(first.promptTokens()).isEqualTo(100);
        assertThat(second.cacheHit()).isTrue();
        assertThat(second.text()).isEqualTo(first.text());
        assertThat(second.promptTokens()).isZero();
        assertThat(second.completionTokens()).isZero();
        assertThat(misses).hasValue(1);
        assertThat(hits).hasValue(1);
    }

    @Test
    void shouldMissAgainOnceTheTtlHasPassed() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        CachingLlmClient cache = cache(provider);
        get(cache.complete(cachedTurn("tenant-a", "hello")));

        clock.addAndGet(TTL.minusSeconds(1).toNanos());
        assertThat(get(cache.complete(cachedTurn("tenant-a", "hello"))).cacheHit()).isTrue();

        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(get(cache.complete(cachedTurn("tenant-a", "hello"))).cacheHit()).isFalse();
        assertThat(provider.calls()).isEqualTo(2);
    }

    @Test
    void shouldShareOneCallAmongIdenticalTurnsInFlight() throws Exception {
        ScriptedProvider provider = ScriptedProvider.holding();
        CachingLlmClient cache = cache(provider);

        CompletableFuture<LlmReply> a = cache.complete(cachedTurn("tenant-a", "hello"));
        CompletableFuture<LlmReply> b = cache.complete(cachedTurn("tenant-a", "hello"));
        CompletableFuture<LlmReply> c = cache.complete(cachedTurn("tenant-a", "hello"));
        awaitCalls(provider, 1);
        provider.pending().get(0).complete(ScriptedProvider.reply("shared", 50, 5));

        assertThat(provider.calls()).isEqualTo(1);
        assertThat(get(a).promptTokens()).isEqualTo(50);
        assertThat(get(b).cacheHit()).isTrue();
        assertThat(get(c).cacheHit()).isTrue();
        assertThat(get(c).text()).isEqualTo("shared");
    }

    @Test
    void shouldNeverAnswerOneTenantFromAnother() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        CachingLlmClient cache = cache(provider);
        Turn a = cachedTurn("tenant-a", "hello");
        Turn b = cachedTurn("tenant-b", "hello");

        get(cache.complete(a));
        LlmReply other = get(cache.complete(b));

        assertThat(a.cacheKey).isNotEqualTo(b.cacheKey).startsWith("tenant-a:");
        assertThat(other.cacheHit()).isFalse();
        assertThat(provider.calls()).isEqualTo(2);
    }

    @Test
    void shouldMissWhenAnyMessageOrParameterDiffers() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        CachingLlmClient cache = cache(provider);
        get(cache.complete(cachedTurn("tenant-a", "hello")));

        Turn longer = cachedTurn("tenant-a", "hello");
        longer.maxTokens = 99;
        longer.cacheKey = CacheKeys.of(longer, ORGANISM.llm().backends());

        assertThat(get(cache.complete(cachedTurn("tenant-a", "hello!"))).cacheHit()).isFalse();
        assertThat(get(cache.complete(longer)).cacheHit()).isFalse();
        assertThat(provider.calls()).isEqualTo(3);
    }

    @Test
    void shouldKeepNeitherFailuresNorRefusals() throws Exception {
        AtomicInteger n = new AtomicInteger();
        ScriptedProvider provider =
                ScriptedProvider.answering()
                        .answer(
                                turn ->
                                        n.incrementAndGet() == 1
                                                ? CompletableFuture.failedFuture(
                                                        new LlmCallException(503, "down"))
                                                : CompletableFuture.completedFuture(refusal()));
        CachingLlmClient cache = cache(provider);

        assertThatThrownBy(() -> get(cache.complete(cachedTurn("tenant-a", "hello"))))
                .hasCauseInstanceOf(LlmCallException.class);
        assertThat(get(cache.complete(cachedTurn("tenant-a", "hello"))).refused()).isTrue();
        assertThat(get(cache.complete(cachedTurn("tenant-a", "hello"))).cacheHit()).isFalse();
        assertThat(provider.calls()).isEqualTo(3);
    }

    @Test
    void shouldPassTurnsOfAgentsThatDoNotCacheStraightThrough() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        CachingLlmClient cache = cache(provider);

        get(cache.complete(Fixtures.turn()));
        get(cache.complete(Fixtures.turn()));

        assertThat(provider.calls()).isEqualTo(2);
        assertThat(hits).hasValue(0);
        assertThat(misses).hasValue(0);
    }

    @Test
    void shouldLetOthersKeepTheSharedCallWhenOneTurnIsCancelled() throws Exception {
        ScriptedProvider provider = ScriptedProvider.holding();
        CachingLlmClient cache = cache(provider);
        CompletableFuture<LlmReply> timedOut = cache.complete(cachedTurn("tenant-a", "hello"));
        CompletableFuture<LlmReply> waiting = cache.complete(cachedTurn("tenant-a", "hello"));
        awaitCalls(provider, 1);

        timedOut.cancel(true);
        provider.pending().get(0).complete(ScriptedProvider.reply("late", 10, 1));

        assertThat(get(waiting).text()).isEqualTo("late");
        assertThat(provider.pending().get(0).isCancelled()).isFalse();
    }

    @Test
    void shouldAnswerFromTheSecondTierAsAHit() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        InMemoryTier tier = new InMemoryTier();
        CachingLlmClient first = cache(provider, tier);
        get(first.complete(cachedTurn("tenant-a", "hello")));

        // Another subtask, with an empty local cache, finds the answer in the shared tier.
        CachingLlmClient second = cache(provider, tier);
        LlmReply fromTier = get(second.complete(cachedTurn("tenant-a", "hello")));

        assertThat(provider.calls()).isEqualTo(1);
        assertThat(fromTier.cacheHit()).isTrue();
        assertThat(fromTier.promptTokens()).isZero();
    }

    @Test
    void shouldEraseOneTenantsEntriesFromBothTiers() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        InMemoryTier tier = new InMemoryTier();
        CachingLlmClient cache = cache(provider, tier);
        get(cache.complete(cachedTurn("acme", "hello")));
        get(cache.complete(cachedTurn("acme", "again")));
        get(cache.complete(cachedTurn("bravo", "hello")));

        CachingLlmClient.Erased erased = cache.eraseTenant("acme", true).get(5, TimeUnit.SECONDS);

        assertThat(erased.localEntries()).isEqualTo(2);
        assertThat(erased.secondTierEntries()).isEqualTo(2);
        assertThat(tier.stored.keySet()).allSatisfy(k -> assertThat(k).startsWith("bravo:"));
        assertThat(get(cache.complete(cachedTurn("bravo", "hello"))).cacheHit()).isTrue();
        assertThat(get(cache.complete(cachedTurn("acme", "hello"))).cacheHit()).isFalse();
    }

    @Test
    void shouldNotStoreAnAnswerLoadedAcrossTheErasure() throws Exception {
        ScriptedProvider provider = ScriptedProvider.holding();
        InMemoryTier tier = new InMemoryTier();
        CachingLlmClient cache = cache(provider, tier);
        CompletableFuture<LlmReply> inFlight = cache.complete(cachedTurn("acme", "hello"));
        awaitCalls(provider, 1);

        cache.eraseTenant("acme", false).get(5, TimeUnit.SECONDS);
        provider.pending().get(0).complete(ScriptedProvider.reply("late", 50, 5));

        assertThat(get(inFlight).text()).isEqualTo("late"); // its caller still gets it
        assertThat(tier.stored).isEmpty();
        CompletableFuture<LlmReply> next = cache.complete(cachedTurn("acme", "hello"));
        awaitCalls(provider, 2); // not from the cache: a call of its own
        provider.pending().get(1).complete(ScriptedProvider.reply("new", 50, 5));
        assertThat(get(next).cacheHit()).isFalse();
    }

    private CachingLlmClient cache(ScriptedProvider provider) {
        return cache(provider, SecondTier.NONE);
    }

    private CachingLlmClient cache(ScriptedProvider provider, SecondTier tier) {
        CachingLlmClient.Counts counts =
                new CachingLlmClient.Counts() {
                    @Override
                    public void hit() {
                        hits.incrementAndGet();
                    }

                    @Override
                    public void miss() {
                        misses.incrementAndGet();
                    }
                };
        return new CachingLlmClient(provider, 100, tier, counts, clock::get);
    }

    private static Turn cachedTurn(String tenant, String input) {
        Turn turn = Fixtures.turn();
        turn.tenant = tenant;
        turn.messages[turn.messages.length - 1].content = input;
        turn.cacheTtlMs = TTL.toMillis();
        turn.cacheKey = CacheKeys.of(turn, ORGANISM.llm().backends());
        return turn;
    }

    private static LlmReply refusal() {
        return new LlmReply("content filter", 40, 0, "m", "r", "content_filter", 0, 0, true);
    }

    private static LlmReply get(CompletableFuture<LlmReply> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    /** Calls start on the cache's executor: wait until the provider has been asked. */
    private static void awaitCalls(ScriptedProvider provider, int calls) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (provider.calls() < calls && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(provider.calls()).isEqualTo(calls);
    }

    /** A second tier in this JVM, as two subtasks would share one in Redis. */
    private static final class InMemoryTier implements SecondTier {
        private final java.util.Map<String, LlmReply> stored =
                new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public CompletableFuture<java.util.Optional<LlmReply>> get(String key) {
            return CompletableFuture.completedFuture(
                    java.util.Optional.ofNullable(stored.get(key)));
        }

        @Override
        public void put(String key, LlmReply reply, Duration ttl) {
            stored.put(key, reply);
        }

        @Override
        public CompletableFuture<Long> deleteByPrefix(String keyPrefix) {
            long before = stored.size();
            stored.keySet().removeIf(k -> k.startsWith(keyPrefix));
            return CompletableFuture.completedFuture(before - stored.size());
        }

        @Override
        public void close() {}
    }
}
