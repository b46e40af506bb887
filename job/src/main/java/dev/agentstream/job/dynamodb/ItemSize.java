package dev.agentstream.job.dynamodb;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The size of an item as DynamoDB counts it against its 400 KB item limit: names and values in
 * UTF-8, numbers by their significant digits, one byte per boolean or null, three bytes of overhead
 * per map or list and one per element.
 */
public final class ItemSize {

    /** DynamoDB's limit on one item, names and values together. */
    public static final int MAX_ITEM_BYTES = 400 * 1024;

    private ItemSize() {}

    public static long of(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += utf8(attribute.getKey()) + of(attribute.getValue());
        }
        return size;
    }

    static long of(AttributeValue value) {
        switch (value.type()) {
            case S:
                return utf8(value.s());
            case N:
                return number(value.n());
            case B:
                return value.b().asByteArrayUnsafe().length;
            case BOOL:
            case NUL:
                return 1;
            case SS:
                return value.ss().stream().mapToLong(ItemSize::utf8).sum();
            case NS:
                return value.ns().stream().mapToLong(ItemSize::number).sum();
            case BS:
                return value.bs().stream().mapToLong(b -> b.asByteArrayUnsafe().length).sum();
            case L:
                return 3 + value.l().stream().mapToLong(v -> 1 + of(v)).sum();
            case M:
                return 3
                        + value.m().entrySet().stream()
                                .mapToLong(e -> 1 + utf8(e.getKey()) + of(e.getValue()))
                                .sum();
            default:
                throw new IllegalArgumentException("unknown attribute type " + value.type());
        }
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** About one byte per two significant digits, plus one; 21 bytes at most. */
    private static long number(String n) {
        String digits = new BigDecimal(n).unscaledValue().abs().toString().replaceAll("0+$", "");
        return Math.min(21, (Math.max(1, digits.length()) + 1) / 2 + 1);
    }
}
