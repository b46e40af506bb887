package dev.agentstream.devtools.dynamodb;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import dev.agentstream.job.dynamodb.DynamoDbWriteRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;

/** An item of the sink tests: a key, a value, padding to make it large, a key of the wrong type. */
public class TestItem {

    public String tenant;
    public String window;
    public String value;
    public int padding;
    public boolean numericKey;

    public TestItem() {}

    static TestItem of(String window, String value) {
        TestItem item = new TestItem();
        item.tenant = "t";
        item.window = window;
        item.value = value;
        return item;
    }

    TestItem padded(int bytes) {
        padding = bytes;
        return this;
    }

    /** A key of type N where the table wants S: DynamoDB refuses it with a validation error. */
    TestItem withNumericKey() {
        numericKey = true;
        return this;
    }

    /** Puts the item into {@code table}. */
    static final class Converter implements ElementConverter<TestItem, DynamoDbWriteRequest> {
        private static final long serialVersionUID = 1L;
        private final String table;

        Converter(String table) {
            this.table = table;
        }

        @Override
        public DynamoDbWriteRequest apply(TestItem item, SinkWriter.Context context) {
            Map<String, AttributeValue> attributes = new HashMap<>();
            attributes.put("tenant", AttributeValue.fromS(item.tenant));
            attributes.put(
                    "window",
                    item.numericKey
                            ? AttributeValue.fromN("42")
                            : AttributeValue.fromS(item.window));
            attributes.put("value", AttributeValue.fromS(item.value));
            if (item.padding > 0) {
                attributes.put("padding", AttributeValue.fromS("x".repeat(item.padding)));
            }
            return DynamoDbWriteRequest.put(table, attributes);
        }
    }
}
