package dev.agentstream.job.dynamodb;

import org.apache.flink.util.Preconditions;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The key attributes of each table a sink writes: what makes two writes hit one item. */
public final class TableKeys implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, List<String>> keys;

    private TableKeys(Map<String, List<String>> keys) {
        this.keys = Map.copyOf(keys);
    }

    public static TableKeys of(Map<String, List<String>> keys) {
        keys.forEach(
                (table, names) ->
                        Preconditions.checkArgument(
                                !names.isEmpty() && names.size() <= 2,
                                "A table key has one or two attributes: %s %s",
                                table,
                                names));
        Map<String, List<String>> copy = new HashMap<>();
        keys.forEach((table, names) -> copy.put(table, List.copyOf(names)));
        return new TableKeys(copy);
    }

    public boolean knows(String table) {
        return keys.containsKey(table);
    }

    /**
     * The identity of the item a request writes: its table and key values; empty when the table is
     * unknown or a key attribute is missing.
     */
    public Optional<List<Object>> identity(DynamoDbWriteRequest request) {
        List<String> names = keys.get(request.tableName());
        if (names == null) {
            return Optional.empty();
        }
        Object[] identity = new Object[names.size() + 1];
        identity[0] = request.tableName();
        for (int i = 0; i < names.size(); i++) {
            AttributeValue value = request.item().get(names.get(i));
            if (value == null) {
                return Optional.empty();
            }
            identity[i + 1] = value;
        }
        return Optional.of(List.of(identity));
    }
}
