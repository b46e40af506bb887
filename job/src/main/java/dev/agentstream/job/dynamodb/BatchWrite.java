package dev.agentstream.job.dynamodb;

import org.apache.flink.util.Preconditions;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One BatchWriteItem call for at most {@link #MAX_ITEMS} requests, and what became of each: the
 * limits of the API are kept before the call (one write per item, last wins; no item over {@link
 * ItemSize#MAX_ITEM_BYTES}), and afterwards every request is either written, to be retried
 * (unprocessed, throttled, no answer) or rejected (an error that would come back the same). A batch
 * DynamoDB refuses as a whole is split into single writes, so that one bad item does not take the
 * others with it.
 */
public final class BatchWrite {

    /** DynamoDB's limit on the writes of one BatchWriteItem call. */
    public static final int MAX_ITEMS = 25;

    /**
     * What became of a batch.
     *
     * @param written requests DynamoDB has applied
     * @param retry requests to send again
     * @param rejected requests refused for good (with {@code reason})
     * @param oversize requests never sent: their item is over the limit
     * @param deduplicated requests dropped because a later one in the batch wrote the same item
     */
    public record Outcome(
            int written,
            List<DynamoDbWriteRequest> retry,
            List<DynamoDbWriteRequest> rejected,
            List<DynamoDbWriteRequest> oversize,
            int deduplicated,
            String reason) {

        static Outcome empty() {
            return new Outcome(0, List.of(), List.of(), List.of(), 0, "");
        }

        Outcome plus(Outcome other) {
            return new Outcome(
                    written + other.written,
                    concat(retry, other.retry),
                    concat(rejected, other.rejected),
                    concat(oversize, other.oversize),
                    deduplicated + other.deduplicated,
                    reason.isEmpty() ? other.reason : reason);
        }

        private static <T> List<T> concat(List<T> a, List<T> b) {
            if (b.isEmpty()) {
                return a;
            }
            List<T> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }
    }

    private final DynamoDbAsyncClient client;
    private final TableKeys keys;

    public BatchWrite(DynamoDbAsyncClient client, TableKeys keys) {
        this.client = client;
        this.keys = keys;
    }

    /** Writes {@code requests} in one call; the future never completes exceptionally. */
    public CompletableFuture<Outcome> write(List<DynamoDbWriteRequest> requests) {
        Preconditions.checkArgument(
                requests.size() <= MAX_ITEMS,
                "A batch holds at most %s writes, not %s",
                MAX_ITEMS,
                requests.size());
        List<DynamoDbWriteRequest> rejected = new ArrayList<>();
        List<DynamoDbWriteRequest> oversize = new ArrayList<>();
        Map<List<Object>, DynamoDbWriteRequest> unique = new LinkedHashMap<>();
        for (DynamoDbWriteRequest request : requests) {
            Optional<List<Object>> identity = keys.identity(request);
            if (identity.isEmpty()) {
                rejected.add(request); // a table the sink was not told of, or no key
            } else if (ItemSize.of(request.item()) > ItemSize.MAX_ITEM_BYTES) {
                oversize.add(request);
            } else {
                unique.remove(identity.get()); // the last write of an item goes, in its place
                unique.put(identity.get(), request);
            }
        }
        int duplicates = requests.size() - rejected.size() - oversize.size() - unique.size();
        Outcome checked =
                new Outcome(
                        0,
                        List.of(),
                        rejected,
                        oversize,
                        duplicates,
                        rejected.isEmpty() ? "" : "unknown table or missing key");
        if (unique.isEmpty()) {
            return CompletableFuture.completedFuture(checked);
        }
        return call(new ArrayList<>(unique.values())).thenApply(checked::plus);
    }

    private CompletableFuture<Outcome> call(List<DynamoDbWriteRequest> batch) {
        CompletableFuture<BatchWriteItemResponse> response;
        try {
            response = client.batchWriteItem(request(batch));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.handle(
                        (answer, error) ->
                                error == null
                                        ? CompletableFuture.completedFuture(answered(batch, answer))
                                        : failed(batch, error))
                .thenCompose(outcome -> outcome);
    }

    private CompletableFuture<Outcome> failed(List<DynamoDbWriteRequest> batch, Throwable error) {
        String reason = RetryDecision.describe(error);
        if (RetryDecision.of(error) == RetryDecision.RETRY) {
            return CompletableFuture.completedFuture(
                    new Outcome(0, batch, List.of(), List.of(), 0, reason));
        }
        if (batch.size() == 1) {
            return CompletableFuture.completedFuture(
                    new Outcome(0, List.of(), batch, List.of(), 0, reason));
        }
        // Refused as a whole: find the bad items by writing each on its own.
        List<CompletableFuture<Outcome>> singles = new ArrayList<>();
        for (DynamoDbWriteRequest request : batch) {
            singles.add(call(List.of(request)));
        }
        return CompletableFuture.allOf(singles.toArray(CompletableFuture[]::new))
                .thenApply(
                        done ->
                                singles.stream()
                                        .map(CompletableFuture::join)
                                        .reduce(Outcome.empty(), Outcome::plus));
    }

    private static Outcome answered(List<DynamoDbWriteRequest> batch, BatchWriteItemResponse r) {
        List<DynamoDbWriteRequest> unprocessed = new ArrayList<>();
        if (r.hasUnprocessedItems()) {
            r.unprocessedItems()
                    .forEach(
                            (table, writes) -> {
                                for (WriteRequest w : writes) {
                                    unprocessed.add(back(table, w));
                                }
                            });
        }
        return new Outcome(
                batch.size() - unprocessed.size(),
                unprocessed,
                List.of(),
                List.of(),
                0,
                unprocessed.isEmpty() ? "" : "unprocessed items");
    }

    static BatchWriteItemRequest request(List<DynamoDbWriteRequest> batch) {
        Map<String, List<WriteRequest>> byTable = new LinkedHashMap<>();
        for (DynamoDbWriteRequest r : batch) {
            WriteRequest write =
                    r.type() == DynamoDbWriteRequestType.PUT
                            ? WriteRequest.builder()
                                    .putRequest(PutRequest.builder().item(r.item()).build())
                                    .build()
                            : WriteRequest.builder()
                                    .deleteRequest(DeleteRequest.builder().key(r.item()).build())
                                    .build();
            byTable.computeIfAbsent(r.tableName(), t -> new ArrayList<>()).add(write);
        }
        return BatchWriteItemRequest.builder().requestItems(byTable).build();
    }

    private static DynamoDbWriteRequest back(String table, WriteRequest w) {
        return w.putRequest() != null
                ? DynamoDbWriteRequest.put(table, w.putRequest().item())
                : DynamoDbWriteRequest.delete(table, w.deleteRequest().key());
    }
}
