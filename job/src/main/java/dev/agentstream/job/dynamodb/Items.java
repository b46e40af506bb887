package dev.agentstream.job.dynamodb;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/** Small helpers to fill an item without null checks at every attribute. */
final class Items {

    private Items() {}

    static void s(Map<String, AttributeValue> item, String name, String value) {
        if (value != null && !value.isEmpty()) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    static void n(Map<String, AttributeValue> item, String name, long value) {
        item.put(name, AttributeValue.fromN(Long.toString(value)));
    }

    static void n(Map<String, AttributeValue> item, String name, String decimal) {
        if (decimal != null && !decimal.isEmpty()) {
            item.put(name, AttributeValue.fromN(decimal));
        }
    }
}
