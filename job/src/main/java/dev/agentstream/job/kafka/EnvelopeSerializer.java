package dev.agentstream.job.kafka;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.tenant.TenantStamps;
import dev.agentstream.udfs.tenant.TenantXml;
import dev.agentstream.udfs.tenant.TopicTemplate;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes envelopes to the bus as XML, keyed by thread id so that a thread keeps its partition. This
 * is the one place where the job's envelopes get their tenant stamp (see {@link TenantStamps}),
 * signed with the registry key the writer reads when it opens; with a topic template each envelope
 * goes to its tenant's topic.
 */
public final class EnvelopeSerializer implements KafkaRecordSerializationSchema<Envelope> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeSerializer.class);

    private final String topic;
    private final TopicTemplate template;
    private final EnvelopeLimits limits;
    private final RegistrySettings registry;
    private transient EnvelopeCodec codec;
    private transient TenantStamps stamps;

    /**
     * @param topic the bus topic, or where an envelope without a usable tenant goes when {@code
     *     template} is set
     * @param template the per-tenant bus topics, or null for {@code topic} alone
     * @param registry settings of the key the stamps are signed with
     */
    public EnvelopeSerializer(
            String topic,
            TopicTemplate template,
            EnvelopeLimits limits,
            RegistrySettings registry) {
        this.topic = topic;
        this.template = template;
        this.limits = limits;
        this.registry = registry;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        codec = new EnvelopeCodec(limits);
        stamps = new TenantStamps(registry.loadKey(), new TenantXml(limits));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Envelope envelope, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topicOf(envelope),
                null,
                timestamp,
                envelope.thread.getBytes(StandardCharsets.UTF_8),
                encodeOrExplain(envelope));
    }

    private String topicOf(Envelope envelope) {
        if (template == null) {
            return topic;
        }
        if (!TenantNames.isValid(envelope.tenant)) {
            // Every envelope the job builds has its input's tenant; a throw here would fail the
            // job on every restore, so it goes where no tenant's source reads it, and says so.
            LOG.warn(
                    "An envelope on thread {} has no tenant; written to {} instead of a tenant's"
                            + " topic",
                    envelope.thread,
                    topic);
            return topic;
        }
        return template.topicFor(envelope.tenant);
    }

    /**
     * The envelope's bytes, stamped; for one that cannot be written within the limits (every stage
     * checks before this one, so it should never happen), a {@code <huh>} to its recipient in its
     * place, because a serializer that throws fails the job on every restore.
     */
    private byte[] encodeOrExplain(Envelope envelope) {
        try {
            byte[] bytes = stamps.encode(envelope, codec);
            if (bytes.length <= limits.maxRecordValueBytes()) {
                return bytes;
            }
        } catch (IllegalArgumentException unwritable) {
            // explained below
        }
        LOG.warn(
                "An envelope of tenant {} on thread {} could not be written to the bus",
                envelope.tenant,
                envelope.thread);
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
        error.tenant = envelope.tenant;
        return stamps.encode(error, codec);
    }
}
