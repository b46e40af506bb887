package dev.agentstream.job.kafka;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Writes envelopes to the bus as XML, keyed by thread id so that a thread keeps its partition. */
public final class EnvelopeSerializer implements KafkaRecordSerializationSchema<Envelope> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final EnvelopeLimits limits;
    private transient EnvelopeCodec codec;

    public EnvelopeSerializer(String topic, EnvelopeLimits limits) {
        this.topic = topic;
        this.limits = limits;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        codec = new EnvelopeCodec(limits);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Envelope envelope, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                envelope.thread.getBytes(StandardCharsets.UTF_8),
                codec.encode(envelope));
    }
}
