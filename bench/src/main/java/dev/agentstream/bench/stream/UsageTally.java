package dev.agentstream.bench.stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.udfs.emit.UsageRecord;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The committed usage records of a round, summed: what the round's turns were billed, how many came
 * from the cache, and the call stage's latency of hits and misses apart.
 */
final class UsageTally {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    long turns;
    long ok;
    long cacheHits;
    long inputTokens;
    long outputTokens;
    BigDecimal cost = BigDecimal.ZERO;
    final Histogram hitLatencyMs = new Histogram(3_600_000L, 3);
    final Histogram missLatencyMs = new Histogram(3_600_000L, 3);

    /**
     * Reads {@code topic} read-committed until {@code expected} records of turns whose input was
     * written at {@code sinceMillis} or later came, or time is up; earlier turns (a warm-up
     * phase's) are left out.
     */
    static UsageTally read(
            String bootstrap, String topic, long expected, Duration wait, long sinceMillis)
            throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        UsageTally tally = new UsageTally();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + wait.toNanos();
            while (tally.turns < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    UsageRecord u = JSON.readValue(r.value(), UsageRecord.class);
                    if (u.timestamp >= sinceMillis) {
                        tally.add(u);
                    }
                }
            }
        }
        return tally;
    }

    private void add(UsageRecord u) {
        turns++;
        if ("ok".equals(u.status)) {
            ok++;
        }
        inputTokens += u.inputTokens;
        outputTokens += u.outputTokens;
        if (u.cost != null) {
            cost = cost.add(new BigDecimal(u.cost));
        }
        long latency = Math.max(0, Math.min(u.latencyMs, 3_600_000L));
        if (u.cacheHit) {
            cacheHits++;
            hitLatencyMs.recordValue(latency);
        } else {
            missLatencyMs.recordValue(latency);
        }
    }

    /** The tally as round extras. */
    Map<String, Double> extras() {
        Map<String, Double> x = new HashMap<>();
        x.put("turns", (double) turns);
        x.put("turnsOk", (double) ok);
        x.put("cacheHits", (double) cacheHits);
        x.put("cacheHitRatio", turns == 0 ? Double.NaN : (double) cacheHits / turns);
        x.put("inputTokensPerTurn", turns == 0 ? Double.NaN : (double) inputTokens / turns);
        x.put("outputTokensPerTurn", turns == 0 ? Double.NaN : (double) outputTokens / turns);
        x.put("costPerTurnMicroUsd", turns == 0 ? Double.NaN : micro(cost) / turns);
        x.put("hitCallP50Ms", p50(hitLatencyMs));
        x.put("missCallP50Ms", p50(missLatencyMs));
        return x;
    }

    private static double micro(BigDecimal usd) {
        return usd.movePointRight(6).doubleValue();
    }

    private static double p50(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50);
    }
}
