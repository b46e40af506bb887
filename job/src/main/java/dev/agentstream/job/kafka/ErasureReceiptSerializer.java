package dev.agentstream.job.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstream.udfs.erasure.ErasedCount;
import dev.agentstream.udfs.erasure.ErasureReceipt;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes erasure receipts as JSON, keyed by tenant:
 *
 * <pre>{@code
 * {"commandId":"...","tenant":"acme","requestedBy":"ops","issued":"2026-...Z",
 *  "counts":{"thread-contexts":2,"context-slots":9,...},"stages":["llm-call/2",...],
 *  "cleanCheckpoint":17,"erasedAt":"2026-...Z","problems":[]}
 * }</pre>
 */
public final class ErasureReceiptSerializer
        implements KafkaRecordSerializationSchema<ErasureReceipt> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;

    public ErasureReceiptSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ErasureReceipt receipt, KafkaSinkContext context, Long timestamp) {
        try {
            return new ProducerRecord<>(
                    topic,
                    null,
                    timestamp,
                    receipt.tenant.getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(json(receipt)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("erasure receipt cannot be written as JSON", e);
        }
    }

    static ObjectNode json(ErasureReceipt r) {
        ObjectNode out = JSON.createObjectNode();
        out.put("commandId", r.commandId);
        out.put("tenant", r.tenant);
        out.put("requestedBy", r.requestedBy);
        out.put("issued", r.issued);
        ObjectNode counts = out.putObject("counts");
        for (ErasedCount c : r.counts) {
            counts.put(c.kind, c.count);
        }
        var stages = out.putArray("stages");
        for (String s : r.stages) {
            stages.add(s);
        }
        out.put("cleanCheckpoint", r.cleanCheckpoint);
        out.put("erasedAt", Instant.ofEpochMilli(r.erasedAt).toString());
        var problems = out.putArray("problems");
        for (String p : r.problems) {
            problems.add(p);
        }
        return out;
    }
}
