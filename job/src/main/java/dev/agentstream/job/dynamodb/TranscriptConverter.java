package dev.agentstream.job.dynamodb;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import dev.agentstream.udfs.billing.TranscriptEntry;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;

/**
 * An envelope of a transcript as an item of the transcripts table, keyed by tenant, thread and
 * slot.
 */
public final class TranscriptConverter
        implements ElementConverter<TranscriptEntry, DynamoDbWriteRequest> {

    private static final long serialVersionUID = 1L;

    private final String table;

    public TranscriptConverter(String table) {
        this.table = table;
    }

    @Override
    public DynamoDbWriteRequest apply(TranscriptEntry t, SinkWriter.Context context) {
        Map<String, AttributeValue> item = new HashMap<>();
        Items.s(item, BillingTables.TENANT_THREAD, BillingTables.tenantThread(t.tenant, t.thread));
        Items.s(item, BillingTables.THREAD, t.thread);
        Items.s(item, BillingTables.SLOT, t.slot);
        Items.s(item, BillingTables.TENANT, t.tenant);
        Items.s(item, "from", t.from);
        Items.s(item, "to", t.to);
        Items.s(item, "payloadRoot", t.payloadRoot);
        Items.s(item, "payloadNamespace", t.payloadNamespace);
        Items.s(item, "payloadXml", t.payloadXml);
        if (t.payloadOmittedBytes > 0) {
            Items.n(item, "payloadOmittedBytes", t.payloadOmittedBytes);
        }
        Items.s(item, "envelopeId", t.envelopeId);
        Items.n(item, "timestamp", t.timestamp);
        Items.n(item, BillingTables.TTL, t.ttl);
        return DynamoDbWriteRequest.put(table, item);
    }
}
