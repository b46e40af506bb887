package dev.agentstream.devtools;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
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
     * Writes every value to {@code topic} without a key, in order, through one producer that takes
     * records of up to {@code maxRecordBytes}; returns where each landed, as the job names an
     * input: {@code topic-partition-offset}.
     */
    List<String> sendAll(String topic, List<byte[]> values, int maxRecordBytes) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(values.size());
        try (var producer =
                new KafkaProducer<>(
                        Map.<String, Object>of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ProducerConfig.ACKS_CONFIG,
                                "all",
                                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                maxRecordBytes,
                                ProducerConfig.BUFFER_MEMORY_CONFIG,
                                4L * maxRecordBytes,
                                ProducerConfig.LINGER_MS_CONFIG,
                                5),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (byte[] value : values) {
                sent.add(producer.send(new ProducerRecord<>(topic, null, value)));
            }
            producer.flush();
        }
        List<String> coordinates = new ArrayList<>(sent.size());
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata m = f.get();
            coordinates.add(m.topic() + "-" + m.partition() + "-" + m.offset());
        }
        return coordinates;
    }

    /**
     * Hands every committed record of {@code topics} to {@code each}, from the start, until {@code
     * done} says so or the timeout passes; true when {@code done} said so.
     */
    boolean readEach(
            List<String> topics,
            Consumer<ConsumerRecord<byte[], byte[]>> each,
            BooleanSupplier done,
            Duration timeout) {
        try (var consumer = committedConsumer()) {
            consumer.subscribe(topics);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() >= deadline) {
                    return false;
                }
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
            return true;
        }
    }

    /** Every committed record of {@code topic}, from the start to its end as it is now. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (var consumer = committedConsumer()) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
        }
        return seen;
    }

    private KafkaConsumer<byte[], byte[]> committedConsumer() {
        return new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "test-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
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
