package dev.agentstream.devtools.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Starts a real Kafka broker process and runs a transaction through it. */
class KafkaBrokerITCase {

    private static final String TOPIC = "bus";

    @TempDir Path workDir;

    @Test
    void shouldCommitATransactionAndStopTheProcess() throws Exception {
        KafkaBroker broker = KafkaBroker.start(workDir);
        long pid = broker.pid();
        try {
            broker.createTopics(2, TOPIC);
            broker.createTopics(2, TOPIC);

            produceTransactionally(broker.bootstrapServers(), "thread-1", "<Greeting/>");

            assertThat(readCommitted(broker.bootstrapServers(), 1))
                    .extracting(ConsumerRecord::value)
                    .containsExactly("<Greeting/>");
            assertThat(workDir.resolve("server.properties")).exists();
            assertThat(workDir.resolve("data").resolve("meta.properties")).exists();
        } finally {
            broker.close();
        }

        assertThat(broker.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void shouldKeepTopicsWhenTheWorkDirIsReused() throws Exception {
        try (KafkaBroker first = KafkaBroker.start(workDir)) {
            first.createTopics(3, "kept");
        }

        try (KafkaBroker second = KafkaBroker.start(workDir);
                Admin admin =
                        Admin.create(
                                Map.of(
                                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        second.bootstrapServers()))) {
            TopicDescription kept =
                    admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept");
            assertThat(kept.partitions()).hasSize(3);
        }
    }

    @Test
    void shouldExplainAFailedStart() throws Exception {
        Path emptyLib = Files.createDirectories(workDir.resolve("empty-lib"));

        assertThatThrownBy(() -> KafkaBroker.start(workDir.resolve("broker"), emptyLib))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exit code")
                .hasMessageContaining("kafka.tools.StorageTool");
    }

    private static void produceTransactionally(String bootstrap, String key, String value) {
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        "kafka-broker-itcase",
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                        StringSerializer.class,
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                        StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, key, value));
            producer.commitTransaction();
        }
    }

    private static List<ConsumerRecord<String, String>> readCommitted(
            String bootstrap, int expected) {
        Map<String, Object> config =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "kafka-broker-itcase",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                        StringDeserializer.class,
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                        StringDeserializer.class);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }
}
