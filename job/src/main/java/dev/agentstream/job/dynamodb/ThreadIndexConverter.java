package dev.agentstream.job.dynamodb;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import dev.agentstream.udfs.billing.ThreadIndexEntry;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;

/**
 * A thread index entry as an item of the threads table, keyed by tenant and thread, with its TTL; a
 * {@link ThreadIndexEntry#deleted} entry as the deletion of that item.
 */
public final class ThreadIndexConverter
        implements ElementConverter<ThreadIndexEntry, DynamoDbWriteRequest> {

    private static final long serialVersionUID = 1L;

    private final String table;

    public ThreadIndexConverter(String table) {
        this.table = table;
    }

    @Override
    public DynamoDbWriteRequest apply(ThreadIndexEntry e, SinkWriter.Context context) {
        Map<String, AttributeValue> item = new HashMap<>();
        Items.s(item, BillingTables.THREAD, e.thread);
        Items.s(item, BillingTables.TENANT, e.tenant);
        if (e.deleted) {
            return DynamoDbWriteRequest.delete(table, item);
        }
        Items.n(item, "firstSeen", e.firstSeen);
        Items.n(item, "lastSeen", e.lastSeen);
        Items.n(item, "turns", e.turns);
        Items.n(item, "inputTokens", e.inputTokens);
        Items.n(item, "outputTokens", e.outputTokens);
        Items.n(item, "totalTokens", e.totalTokens);
        Items.n(item, BillingTables.TTL, e.ttl);
        return DynamoDbWriteRequest.put(table, item);
    }
}
