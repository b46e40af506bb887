package dev.agentstream.devtools.cache;

import dev.agentstream.devtools.redis.RedisServer;
import dev.agentstream.devtools.sim.LlmSimulator;
import dev.agentstream.udfs.cache.CacheKeys;
import dev.agentstream.udfs.cache.CacheSettings;
import dev.agentstream.udfs.cache.CachingLlmClient;
import dev.agentstream.udfs.cache.RedisTier;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.OpenAiChatClient;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response cache's Redis tier against a real redis-server process on loopback and the LLM
 * simulator over HTTP: two subtasks' caches share answers through it, per tenant, with the TTL, and
 * a Redis that is away only costs misses.
 */
class RedisTierITCase {

    private static final Duration TTL = Duration.ofMinutes(5);

    @TempDir static Path tmp;
    private static RedisServer redis;
    private static LlmSimulator simulator;

    private final java.util.List<AutoCloseable> open = new java.util.ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start(tmp.resolve("redis"), Path.of("target", "redis-bin"));
        simulator = LlmSimulator.start(0);
    }

    @AfterAll
    static void stop() {
        if (simulator != null) {
            simulator.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void flush() {
        try (RedisClient client = RedisClient.create(redis.uri());
                StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().flushall();
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void shouldAnswerOneSubtaskFromWhatAnotherStored() throws Exception {
        CachingLlmClient first = subtask(redis.uri());
        CachingLlmClient second = subtask(redis.uri());
        int before = simulator.requestCount();

        LlmReply called = get(first, turn("tenant-a", "What is the weather?"));
        awaitStored("tenant-a");
        LlmReply shared = get(second, turn("tenant-a", "What is the weather?"));

        assertThat(simulator.requestCount() - before).isEqualTo(1);
        assertThat(called.cacheHit()).isFalse();
        assertThat(called.promptTokens()).isPositive();
        assertThat(shared.cacheHit()).isTrue();
        assertThat(shared.text()).isEqualTo(called.text());
        assertThat(shared.promptTokens()).isZero();
    }

    @Test
    void shouldStoreUnderTheTenantsKeyWithTheAgentsTtl() throws Exception {
        get(subtask(redis.uri()), turn("tenant-a", "hello"));
        awaitStored("tenant-a");

        try (RedisClient client = RedisClient.create(redis.uri());
                StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = c.sync().keys(CacheSettings.REDIS_PREFIX + "*");
            assertThat(keys).hasSize(1);
            assertThat(keys.get(0)).startsWith(CacheSettings.REDIS_PREFIX + "tenant-a:");
            assertThat(c.sync().pttl(keys.get(0))).isPositive().isLessThanOrEqualTo(TTL.toMillis());
        }
    }

    @Test
    void shouldNeverAnswerATenantWithAnotherTenantsEntry() throws Exception {
        get(subtask(redis.uri()), turn("tenant-a", "same question"));
        awaitStored("tenant-a");
        int before = simulator.requestCount();

        LlmReply other = get(subtask(redis.uri()), turn("tenant-b", "same question"));

        assertThat(other.cacheHit()).isFalse();
        assertThat(simulator.requestCount() - before).isEqualTo(1);
    }

    @Test
    void shouldCallTheProviderWhenRedisIsAway() throws Exception {
        CachingLlmClient noRedis = subtask("redis://127.0.0.1:" + closedPort() + "/0");
        int before = simulator.requestCount();

        LlmReply reply = get(noRedis, turn("tenant-a", "anyone there?"));

        assertThat(reply.cacheHit()).isFalse();
        assertThat(reply.text()).isNotEmpty();
        assertThat(simulator.requestCount() - before).isEqualTo(1);
    }

    @Test
    void shouldEraseEveryEntryOfOneTenantAndNoOtherWithScanAndUnlink() throws Exception {
        CachingLlmClient cache = subtask(redis.uri());
        get(cache, turn("tenant-a", "hello"));
        get(cache, turn("tenant-ab", "hello"));
        awaitStored("tenant-a");
        awaitStored("tenant-ab");
        try (RedisClient client = RedisClient.create(redis.uri());
                StatefulRedisConnection<String, String> c = client.connect()) {
            // More than one SCAN page of the tenant's entries.
            for (int i = 0; i < 1_200; i++) {
                c.sync().set(CacheSettings.REDIS_PREFIX + "tenant-a:filler-" + i, "{}");
            }

            CachingLlmClient.Erased erased =
                    cache.eraseTenant("tenant-a", true).get(10, TimeUnit.SECONDS);

            assertThat(erased.localEntries()).isEqualTo(1);
            assertThat(erased.secondTierEntries()).isEqualTo(1_201);
            assertThat(c.sync().keys(CacheSettings.REDIS_PREFIX + "*"))
                    .singleElement()
                    .satisfies(
                            k ->
                                    assertThat(k)
                                            .startsWith(CacheSettings.REDIS_PREFIX + "tenant-ab:"));
        }
        assertThat(get(cache, turn("tenant-ab", "hello")).cacheHit()).isTrue();
    }

    @Test
    void shouldSayWhenRedisIsAwayAtAnErasure() throws Exception {
        CachingLlmClient noRedis = subtask("redis://127.0.0.1:" + closedPort() + "/0");

        assertThat(noRedis.eraseTenant("tenant-a", true))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .withMessageContaining("not connected");
    }

    private CachingLlmClient subtask(String uri) throws Exception {
        RedisTier tier = new RedisTier(uri, CacheSettings.REDIS_PREFIX, Duration.ofMillis(500));
        CachingLlmClient client =
                new CachingLlmClient(
                        new OpenAiChatClient(simulator.baseUrl(), "", Duration.ofSeconds(5)),
                        100,
                        tier,
                        CachingLlmClient.Counts.NONE);
        open.add(client);
        if (uri.equals(redis.uri())) {
            awaitConnected(tier);
        }
        return client;
    }

    /** The tier connects in the background; a first lookup before that is a plain miss. */
    private static void awaitConnected(RedisTier tier) throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!tier.isConnected()) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    /** Stores are not waited for: poll Redis until the tenant's entry is there. */
    private static void awaitStored(String tenant) throws Exception {
        try (RedisClient client = RedisClient.create(redis.uri());
                StatefulRedisConnection<String, String> c = client.connect()) {
            long deadline = System.currentTimeMillis() + 5_000;
            while (c.sync().keys(CacheSettings.REDIS_PREFIX + tenant + ":*").isEmpty()) {
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
    }

    private static Turn turn(String tenant, String question) {
        Turn turn = new Turn();
        turn.thread = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";
        turn.agent = "concierge";
        turn.inputEnvelopeId = "bus-0-" + question.hashCode();
        turn.model = "gpt-4o-mini";
        turn.maxTokens = 64;
        turn.tenant = tenant;
        turn.messages =
                new ChatMessage[] {
                    new ChatMessage(ChatMessage.SYSTEM, "You answer questions."),
                    new ChatMessage(ChatMessage.USER, "<Ask>" + question + "</Ask>")
                };
        turn.cacheTtlMs = TTL.toMillis();
        turn.cacheKey = CacheKeys.of(turn, List.of());
        return turn;
    }

    private static LlmReply get(CachingLlmClient client, Turn turn) throws Exception {
        return client.complete(turn).get(10, TimeUnit.SECONDS);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
