package dev.agentstream.devtools.dynamodb;

import dev.agentstream.job.dynamodb.ClientProvider;
import dev.agentstream.job.dynamodb.DynamoDbClientSettings;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients of a real dynalite that record every BatchWriteItem call (the writes it held) under a
 * name, and can make DynamoDB's answers that dynalite never gives: the first call's second half
 * back as unprocessed items, or the first call throttled. What is written is written by dynalite.
 */
final class RecordingClients implements ClientProvider {

    enum Mode {
        PLAIN,
        UNPROCESSED_ONCE,
        THROTTLED_ONCE
    }

    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<List<WriteRequest>>> CALLS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> TRICKS = new ConcurrentHashMap<>();

    private final DynamoDbClientSettings settings;
    private final String name;
    private final Mode mode;

    RecordingClients(DynamoDbClientSettings settings, String name, Mode mode) {
        this.settings = settings;
        this.name = name;
        this.mode = mode;
        CALLS.put(name, new ConcurrentLinkedQueue<>());
        TRICKS.put(name, new AtomicInteger(mode == Mode.PLAIN ? 0 : 1));
    }

    /** The writes of each call made under {@code name}, in order. */
    static List<List<WriteRequest>> calls(String name) {
        return new ArrayList<>(CALLS.get(name));
    }

    @Override
    public DynamoDbAsyncClient create() {
        DynamoDbAsyncClient real = settings.create();
        Queue<List<WriteRequest>> calls = CALLS.get(name);
        AtomicInteger tricks = TRICKS.get(name);
        return new DynamoDbAsyncClient() {
            @Override
            public CompletableFuture<BatchWriteItemResponse> batchWriteItem(
                    BatchWriteItemRequest request) {
                List<WriteRequest> writes = new ArrayList<>();
                request.requestItems().values().forEach(writes::addAll);
                calls.add(writes);
                if (tricks.getAndDecrement() <= 0) {
                    return real.batchWriteItem(request);
                }
                return mode == Mode.THROTTLED_ONCE ? throttled() : halfDone(request);
            }

            /** Writes the first half for real and hands the rest back unprocessed. */
            private CompletableFuture<BatchWriteItemResponse> halfDone(BatchWriteItemRequest r) {
                Map<String, List<WriteRequest>> done = new HashMap<>();
                Map<String, List<WriteRequest>> left = new HashMap<>();
                r.requestItems()
                        .forEach(
                                (table, writes) -> {
                                    int half = writes.size() / 2;
                                    done.put(table, writes.subList(0, half));
                                    left.put(table, writes.subList(half, writes.size()));
                                });
                return real.batchWriteItem(r.toBuilder().requestItems(done).build())
                        .thenApply(ok -> ok.toBuilder().unprocessedItems(left).build());
            }

            private CompletableFuture<BatchWriteItemResponse> throttled() {
                return CompletableFuture.failedFuture(
                        ProvisionedThroughputExceededException.builder()
                                .statusCode(400)
                                .awsErrorDetails(
                                        AwsErrorDetails.builder()
                                                .errorCode("ProvisionedThroughputExceededException")
                                                .build())
                                .message("simulated")
                                .build());
            }

            @Override
            public String serviceName() {
                return real.serviceName();
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }
}
