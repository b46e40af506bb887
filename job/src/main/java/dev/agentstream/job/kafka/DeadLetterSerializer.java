package dev.agentstream.job.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import dev.agentstream.udfs.envelope.DeadLetter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * Writes a dead letter as its original bytes, with the reason code, a short detail, the bus
 * coordinates of the input and, when it is known, its tenant in headers. Keyed by thread when one
 * was read, so a thread's dead letters stay together.
 *
 * <p>The value keeps at most {@code maxOriginalBytes} of the original; a longer one is cut there
 * and {@link #ORIGINAL_SIZE_HEADER} gives its full size. A record the producer or the broker
 * refuses as too large fails the sink, and the job with it, on every restore: the bus may hold
 * records far over the job's own limits (it refuses them as {@code too-large}), and a dead letter
 * adds headers to the largest input it could take.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    public static final String REASON_HEADER = "agentstream.reason";
    public static final String DETAIL_HEADER = "agentstream.detail";
    public static final String SOURCE_HEADER = "agentstream.source";
    public static final String TENANT_HEADER = "agentstream.tenant";

    /** Only on a dead letter whose value was cut: the original's size in bytes, in decimal. */
    public static final String ORIGINAL_SIZE_HEADER = "agentstream.original-size";

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final int maxOriginalBytes;

    public DeadLetterSerializer(String topic, int maxOriginalBytes) {
        checkArgument(maxOriginalBytes > 0, "maxOriginalBytes must be positive");
        this.topic = topic;
        this.maxOriginalBytes = maxOriginalBytes;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, utf8(letter.reason));
        headers.add(DETAIL_HEADER, utf8(letter.detail));
        headers.add(SOURCE_HEADER, utf8(letter.source));
        if (letter.tenant != null) {
            headers.add(TENANT_HEADER, utf8(letter.tenant));
        }
        byte[] value = letter.original == null ? new byte[0] : letter.original;
        if (value.length > maxOriginalBytes) {
            headers.add(ORIGINAL_SIZE_HEADER, utf8(Integer.toString(value.length)));
            value = Arrays.copyOf(value, maxOriginalBytes);
        }
        byte[] key = letter.thread == null ? null : utf8(letter.thread);
        return new ProducerRecord<>(topic, null, timestamp, key, value, headers);
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
