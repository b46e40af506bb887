package dev.agentstream.job.dynamodb;

import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Writes batches of {@link DynamoDbWriteRequest}s with BatchWriteItem (see {@link BatchWrite}).
 * Unprocessed and throttled writes go back to the buffer after a pause ({@link Backoff}); writes
 * DynamoDB refuses for good, and items over the size limit, are counted, logged with their table
 * and key, and dropped: a sink has no side output, and the job must not fail over data it can never
 * write. Counters: {@code dynamodbItemsWritten}, {@code dynamodbItemsRetried}, {@code
 * dynamodbItemsRejected}, {@code dynamodbItemsOversize}, {@code dynamodbItemsDeduplicated}.
 */
final class DynamoDbSinkWriter<InputT> extends AsyncSinkWriter<InputT, DynamoDbWriteRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbSinkWriter.class);

    private final DynamoDbAsyncClient client;
    private final BatchWrite batchWrite;
    private final Backoff backoff;
    private final ScheduledExecutorService retries;
    private final Counter written;
    private final Counter retried;
    private final Counter rejected;
    private final Counter oversize;
    private final Counter deduplicated;

    DynamoDbSinkWriter(
            ElementConverter<InputT, DynamoDbWriteRequest> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            Collection<BufferedRequestState<DynamoDbWriteRequest>> states,
            ClientProvider clients,
            TableKeys keys,
            Backoff backoff) {
        super(converter, context, configuration, states);
        this.client = clients.create();
        this.batchWrite = new BatchWrite(client, keys);
        this.backoff = backoff;
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.retries =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "dynamodb-sink-retry-" + subtask);
                            t.setDaemon(true);
                            return t;
                        });
        MetricGroup metrics = context.metricGroup();
        written = metrics.counter("dynamodbItemsWritten", new ThreadSafeSimpleCounter());
        retried = metrics.counter("dynamodbItemsRetried", new ThreadSafeSimpleCounter());
        rejected = metrics.counter("dynamodbItemsRejected", new ThreadSafeSimpleCounter());
        oversize = metrics.counter("dynamodbItemsOversize", new ThreadSafeSimpleCounter());
        deduplicated = metrics.counter("dynamodbItemsDeduplicated", new ThreadSafeSimpleCounter());
    }

    @Override
    protected void submitRequestEntries(
            List<DynamoDbWriteRequest> entries, ResultHandler<DynamoDbWriteRequest> result) {
        batchWrite.write(entries).thenAccept(outcome -> settle(outcome, result));
    }

    private void settle(BatchWrite.Outcome outcome, ResultHandler<DynamoDbWriteRequest> result) {
        written.inc(outcome.written());
        deduplicated.inc(outcome.deduplicated());
        if (!outcome.oversize().isEmpty()) {
            oversize.inc(outcome.oversize().size());
            LOG.warn(
                    "{} item(s) over DynamoDB's {} bytes not written: {}",
                    outcome.oversize().size(),
                    ItemSize.MAX_ITEM_BYTES,
                    describe(outcome.oversize()));
        }
        if (!outcome.rejected().isEmpty()) {
            rejected.inc(outcome.rejected().size());
            LOG.warn(
                    "DynamoDB refused {} write(s) for good ({}), not retried: {}",
                    outcome.rejected().size(),
                    outcome.reason(),
                    describe(outcome.rejected()));
        }
        if (outcome.retry().isEmpty()) {
            backoff.reset();
            result.complete();
            return;
        }
        long pause = backoff.nextDelayMs();
        retried.inc(outcome.retry().size());
        LOG.debug(
                "Retrying {} DynamoDB write(s) in {} ms ({})",
                outcome.retry().size(),
                pause,
                outcome.reason());
        try {
            retries.schedule(
                    () -> result.retryForEntries(outcome.retry()), pause, TimeUnit.MILLISECONDS);
        } catch (RuntimeException closing) {
            result.retryForEntries(outcome.retry());
        }
    }

    /** Tables and key attributes of a few requests, for a log line; never other attributes. */
    private static String describe(List<DynamoDbWriteRequest> requests) {
        return requests.stream()
                .limit(3)
                .map(r -> r.tableName() + keyOf(r))
                .collect(Collectors.joining(", "));
    }

    private static String keyOf(DynamoDbWriteRequest r) {
        return r.item().entrySet().stream()
                .filter(e -> e.getValue().s() != null && e.getValue().s().length() <= 80)
                .filter(e -> KEY_NAMES.contains(e.getKey()))
                .map(e -> e.getKey() + "=" + e.getValue().s())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static final List<String> KEY_NAMES = List.of("tenant", "window", "thread", "slot");

    @Override
    protected long getSizeInBytes(DynamoDbWriteRequest entry) {
        // Capped, so that the base class never fails the job over an oversize item: the batch
        // write counts and drops it instead.
        return Math.min(ItemSize.of(entry.item()), ItemSize.MAX_ITEM_BYTES + 1);
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            retries.shutdownNow();
            client.close();
        }
    }
}
