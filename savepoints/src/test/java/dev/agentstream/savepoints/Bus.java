package dev.agentstream.savepoints;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The Kafka side of the savepoint tests: sends envelopes, reads the job's, and reads offsets. */
final class Bus implements AutoCloseable {

    private static final EnvelopeCodec CODEC = new EnvelopeCodec(EnvelopeLimits.defaults());

    /** One record read back, with the envelope it holds when it holds one. */
    record Received(ConsumerRecord<byte[], byte[]> record, Optional<Envelope> envelope) {
        String header(String name) {
            var h = record.headers().lastHeader(name);
            return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    }

    private final String bootstrap;
    private final KafkaProducer<byte[], byte[]> producer;

    Bus(String bootstrap) {
        this.bootstrap = bootstrap;
        this.producer =
                new KafkaProducer<>(
                        Map.<String, Object>of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
    }

    void send(String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, bytes(key), bytes(value))).get();
    }

    /** Writes {@code count} records to one partition: the first offsets a restore skips. */
    void pad(String topic, int partition, long count) throws Exception {
        for (long i = 0; i < count; i++) {
            producer.send(
                    new ProducerRecord<>(topic, partition, null, bytes("savepoint-padding " + i)));
        }
        producer.flush();
    }

    /**
     * Reads the committed records of {@code topics} from the start until {@code done} accepts what
     * was read, or the timeout passes; returns what was read either way.
     */
    List<Received> readUntil(
            List<String> topics, Predicate<List<Received>> done, Duration timeout) {
        List<Received> seen = new ArrayList<>();
        try (var consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic)
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(seen) && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(new Received(record, decode(record.value())));
                }
            }
        }
        return seen;
    }

    /** The offsets the consumer group committed, per topic and partition. */
    Map<String, Map<Integer, Long>> committed(String groupId) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            Map<String, Map<Integer, Long>> out = new TreeMap<>();
            offsets.forEach(
                    (tp, offset) -> {
                        if (offset != null) {
                            out.computeIfAbsent(tp.topic(), t -> new TreeMap<>())
                                    .put(tp.partition(), offset.offset());
                        }
                    });
            return out;
        }
    }

    /** Deletes the topics among {@code names} that exist, and waits until they are gone. */
    void deleteTopics(List<String> names) throws Exception {
        try (Admin admin = admin()) {
            var existing = admin.listTopics().names().get();
            List<String> present = names.stream().filter(existing::contains).toList();
            admin.deleteTopics(present).all().get();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (admin.listTopics().names().get().stream().anyMatch(present::contains)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics not deleted: " + present);
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        "false"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private static Optional<Envelope> decode(byte[] value) {
        try {
            return Optional.of(CODEC.decode(value));
        } catch (EnvelopeException | RuntimeException notAnEnvelope) {
            return Optional.empty();
        }
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
