package dev.agentstream.job.kafka;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Writes envelopes to the bus as XML, keyed by thread id so that a thread keeps its partition. */
public final class EnvelopeSerializer implements KafkaRecordSerializationSchema<Envelope> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeSerializer.class);

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
                encodeOrExplain(envelope));
    }

    /**
     * The envelope's bytes; for one that cannot be written within the limits (every stage checks
     * before this one, so it should never happen), a {@code <huh>} to its recipient in its place,
     * because a serializer that throws fails the job on every restore.
     */
    private byte[] encodeOrExplain(Envelope envelope) {
        try {
            byte[] bytes = codec.encode(envelope);
            if (bytes.length <= limits.maxBytes()) {
                return bytes;
            }
        } catch (IllegalArgumentException unwritable) {
            // explained below
        }
        LOG.warn("An envelope on thread {} could not be written to the bus", envelope.thread);
        String huh =
                SystemPayloads.huh(
                        "pipeline-failure",
                        "an envelope from the job could not be written within the bus limits",
                        "",
                        "",
                        envelope.payloadRoot == null ? "" : envelope.payloadRoot,
                        Instant.now());
        Envelope error =
                new Envelope(
                        SystemPayloads.JOB_SENDER,
                        envelope.to,
                        envelope.thread,
                        huh,
                        "huh",
                        SystemPayloads.SYSTEM_NS);
        return codec.encode(error);
    }
}
