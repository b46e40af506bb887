package dev.agentstream.devtools;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** Test helper that writes records to and reads them from a real broker. */
final class BusClient {

    private final String bootstrap;

    BusClient(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    void send(String topic, String key, String value) throws Exception {
        try (var producer =
                new KafkaProducer<>(
                        Map.<String, Object>of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, k, value.getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }

    /**
     * Reads {@code topic} from the start with read_committed until {@code done} accepts what was
     * read, or the timeout passes; returns what was read either way.
     */
    List<ConsumerRecord<byte[], byte[]>> readUntil(
            String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        return readUntil(topic, done, timeout, true);
    }

    /** As above, reading committed records only or, with {@code committed} false, all. */
    List<ConsumerRecord<byte[], byte[]>> readUntil(
            String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            Duration timeout,
            boolean committed) {
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (var consumer =
                new KafkaConsumer<>(
                        Map.<String, Object>of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "test-" + UUID.randomUUID(),
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                committed ? "read_committed" : "read_uncommitted"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(seen) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
        }
        return seen;
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
