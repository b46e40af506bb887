package dev.agentstream.job.dynamodb;

import org.apache.flink.util.Preconditions;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * One write of the DynamoDB sink: a whole item to put, or the key of an item to delete, in a table.
 * Shaped like the official connector's request (item + type; the table is ours, so that one sink
 * can write several tables), so that element converters move over when that connector is served.
 */
public final class DynamoDbWriteRequest implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String tableName;
    private final DynamoDbWriteRequestType type;
    private final Map<String, AttributeValue> item;

    public DynamoDbWriteRequest(
            String tableName, DynamoDbWriteRequestType type, Map<String, AttributeValue> item) {
        Preconditions.checkArgument(
                tableName != null && !tableName.isEmpty(), "A table name is required");
        this.tableName = tableName;
        this.type = Preconditions.checkNotNull(type, "type");
        this.item = Map.copyOf(Preconditions.checkNotNull(item, "item"));
    }

    public static DynamoDbWriteRequest put(String tableName, Map<String, AttributeValue> item) {
        return new DynamoDbWriteRequest(tableName, DynamoDbWriteRequestType.PUT, item);
    }

    public static DynamoDbWriteRequest delete(String tableName, Map<String, AttributeValue> key) {
        return new DynamoDbWriteRequest(tableName, DynamoDbWriteRequestType.DELETE, key);
    }

    public String tableName() {
        return tableName;
    }

    public DynamoDbWriteRequestType type() {
        return type;
    }

    /** The item to put, or the key attributes of the item to delete. */
    public Map<String, AttributeValue> item() {
        return item;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DynamoDbWriteRequest that
                && tableName.equals(that.tableName)
                && type == that.type
                && item.equals(that.item);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tableName, type, item);
    }

    @Override
    public String toString() {
        return type + " " + tableName + " (" + item.size() + " attributes)";
    }
}
