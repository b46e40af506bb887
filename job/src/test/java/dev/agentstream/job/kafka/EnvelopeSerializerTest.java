package dev.agentstream.job.kafka;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.registry.RegistrySettings;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The bus sink's records fit Kafka's default limits whatever the stages let through. */
class EnvelopeSerializerTest {

    private static final String THREAD = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";

    /** Kafka's defaults: the producer's max.request.size, the broker's message.max.bytes. */
    private static final int PRODUCER_MAX_REQUEST = 1024 * 1024;

    private static final int BROKER_MAX_MESSAGE = 1024 * 1024 + 12;

    private final EnvelopeLimits limits = EnvelopeLimits.defaults();

    @Test
    void shouldWriteTheLargestEnvelopeTheStagesLetThroughWithinKafkasLimits(@TempDir Path dir)
            throws Exception {
        EnvelopeSerializer serializer = serializer(dir);
        Envelope largest = envelopeOf(limits.maxOutputBytes());

        ProducerRecord<byte[], byte[]> r = serializer.serialize(largest, null, 7L);

        String value = new String(r.value(), StandardCharsets.UTF_8);
        assertThat(value.contains("<p>xxx") && !value.contains("huh")).as("written whole").isTrue();
        assertThat(r.value().length).isGreaterThan(limits.maxOutputBytes());
        assertThat(estimate(r)).isLessThanOrEqualTo(PRODUCER_MAX_REQUEST);
        assertThat(estimate(r)).isLessThanOrEqualTo(BROKER_MAX_MESSAGE);
    }

    @Test
    void shouldWriteAHuhInsteadOfAnEnvelopeTooLargeForTheBus(@TempDir Path dir) throws Exception {
        EnvelopeSerializer serializer = serializer(dir);
        Envelope tooLarge = envelopeOf(limits.maxBytes() - 100);

        ProducerRecord<byte[], byte[]> r = serializer.serialize(tooLarge, null, 7L);

        String value = new String(r.value(), StandardCharsets.UTF_8);
        assertThat(value.contains("<huh") && !value.contains("<p>")).as("a huh instead").isTrue();
        assertThat(estimate(r)).isLessThanOrEqualTo(PRODUCER_MAX_REQUEST);
    }

    /** An envelope whose encoding is about {@code bytes} long, never longer. */
    private Envelope envelopeOf(int bytes) {
        Envelope e = new Envelope("greeter", "console", THREAD, "<Big></Big>", "Big", "");
        e.tenant = "acme";
        int left = bytes - new EnvelopeCodec(limits).encode(e).length;
        // Text nodes have a limit of their own: many paragraphs rather than one.
        StringBuilder xml = new StringBuilder("<Big>");
        while (left > 0) {
            int text = Math.min(left - "<p></p>".length(), 100_000);
            if (text <= 0) {
                break;
            }
            xml.append("<p>").append("x".repeat(text)).append("</p>");
            left -= text + "<p></p>".length();
        }
        e.payloadXml = xml.append("</Big>").toString();
        return e;
    }

    private EnvelopeSerializer serializer(Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "k".repeat(48));
        EnvelopeSerializer s =
                new EnvelopeSerializer(
                        "bus", null, limits, new RegistrySettings(key.toString(), "UNUSED", 3));
        s.open(null, null);
        return s;
    }

    private static int estimate(ProducerRecord<byte[], byte[]> r) {
        return AbstractRecords.estimateSizeInBytesUpperBound(
                RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE,
                r.key(),
                r.value(),
                r.headers().toArray());
    }
}
