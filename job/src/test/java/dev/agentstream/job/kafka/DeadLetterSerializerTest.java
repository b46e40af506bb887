package dev.agentstream.job.kafka;

import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterSerializerTest {

    private static final String THREAD = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";

    /** What KafkaIo gives the dead-letter sink by default: 1000 KiB kept. */
    private static final int KEPT = 1000 * 1024;

    /** Kafka's defaults: the producer's max.request.size, the broker's message.max.bytes. */
    private static final int PRODUCER_MAX_REQUEST = 1024 * 1024;

    private static final int BROKER_MAX_MESSAGE = 1024 * 1024 + 12;

    private final DeadLetterSerializer serializer = new DeadLetterSerializer("dead", KEPT);

    @Test
    void shouldWriteTheOriginalWholeWithItsHeaders() {
        byte[] original = "<message/>".getBytes(StandardCharsets.UTF_8);

        ProducerRecord<byte[], byte[]> r = serializer.serialize(letter(original), null, 7L);

        assertThat(r.topic()).isEqualTo("dead");
        assertThat(r.key()).isEqualTo(THREAD.getBytes(StandardCharsets.UTF_8));
        assertThat(r.value()).isEqualTo(original);
        assertThat(header(r, DeadLetterSerializer.REASON_HEADER)).isEqualTo("too-large");
        assertThat(header(r, DeadLetterSerializer.SOURCE_HEADER)).isEqualTo("bus-1-42");
        assertThat(header(r, DeadLetterSerializer.TENANT_HEADER)).isEqualTo("acme");
        assertThat(r.headers().lastHeader(DeadLetterSerializer.ORIGINAL_SIZE_HEADER)).isNull();
    }

    @Test
    void shouldCutAnOriginalOverTheLimitAndSayHowLargeItWas() {
        byte[] original = new byte[10 * 1024 * 1024];
        Arrays.fill(original, (byte) 'A');

        ProducerRecord<byte[], byte[]> r = serializer.serialize(letter(original), null, 7L);

        assertThat(r.value()).hasSize(KEPT);
        assertThat(header(r, DeadLetterSerializer.ORIGINAL_SIZE_HEADER))
                .isEqualTo(String.valueOf(original.length));
        assertThat(r.value()).isEqualTo(Arrays.copyOf(original, KEPT));
    }

    /**
     * The largest input the bus could hold under Kafka's defaults, refused by the job: its dead
     * letter, headers and all, still fits the producer's and the broker's default limits.
     */
    @Test
    void shouldFitTheDefaultKafkaLimitsWhateverTheInput() {
        for (int size : new int[] {KEPT, BROKER_MAX_MESSAGE, 10 * 1024 * 1024}) {
            DeadLetter letter = letter(new byte[size]);
            letter.detail = "d".repeat(2_000);
            letter.source = "t".repeat(249) + "-2147483647-9223372036854775807";

            ProducerRecord<byte[], byte[]> r = serializer.serialize(letter, null, 7L);

            int estimate =
                    AbstractRecords.estimateSizeInBytesUpperBound(
                            RecordBatch.CURRENT_MAGIC_VALUE,
                            CompressionType.NONE,
                            r.key(),
                            r.value(),
                            r.headers().toArray());
            assertThat(estimate).isLessThanOrEqualTo(PRODUCER_MAX_REQUEST);
            assertThat(estimate).isLessThanOrEqualTo(BROKER_MAX_MESSAGE);
        }
    }

    @Test
    void shouldWriteAnEmptyValueForALetterWithoutOriginal() {
        ProducerRecord<byte[], byte[]> r = serializer.serialize(letter(null), null, 7L);

        assertThat(r.value()).isEmpty();
        assertThat(r.headers().lastHeader(DeadLetterSerializer.ORIGINAL_SIZE_HEADER)).isNull();
    }

    private static DeadLetter letter(byte[] original) {
        return new DeadLetter(DeadLetterReason.TOO_LARGE, "too large", "bus-1-42", THREAD, original)
                .withTenant("acme");
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
