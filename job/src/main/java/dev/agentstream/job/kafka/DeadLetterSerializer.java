package dev.agentstream.job.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import dev.agentstream.udfs.envelope.DeadLetter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * Writes a dead letter as its original bytes, with the reason code, a short detail, the bus
 * coordinates of the input and, when it is known, its tenant in headers. Keyed by thread when one
 * was read, so a thread's dead letters stay together.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    public static final String REASON_HEADER = "agentstream.reason";
    public static final String DETAIL_HEADER = "agentstream.detail";
    public static final String SOURCE_HEADER = "agentstream.source";
    public static final String TENANT_HEADER = "agentstream.tenant";

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
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
        byte[] key = letter.thread == null ? null : utf8(letter.thread);
        byte[] value = letter.original == null ? new byte[0] : letter.original;
        return new ProducerRecord<>(topic, null, timestamp, key, value, headers);
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
