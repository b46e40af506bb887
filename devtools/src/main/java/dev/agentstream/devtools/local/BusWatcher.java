package dev.agentstream.devtools.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.registry.SentRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads what the job writes (the agents' envelopes on the bus, usage records, dead letters) with
 * {@code read_committed}, prints it as it arrives, and keeps the usage totals.
 */
final class BusWatcher implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Topics topics;
    private final Organism organism;
    private final PrintStream out;
    private final EnvelopeCodec codec = new EnvelopeCodec(EnvelopeLimits.defaults());
    private final UsageSummary usage = new UsageSummary();
    private int answers;
    private int deadLetters;

    record Topics(String bus, String usage, String deadLetters) {}

    BusWatcher(String bootstrap, Topics topics, Organism organism, PrintStream out) {
        this.topics = topics;
        this.organism = organism;
        this.out = out;
        this.consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                                ConsumerConfig.GROUP_ID_CONFIG, "agentstream-local-watcher",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics.bus(), topics.usage(), topics.deadLetters()));
    }

    /** Polls once; returns how many records of the job's own output arrived. */
    int poll(Duration timeout) throws IOException {
        int seen = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            if (record.topic().equals(topics.usage())) {
                usage.add(JSON.readTree(record.value()));
                seen++;
            } else if (record.topic().equals(topics.deadLetters())) {
                deadLetters++;
                seen++;
                out.printf(
                        "  dead letter  %s: %s%n",
                        header(record, "agentstream.reason"), header(record, "agentstream.detail"));
            } else if (printIfAnswer(record.value())) {
                answers++;
                seen++;
            }
        }
        return seen;
    }

    private boolean printIfAnswer(byte[] value) {
        Envelope envelope;
        try {
            envelope = codec.decode(value);
        } catch (EnvelopeException e) {
            return false; // bad input on the bus: the job reports it as a dead letter
        }
        boolean record = SentRecord.ELEMENT.equals(envelope.payloadRoot);
        if (!organism.isAgent(envelope.from) || record) {
            return false; // a call's record repeats the call printed from its subthread
        }
        String hop =
                envelope.metaExtensions.contains("kind=\"call\"")
                        ? " (call, new subthread)"
                        : envelope.metaExtensions.contains("kind=\"answer\"")
                                ? " (answer, back to the caller's thread)"
                                : "";
        out.printf(
                "  [%s] %s -> %s%s: %s%n",
                envelope.thread.substring(0, 8),
                envelope.from,
                envelope.to,
                hop,
                envelope.payloadXml);
        return true;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    UsageSummary usage() {
        return usage;
    }

    int answers() {
        return answers;
    }

    int deadLetters() {
        return deadLetters;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
