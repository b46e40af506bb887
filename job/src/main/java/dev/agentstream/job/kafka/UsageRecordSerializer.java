package dev.agentstream.job.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.udfs.emit.UsageRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Writes usage records as JSON, keyed by thread id. */
public final class UsageRecordSerializer implements KafkaRecordSerializationSchema<UsageRecord> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;

    public UsageRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            UsageRecord usage, KafkaSinkContext context, Long timestamp) {
        try {
            return new ProducerRecord<>(
                    topic,
                    null,
                    timestamp,
                    usage.thread.getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(usage));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("usage record cannot be written as JSON", e);
        }
    }
}
