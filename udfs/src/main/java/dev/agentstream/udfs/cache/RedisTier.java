package dev.agentstream.udfs.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.udfs.llm.LlmReply;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The response cache's shared tier in Redis or Valkey, through Lettuce's asynchronous API. The
 * connection is opened in the background: until it is up, and whenever Redis is away or slow, a
 * lookup answers as a miss and a store is skipped, so the tier can never hold a turn back for
 * longer than its command timeout. Answers are stored as JSON under {@code <prefix><cache key>}
 * with the entry's TTL.
 */
public final class RedisTier implements SecondTier {

    private static final Logger LOG = LoggerFactory.getLogger(RedisTier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WARN_EVERY_MS = 60_000;

    /** Keys one SCAN step looks at (its COUNT hint). */
    private static final int SCAN_PAGE = 500;

    private final RedisClient client;
    private final String prefix;
    private final CompletableFuture<StatefulRedisConnection<String, byte[]>> connection;
    private final AtomicLong lastWarning = new AtomicLong();

    /**
     * Connects to {@code uri} in the background.
     *
     * @param uri e.g. {@code redis://127.0.0.1:6379/0}; a password in it is never logged
     * @param timeout how long one command may take before it counts as a miss
     */
    public RedisTier(String uri, String prefix, Duration timeout) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(timeout);
        this.prefix = prefix;
        this.client = RedisClient.create();
        client.setOptions(
                ClientOptions.builder()
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .timeoutOptions(TimeoutOptions.enabled(timeout))
                        .build());
        RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
        this.connection = client.connectAsync(codec, redisUri).toCompletableFuture();
        connection.whenComplete(
                (c, e) -> {
                    if (e != null) {
                        warn("cannot connect to the cache's Redis tier", e);
                    } else {
                        LOG.info(
                                "response cache: Redis tier connected at {}:{}",
                                redisUri.getHost(),
                                redisUri.getPort());
                    }
                });
    }

    @Override
    public CompletableFuture<Optional<LlmReply>> get(String key) {
        StatefulRedisConnection<String, byte[]> c = connected();
        if (c == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return c.async()
                .get(prefix + key)
                .toCompletableFuture()
                .handle(
                        (bytes, error) -> {
                            if (error != null) {
                                warn("Redis tier lookup failed; counted as a miss", error);
                                return Optional.empty();
                            }
                            return bytes == null ? Optional.<LlmReply>empty() : decode(bytes);
                        });
    }

    @Override
    public void put(String key, LlmReply reply, Duration ttl) {
        StatefulRedisConnection<String, byte[]> c = connected();
        if (c == null || ttl.toMillis() <= 0) {
            return;
        }
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(reply);
        } catch (IOException e) {
            warn("cannot encode an answer for the Redis tier", e);
            return;
        }
        c.async()
                .set(prefix + key, value, SetArgs.Builder.px(ttl.toMillis()))
                .whenComplete(
                        (ok, error) -> {
                            if (error != null) {
                                warn("Redis tier store failed", error);
                            }
                        });
    }

    /**
     * Deletes the entries under {@code <prefix><keyPrefix>*}: SCAN with a MATCH, a page at a time
     * (never KEYS, which blocks Redis), each page's keys UNLINKed (freed off Redis' main thread).
     */
    @Override
    public CompletableFuture<Long> deleteByPrefix(String keyPrefix) {
        StatefulRedisConnection<String, byte[]> c = connected();
        if (c == null) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("the Redis tier is not connected"));
        }
        ScanArgs match = ScanArgs.Builder.matches(prefix + keyPrefix + "*").limit(SCAN_PAGE);
        return deleteFrom(c.async(), ScanCursor.INITIAL, match, 0);
    }

    private CompletableFuture<Long> deleteFrom(
            RedisAsyncCommands<String, byte[]> redis, ScanCursor cursor, ScanArgs match, long n) {
        return redis.scan(cursor, match)
                .toCompletableFuture()
                .thenCompose(
                        page -> {
                            CompletableFuture<Long> unlinked =
                                    page.getKeys().isEmpty()
                                            ? CompletableFuture.completedFuture(0L)
                                            : redis.unlink(page.getKeys().toArray(new String[0]))
                                                    .toCompletableFuture();
                            return unlinked.thenCompose(
                                    deleted ->
                                            page.isFinished()
                                                    ? CompletableFuture.completedFuture(n + deleted)
                                                    : deleteFrom(redis, page, match, n + deleted));
                        });
    }

    /** True once the background connection is up. */
    public boolean isConnected() {
        StatefulRedisConnection<String, byte[]> c = connected();
        return c != null && c.isOpen();
    }

    private StatefulRedisConnection<String, byte[]> connected() {
        return connection.isDone() && !connection.isCompletedExceptionally()
                ? connection.join()
                : null;
    }

    private Optional<LlmReply> decode(byte[] bytes) {
        try {
            return Optional.of(JSON.readValue(bytes, LlmReply.class));
        } catch (IOException e) {
            warn("unreadable entry in the Redis tier; counted as a miss", e);
            return Optional.empty();
        }
    }

    /** Warns at most once a minute: a Redis outage must not flood the log. */
    private void warn(String what, Throwable e) {
        long now = System.currentTimeMillis();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_MS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("{}: {}", what, e.toString());
        }
    }

    @Override
    public void close() {
        connection.thenAccept(StatefulRedisConnection::closeAsync);
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
