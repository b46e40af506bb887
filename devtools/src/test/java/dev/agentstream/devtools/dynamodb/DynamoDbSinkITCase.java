package dev.agentstream.devtools.dynamodb;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import dev.agentstream.job.dynamodb.BatchWrite;
import dev.agentstream.job.dynamodb.DynamoDbSink;
import dev.agentstream.job.dynamodb.DynamoDbWriteRequest;
import dev.agentstream.job.dynamodb.TableKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DynamoDB sink's limits, each against a real dynalite: batches of at most 25, one write per
 * item in a batch, the item size limit checked before the call, unprocessed and throttled writes
 * retried, and a write DynamoDB refuses not retried while the job carries on. Dynalite never
 * answers with unprocessed items or throttling: {@link RecordingClients} makes those answers in
 * front of it, and dynalite writes everything that is written.
 */
class DynamoDbSinkITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .setConfiguration(loopback())
                            .build());

    @TempDir static Path tmp;

    private static Dynalite dynalite;
    private static DynamoDbAsyncClient client;

    @BeforeAll
    static void startDynalite() throws Exception {
        dynalite = Dynalite.start(tmp.resolve("dynalite"), Dynalite.defaultInstallDir());
        client = dynalite.clientSettings().create();
    }

    @AfterAll
    static void stopDynalite() {
        if (client != null) {
            client.close();
        }
        if (dynalite != null) {
            dynalite.close();
        }
    }

    @Test
    void shouldWriteSixtyItemsInBatchesOfAtMostTwentyFive() throws Exception {
        String table = table();
        List<TestItem> items =
                IntStream.range(0, 60).mapToObj(i -> TestItem.of("w" + i, "v" + i)).toList();

        run(items, sink(table, "sixty", RecordingClients.Mode.PLAIN));

        List<List<WriteRequest>> calls = RecordingClients.calls("sixty");
        assertThat(calls).hasSizeGreaterThanOrEqualTo(3);
        assertThat(calls).allSatisfy(writes -> assertThat(writes).hasSizeLessThanOrEqualTo(25));
        assertThat(calls.stream().mapToInt(List::size).sum()).isEqualTo(60);
        assertThat(scan(table)).hasSize(60);
    }

    @Test
    void shouldWriteAnItemOnceInABatchAndKeepTheLastWrite() throws Exception {
        String table = table();
        // DynamoDB refuses a batch that writes one key twice; the sink must never send one.
        assertThatThrownBy(
                        () ->
                                client.batchWriteItem(
                                                raw(
                                                        table,
                                                        TestItem.of("w", "first"),
                                                        TestItem.of("w", "second")))
                                        .join())
                .hasCauseInstanceOf(DynamoDbException.class)
                .hasMessageContaining("duplicates");

        run(
                List.of(TestItem.of("w", "first"), TestItem.of("w", "second")),
                sink(table, "dedupe", RecordingClients.Mode.PLAIN));

        assertThat(RecordingClients.calls("dedupe")).singleElement().asList().hasSize(1);
        assertThat(scan(table)).containsExactly(Map.entry("w", "second"));
    }

    @Test
    void shouldRefuseAnItemOverFourHundredKilobytesBeforeAnyCall() {
        String table = table();
        TestItem big = TestItem.of("big", "v").padded(401 * 1024);
        BatchWrite batch =
                new BatchWrite(
                        new RecordingClients(
                                        dynalite.clientSettings(),
                                        "oversize",
                                        RecordingClients.Mode.PLAIN)
                                .create(),
                        keys(table));

        BatchWrite.Outcome alone = batch.write(List.of(request(table, big))).join();
        BatchWrite.Outcome withOther =
                batch.write(List.of(request(table, big), request(table, TestItem.of("s", "v"))))
                        .join();

        assertThat(alone.oversize()).hasSize(1);
        assertThat(withOther.oversize()).hasSize(1);
        assertThat(withOther.written()).isEqualTo(1);
        // No call for the big item alone; the second call held only the small one.
        assertThat(RecordingClients.calls("oversize")).singleElement().asList().hasSize(1);
        assertThat(scan(table)).containsOnlyKeys("s");
    }

    @Test
    void shouldRetryUnprocessedItemsUntilAllAreWritten() throws Exception {
        String table = table();
        List<TestItem> items =
                IntStream.range(0, 10).mapToObj(i -> TestItem.of("w" + i, "v" + i)).toList();

        run(items, sink(table, "unprocessed", RecordingClients.Mode.UNPROCESSED_ONCE));

        List<List<WriteRequest>> calls = RecordingClients.calls("unprocessed");
        assertThat(calls).hasSizeGreaterThanOrEqualTo(2);
        assertThat(calls.get(0)).hasSize(10);
        assertThat(calls.get(1)).hasSize(5).isSubsetOf(calls.get(0).subList(5, 10));
        assertThat(scan(table)).hasSize(10);
    }

    @Test
    void shouldRetryAThrottledBatch() throws Exception {
        String table = table();
        List<TestItem> items =
                IntStream.range(0, 5).mapToObj(i -> TestItem.of("w" + i, "v" + i)).toList();

        run(items, sink(table, "throttled", RecordingClients.Mode.THROTTLED_ONCE));

        List<List<WriteRequest>> calls = RecordingClients.calls("throttled");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).containsExactlyInAnyOrderElementsOf(calls.get(0));
        assertThat(scan(table)).hasSize(5);
    }

    @Test
    void shouldNotRetryAWriteDynamoDbRefusesAndGoOnWithTheOthers() throws Exception {
        String table = table();
        List<TestItem> items = new ArrayList<>();
        items.add(TestItem.of("before", "v"));
        items.add(TestItem.of("bad", "v").withNumericKey());
        items.add(TestItem.of("big", "v").padded(401 * 1024));
        items.add(TestItem.of("after", "v"));

        JobExecutionResult result = run(items, sink(table, "refused", RecordingClients.Mode.PLAIN));

        // The batch was refused as a whole, then each write went alone: the bad one once more,
        // and never again.
        List<List<WriteRequest>> calls = RecordingClients.calls("refused");
        long badWrites =
                calls.stream()
                        .flatMap(List::stream)
                        .filter(w -> w.putRequest().item().get("window").n() != null)
                        .count();
        assertThat(badWrites).isEqualTo(2);
        assertThat(calls).hasSize(4);
        assertThat(scan(table)).containsOnlyKeys("before", "after");
        assertThat(result.getNetRuntime()).isPositive(); // finished, not failed
    }

    // ------------------------------------------------------------------ helpers

    private static String table() {
        String name = "sink-" + UUID.randomUUID().toString().substring(0, 8);
        client.createTable(
                        b ->
                                b.tableName(name)
                                        .keySchema(
                                                k -> k.attributeName("tenant").keyType("HASH"),
                                                k -> k.attributeName("window").keyType("RANGE"))
                                        .attributeDefinitions(
                                                a -> a.attributeName("tenant").attributeType("S"),
                                                a -> a.attributeName("window").attributeType("S"))
                                        .billingMode("PAY_PER_REQUEST"))
                .join();
        return name;
    }

    private static TableKeys keys(String table) {
        return TableKeys.of(Map.of(table, List.of("tenant", "window")));
    }

    private static DynamoDbSink<TestItem> sink(
            String table, String name, RecordingClients.Mode mode) {
        return DynamoDbSink.builder(new TestItem.Converter(table))
                .clients(new RecordingClients(dynalite.clientSettings(), name, mode))
                .table(table, "tenant", "window")
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .build();
    }

    private static JobExecutionResult run(List<TestItem> items, DynamoDbSink<TestItem> sink)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(items).sinkTo(sink).uid("dynamodb-test-sink");
        return env.execute("dynamodb-sink-test");
    }

    private static DynamoDbWriteRequest request(String table, TestItem item) {
        return new TestItem.Converter(table).apply(item, null);
    }

    private static BatchWriteItemRequest raw(String table, TestItem... items) {
        List<WriteRequest> writes = new ArrayList<>();
        for (TestItem item : items) {
            writes.add(
                    WriteRequest.builder()
                            .putRequest(
                                    PutRequest.builder().item(request(table, item).item()).build())
                            .build());
        }
        return BatchWriteItemRequest.builder().requestItems(Map.of(table, writes)).build();
    }

    /** The table's items as window → value. */
    private static Map<String, String> scan(String table) {
        Map<String, String> items = new TreeMap<>();
        try {
            for (Map<String, AttributeValue> item :
                    client.scan(ScanRequest.builder().tableName(table).build()).join().items()) {
                items.put(item.get("window").s(), item.get("value").s());
            }
        } catch (CompletionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return items;
    }

    private static Configuration loopback() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.HOST, "127.0.0.1");
        return conf;
    }
}
