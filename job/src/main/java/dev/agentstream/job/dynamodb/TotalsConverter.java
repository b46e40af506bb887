package dev.agentstream.job.dynamodb;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import dev.agentstream.udfs.billing.WindowTotal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A window's totals as an item of the totals table, keyed by tenant and the window's start; a late
 * correction goes beside it, under {@code <window start>#late#<usage id>}. Every attribute is an
 * absolute value: a put of the same window again replaces it.
 */
public final class TotalsConverter implements ElementConverter<WindowTotal, DynamoDbWriteRequest> {

    private static final long serialVersionUID = 1L;

    /** Between a window's start and the usage id of a late correction in the sort key. */
    public static final String LATE = "#late#";

    private final String table;

    public TotalsConverter(String table) {
        this.table = table;
    }

    @Override
    public DynamoDbWriteRequest apply(WindowTotal t, SinkWriter.Context context) {
        Map<String, AttributeValue> item = new HashMap<>();
        String window = Instant.ofEpochMilli(t.windowStart).toString();
        Items.s(item, BillingTables.TENANT, t.tenant);
        Items.s(
                item,
                BillingTables.WINDOW,
                t.lateUsageId == null ? window : window + LATE + t.lateUsageId);
        Items.n(item, "windowStart", t.windowStart);
        Items.n(item, "inputTokens", t.inputTokens);
        Items.n(item, "outputTokens", t.outputTokens);
        Items.n(item, "totalTokens", t.totalTokens);
        Items.n(item, "cacheReadInputTokens", t.cacheReadInputTokens);
        Items.n(item, "cacheCreationInputTokens", t.cacheCreationInputTokens);
        Items.n(item, "turns", t.turns);
        Items.n(item, "calls", t.calls);
        Items.n(item, "cacheHits", t.cacheHits);
        Items.n(item, "unpriced", t.unpriced);
        Items.n(item, "cost", t.cost);
        Items.s(item, "costCurrency", t.costCurrency);
        item.put("closed", AttributeValue.fromBool(t.closed));
        Items.s(item, "lateUsageId", t.lateUsageId);
        return DynamoDbWriteRequest.put(table, item);
    }
}
