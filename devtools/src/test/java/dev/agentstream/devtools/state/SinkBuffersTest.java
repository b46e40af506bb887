package dev.agentstream.devtools.state;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;

import dev.agentstream.job.dynamodb.BillingTables;
import dev.agentstream.job.dynamodb.DynamoDbWriteRequest;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The DynamoDB sinks' buffered requests, rewritten without one tenant's. */
class SinkBuffersTest {

    @Test
    void shouldDropTheRequestsOfOneTenantAndKeepTheOthersInOrder() throws Exception {
        byte[] stored =
                SinkBuffers.encode(
                        new BufferedRequestState<>(
                                List.of(
                                        entry(put("acme", "t1")),
                                        entry(put("globex", "t2")),
                                        entry(delete("globex", "t3")),
                                        entry(put("acme", "t4")))));

        byte[] rewritten = new SinkBuffers.WithoutTenant("globex").map(stored);

        assertThat(SinkBuffers.decode(rewritten).getBufferedRequestEntries())
                .extracting(e -> e.getRequestEntry().item().get(BillingTables.THREAD).s())
                .containsExactly("t1", "t4");
        assertThat(SinkBuffers.decode(new SinkBuffers.WithoutTenant("initech").map(stored)))
                .extracting(s -> s.getBufferedRequestEntries().size())
                .isEqualTo(4);
    }

    @Test
    void shouldTellTheTenantOfAPutAndOfADeletion() {
        assertThat(SinkBuffers.tenantOf(put("acme", "t1"))).isEqualTo("acme");
        assertThat(SinkBuffers.tenantOf(delete("globex", "t1"))).isEqualTo("globex");
        assertThat(
                        SinkBuffers.tenantOf(
                                DynamoDbWriteRequest.put(
                                        "threads", Map.of("other", AttributeValue.fromS("x")))))
                .isEmpty();
    }

    private static DynamoDbWriteRequest put(String tenant, String thread) {
        return DynamoDbWriteRequest.put("threads", key(tenant, thread));
    }

    private static DynamoDbWriteRequest delete(String tenant, String thread) {
        return DynamoDbWriteRequest.delete("threads", key(tenant, thread));
    }

    private static Map<String, AttributeValue> key(String tenant, String thread) {
        return Map.of(
                BillingTables.TENANT,
                AttributeValue.fromS(tenant),
                BillingTables.THREAD,
                AttributeValue.fromS(thread));
    }

    private static RequestEntryWrapper<DynamoDbWriteRequest> entry(DynamoDbWriteRequest request) {
        return new RequestEntryWrapper<>(request, 100);
    }
}
