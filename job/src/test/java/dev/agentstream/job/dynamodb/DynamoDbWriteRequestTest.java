package dev.agentstream.job.dynamodb;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DynamoDbWriteRequestTest {

    private static final DynamoDbWriteRequest PUT =
            DynamoDbWriteRequest.put(
                    "totals",
                    Map.of(
                            "tenant", AttributeValue.fromS("acme"),
                            "window", AttributeValue.fromS("2026-12-04T05:00:00Z"),
                            "inputTokens", AttributeValue.fromN("1200"),
                            "cost", AttributeValue.fromN("0.000255"),
                            "payload", AttributeValue.fromS("é".repeat(40_000)),
                            "raw", AttributeValue.fromB(SdkBytes.fromUtf8String("xyz")),
                            "flags", AttributeValue.fromL(List.of(AttributeValue.fromBool(true))),
                            "none", AttributeValue.fromNul(true),
                            "nested",
                                    AttributeValue.fromM(Map.of("a", AttributeValue.fromN("1")))));

    @Test
    void shouldKeepBufferedRequestsAcrossACheckpointWhateverTheirSize() throws Exception {
        DynamoDbWriterStateSerializer serializer = new DynamoDbWriterStateSerializer();
        DynamoDbWriteRequest delete =
                DynamoDbWriteRequest.delete("threads", Map.of("thread", AttributeValue.fromS("t")));
        BufferedRequestState<DynamoDbWriteRequest> state =
                new BufferedRequestState<>(
                        List.of(
                                new RequestEntryWrapper<>(PUT, 10),
                                new RequestEntryWrapper<>(delete, 1)));

        BufferedRequestState<DynamoDbWriteRequest> back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertThat(back.getBufferedRequestEntries())
                .extracting(RequestEntryWrapper::getRequestEntry)
                .containsExactly(PUT, delete);
    }

    @Test
    void shouldMeasureItemsAsDynamoDbDoes() {
        assertThat(ItemSize.of(Map.of("ab", AttributeValue.fromS("héllo")))).isEqualTo(2 + 6);
        assertThat(ItemSize.of(Map.of("n", AttributeValue.fromN("1200")))).isEqualTo(1 + 2);
        assertThat(ItemSize.of(Map.of("b", AttributeValue.fromBool(true)))).isEqualTo(2);
        assertThat(ItemSize.of(PUT.item())).isGreaterThan(80_000);
    }

    @Test
    void shouldTellTwoWritesOfOneItemByTheirKeyAlone() {
        TableKeys keys = TableKeys.of(Map.of("totals", List.of("tenant", "window")));
        DynamoDbWriteRequest other =
                DynamoDbWriteRequest.put(
                        "totals",
                        Map.of(
                                "tenant", AttributeValue.fromS("acme"),
                                "window", AttributeValue.fromS("2026-12-04T05:00:00Z"),
                                "inputTokens", AttributeValue.fromN("9")));

        assertThat(keys.identity(PUT)).isEqualTo(keys.identity(other)).isPresent();
        assertThat(keys.identity(DynamoDbWriteRequest.put("nope", PUT.item()))).isEmpty();
    }
}
