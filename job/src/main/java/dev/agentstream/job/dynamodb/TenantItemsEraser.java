package dev.agentstream.job.dynamodb;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import dev.agentstream.udfs.erasure.EraseTenant;
import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.erasure.ErasureTally;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Deletes an erased tenant's DynamoDB items: every item of the threads table under its partition
 * key (one query; the thread index stage deletes the threads it still holds too, and this finds
 * those whose state expired), and every item of the transcripts table that names it (a scan:
 * transcripts are keyed by tenant and thread, and a thread without turns is in no index). Pages are
 * deleted as they come, 25 keys a call, unprocessed ones retried with backoff; the totals stay
 * (they are the tenant's bill, and hold nothing but numbers). Answers with the stage's {@link
 * ErasurePart}; a failure is the part's problem, never the job's.
 */
public final class TenantItemsEraser extends RichAsyncFunction<EraseTenant, ErasurePart> {

    public static final String STAGE = "dynamodb-erasure";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TenantItemsEraser.class);
    private static final int MAX_RETRIES = 8;

    private final ClientProvider clients;
    private final BillingTables tables;
    private final boolean transcripts;

    private transient DynamoDbAsyncClient client;
    private transient BatchWrite batches;

    /**
     * @param transcripts whether the job keeps transcripts, whose table is then cleared too
     */
    public TenantItemsEraser(ClientProvider clients, BillingTables tables, boolean transcripts) {
        this.clients = clients;
        this.tables = tables;
        this.transcripts = transcripts;
    }

    @Override
    public void open(OpenContext openContext) {
        client = clients.create();
        batches =
                new BatchWrite(
                        client,
                        TableKeys.of(
                                Map.of(
                                        tables.threads(),
                                        List.of(BillingTables.TENANT, BillingTables.THREAD),
                                        tables.transcripts(),
                                        List.of(BillingTables.TENANT_THREAD, BillingTables.SLOT))));
    }

    @Override
    public void asyncInvoke(EraseTenant command, ResultFuture<ErasurePart> result) {
        ErasureTally tally = new ErasureTally().kind("dynamodb-thread-items");
        CompletableFuture<Void> done = threads(command.tenant, null, tally);
        if (transcripts) {
            tally.kind("dynamodb-transcript-items");
            done = done.thenCompose(v -> transcripts(command.tenant, null, tally));
        }
        done.whenComplete(
                (v, error) -> {
                    ErasurePart part = part(command, tally);
                    if (error != null) {
                        Throwable cause =
                                error instanceof CompletionException ? error.getCause() : error;
                        part.problem = "DynamoDB items not all deleted: " + cause.getMessage();
                    }
                    LOG.info(
                            "Erased tenant {} from DynamoDB (command {}): {}{}",
                            command.tenant,
                            command.commandId,
                            tally,
                            part.problem == null ? "" : "; " + part.problem);
                    result.complete(List.of(part));
                });
    }

    @Override
    public void timeout(EraseTenant command, ResultFuture<ErasurePart> result) {
        ErasurePart part = part(command, new ErasureTally());
        part.problem = "DynamoDB items not all deleted within the stage's timeout";
        result.complete(List.of(part));
    }

    private ErasurePart part(EraseTenant command, ErasureTally tally) {
        var task = getRuntimeContext().getTaskInfo();
        return ErasurePart.of(
                command,
                STAGE,
                task.getIndexOfThisSubtask(),
                task.getNumberOfParallelSubtasks(),
                tally);
    }

    /** The tenant's thread items, a query page at a time. */
    private CompletableFuture<Void> threads(
            String tenant, Map<String, AttributeValue> from, ErasureTally tally) {
        QueryRequest.Builder query =
                QueryRequest.builder()
                        .tableName(tables.threads())
                        .keyConditionExpression("#t = :t")
                        .projectionExpression("#t, #th")
                        .expressionAttributeNames(
                                Map.of("#t", BillingTables.TENANT, "#th", BillingTables.THREAD))
                        .expressionAttributeValues(Map.of(":t", s(tenant)));
        if (from != null) {
            query.exclusiveStartKey(from);
        }
        return client.query(query.build())
                .thenCompose(
                        page ->
                                delete(tables.threads(), page.items(), 0)
                                        .thenCompose(
                                                n -> {
                                                    tally.add("dynamodb-thread-items", n);
                                                    return page.hasLastEvaluatedKey()
                                                                    && !page.lastEvaluatedKey()
                                                                            .isEmpty()
                                                            ? threads(
                                                                    tenant,
                                                                    page.lastEvaluatedKey(),
                                                                    tally)
                                                            : CompletableFuture
                                                                    .<Void>completedFuture(null);
                                                }));
    }

    /** The tenant's transcript items, a scan page at a time. */
    private CompletableFuture<Void> transcripts(
            String tenant, Map<String, AttributeValue> from, ErasureTally tally) {
        ScanRequest.Builder scan =
                ScanRequest.builder()
                        .tableName(tables.transcripts())
                        .filterExpression("#t = :t")
                        .projectionExpression("#k, #s")
                        .expressionAttributeNames(
                                Map.of(
                                        "#t", BillingTables.TENANT,
                                        "#k", BillingTables.TENANT_THREAD,
                                        "#s", BillingTables.SLOT))
                        .expressionAttributeValues(Map.of(":t", s(tenant)));
        if (from != null) {
            scan.exclusiveStartKey(from);
        }
        return client.scan(scan.build())
                .thenCompose(
                        page ->
                                delete(tables.transcripts(), page.items(), 0)
                                        .thenCompose(
                                                n -> {
                                                    tally.add("dynamodb-transcript-items", n);
                                                    return page.hasLastEvaluatedKey()
                                                                    && !page.lastEvaluatedKey()
                                                                            .isEmpty()
                                                            ? transcripts(
                                                                    tenant,
                                                                    page.lastEvaluatedKey(),
                                                                    tally)
                                                            : CompletableFuture
                                                                    .<Void>completedFuture(null);
                                                }));
    }

    /** Deletes the items with these keys, 25 a call, retrying what comes back; how many went. */
    private CompletableFuture<Long> delete(
            String table, List<Map<String, AttributeValue>> keys, int attempt) {
        List<DynamoDbWriteRequest> requests = new ArrayList<>();
        keys.forEach(k -> requests.add(DynamoDbWriteRequest.delete(table, k)));
        return deleteRequests(
                requests, attempt, new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2)));
    }

    private CompletableFuture<Long> deleteRequests(
            List<DynamoDbWriteRequest> requests, int attempt, Backoff backoff) {
        if (requests.isEmpty()) {
            return CompletableFuture.completedFuture(0L);
        }
        List<CompletableFuture<BatchWrite.Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < requests.size(); i += BatchWrite.MAX_ITEMS) {
            calls.add(
                    batches.write(
                            requests.subList(
                                    i, Math.min(requests.size(), i + BatchWrite.MAX_ITEMS))));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenCompose(
                        all -> {
                            BatchWrite.Outcome outcome =
                                    calls.stream()
                                            .map(CompletableFuture::join)
                                            .reduce(
                                                    BatchWrite.Outcome.empty(),
                                                    BatchWrite.Outcome::plus);
                            if (!outcome.rejected().isEmpty()) {
                                return CompletableFuture.failedFuture(
                                        new IllegalStateException(
                                                outcome.rejected().size()
                                                        + " deletions refused: "
                                                        + outcome.reason()));
                            }
                            if (outcome.retry().isEmpty()) {
                                return CompletableFuture.completedFuture((long) outcome.written());
                            }
                            if (attempt >= MAX_RETRIES) {
                                return CompletableFuture.failedFuture(
                                        new IllegalStateException(
                                                outcome.retry().size()
                                                        + " deletions still unprocessed after "
                                                        + MAX_RETRIES
                                                        + " retries: "
                                                        + outcome.reason()));
                            }
                            Executor later =
                                    CompletableFuture.delayedExecutor(
                                            backoff.nextDelayMs(), TimeUnit.MILLISECONDS);
                            return CompletableFuture.supplyAsync(outcome::retry, later)
                                    .thenCompose(
                                            retry -> deleteRequests(retry, attempt + 1, backoff))
                                    .thenApply(n -> n + outcome.written());
                        });
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
