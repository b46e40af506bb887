package dev.agentstream.devtools.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.devtools.kafka.BrokerOption;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Exports the usage topic as Stripe meter events, one JSON object a line, for Stripe's meter event
 * API or its bulk upload. Reads {@code read_committed} from the beginning to the end each partition
 * has when the command starts, so that only what the job committed is billed and the export ends;
 * talks to no one but Kafka. Progress and a summary go to stderr.
 *
 * <pre>{@code
 * java -cp 'devtools/target/agentstream-devtools.jar:devtools/target/lib/*' \
 *     dev.agentstream.devtools.billing.StripeExport --bootstrap-servers 127.0.0.1:9092 \
 *     --topic agentstream.usage --customers customers.properties --output meter-events.jsonl
 * }</pre>
 */
@Command(
        name = "stripe-export",
        mixinStandardHelpOptions = true,
        description = "Writes the committed usage records of a topic as Stripe meter events.")
public final class StripeExport implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROGRESS_EVERY_MS = 250;

    @Mixin BrokerOption broker;

    @Option(
            names = "--topic",
            defaultValue = "agentstream.usage",
            description = "The usage topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--output",
            required = true,
            description = "File of meter events, one JSON object a line; '-' for stdout.")
    String output;

    @Option(
            names = "--event-name",
            defaultValue = "agentstream_tokens",
            description = "The meter's event name (default: ${DEFAULT-VALUE}).")
    String eventName;

    @Option(
            names = "--customers",
            description =
                    "Properties file of tenant=stripe customer id; tenants not in it are skipped."
                            + " Without it the tenant is the customer id.")
    Path customers;

    /** What one run read and wrote. */
    record Summary(long read, long written, Map<String, Long> skipped) {}

    private Summary summary;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StripeExport()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        MeterEvents events = new MeterEvents(eventName, customerMap());
        PrintStream err = System.err;
        try (Writer out = writer();
                KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            summary = export(consumer, events, out, err);
        }
        err.printf(
                "%nRead %d usage records from %s, wrote %d meter events to %s.%n",
                summary.read(), topic, summary.written(), output);
        summary.skipped()
                .forEach((reason, count) -> err.printf("  skipped %d: %s%n", count, reason));
        return 0;
    }

    Summary summary() {
        return summary;
    }

    private Summary export(
            KafkaConsumer<byte[], byte[]> consumer, MeterEvents events, Writer out, PrintStream err)
            throws IOException {
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map((PartitionInfo p) -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        // read_committed: the end is the last stable offset, past which nothing is committed yet.
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        long expected = 0;
        for (TopicPartition p : partitions) {
            expected += end.get(p) - begin.get(p);
        }
        long read = 0;
        long written = 0;
        Map<String, Long> skipped = new TreeMap<>();
        long lastProgress = 0;
        while (!atEnd(consumer, partitions, end)) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset()
                        >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                    continue; // committed after the start: the next export's
                }
                read++;
                MeterEvents.Result result = events.map(parse(record.value()));
                if (result.event().isPresent()) {
                    out.write(JSON.writeValueAsString(result.event().get()));
                    out.write('\n');
                    written++;
                } else {
                    skipped.merge(result.skipped(), 1L, Long::sum);
                }
            }
            long now = System.currentTimeMillis();
            if (now - lastProgress >= PROGRESS_EVERY_MS) {
                lastProgress = now;
                err.printf("\rread %d of at most %d records, %d events", read, expected, written);
            }
        }
        err.printf("\rread %d of at most %d records, %d events", read, expected, written);
        return new Summary(read, written, skipped);
    }

    private static boolean atEnd(
            KafkaConsumer<byte[], byte[]> consumer,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> end) {
        for (TopicPartition p : partitions) {
            if (consumer.position(p) < end.get(p)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode parse(byte[] value) {
        try {
            return value == null ? JSON.createObjectNode() : JSON.readTree(value);
        } catch (IOException notJson) {
            return JSON.createObjectNode();
        }
    }

    private Optional<Map<String, String>> customerMap() throws IOException {
        if (customers == null) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(customers, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, String> map = new HashMap<>();
        p.stringPropertyNames().forEach(tenant -> map.put(tenant, p.getProperty(tenant).strip()));
        return Optional.of(map);
    }

    private Writer writer() throws IOException {
        return "-".equals(output)
                ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : Files.newBufferedWriter(Path.of(output), StandardCharsets.UTF_8);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "stripe-export-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(
                config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
