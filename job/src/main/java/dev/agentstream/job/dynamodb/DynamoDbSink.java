package dev.agentstream.job.dynamodb;

import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.Preconditions;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A DynamoDB sink on Flink's Async Sink base: elements become {@link DynamoDbWriteRequest}s through
 * an element converter, and go out in BatchWriteItem calls of at most 25 writes. At least once:
 * write absolute values (never {@code ADD}), so that a write replayed after a restore changes
 * nothing. One call in flight per writer by default, so that two writes of one item from one
 * subtask reach DynamoDB in the order they were made.
 *
 * <pre>{@code
 * DynamoDbSink<WindowTotal> sink =
 *         DynamoDbSink.builder(new TotalsConverter("totals"))
 *                 .clients(new DynamoDbClientSettings(endpoint, "us-east-1", timeout))
 *                 .table("totals", "tenant", "window")
 *                 .build();
 * }</pre>
 */
public final class DynamoDbSink<InputT> extends AsyncSinkBase<InputT, DynamoDbWriteRequest> {

    private static final long serialVersionUID = 1L;

    private final ClientProvider clients;
    private final TableKeys keys;
    private final Duration backoffBase;
    private final Duration backoffMax;

    private DynamoDbSink(Builder<InputT> b) {
        super(
                b.converter,
                BatchWrite.MAX_ITEMS,
                b.maxInFlightRequests,
                b.maxBufferedRequests,
                MAX_BATCH_BYTES,
                b.maxTimeInBuffer.toMillis(),
                MAX_BATCH_BYTES,
                b.requestTimeout.toMillis(),
                false);
        this.clients = b.clients;
        this.keys = TableKeys.of(b.tables);
        this.backoffBase = b.backoffBase;
        this.backoffMax = b.backoffMax;
    }

    /** BatchWriteItem's limit on one request; items are capped at 400 KB before that. */
    private static final long MAX_BATCH_BYTES = 16L * 1024 * 1024;

    public static <InputT> Builder<InputT> builder(
            ElementConverter<InputT, DynamoDbWriteRequest> converter) {
        return new Builder<>(converter);
    }

    @Override
    public StatefulSinkWriter<InputT, BufferedRequestState<DynamoDbWriteRequest>> createWriter(
            WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<InputT, BufferedRequestState<DynamoDbWriteRequest>> restoreWriter(
            WriterInitContext context,
            Collection<BufferedRequestState<DynamoDbWriteRequest>> recoveredState) {
        AsyncSinkWriterConfiguration configuration =
                AsyncSinkWriterConfiguration.builder()
                        .setMaxBatchSize(getMaxBatchSize())
                        .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                        .setMaxInFlightRequests(getMaxInFlightRequests())
                        .setMaxBufferedRequests(getMaxBufferedRequests())
                        .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                        .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                        .setRequestTimeoutMS(getRequestTimeoutMS())
                        .setFailOnTimeout(getFailOnTimeout())
                        .build();
        return new DynamoDbSinkWriter<>(
                getElementConverter(),
                context,
                configuration,
                recoveredState,
                clients,
                keys,
                new Backoff(backoffBase, backoffMax));
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<DynamoDbWriteRequest>>
            getWriterStateSerializer() {
        return new DynamoDbWriterStateSerializer();
    }

    /** Builds a {@link DynamoDbSink}; {@link #clients} and one {@link #table} are required. */
    public static final class Builder<InputT> {

        private final ElementConverter<InputT, DynamoDbWriteRequest> converter;
        private final Map<String, List<String>> tables = new java.util.HashMap<>();
        private ClientProvider clients;
        private int maxInFlightRequests = 1;
        private int maxBufferedRequests = 10_000;
        private Duration maxTimeInBuffer = Duration.ofMillis(200);
        private Duration requestTimeout = Duration.ofMinutes(1);
        private Duration backoffBase = Duration.ofMillis(50);
        private Duration backoffMax = Duration.ofSeconds(5);

        private Builder(ElementConverter<InputT, DynamoDbWriteRequest> converter) {
            this.converter = Preconditions.checkNotNull(converter, "converter");
        }

        public Builder<InputT> clients(ClientProvider clients) {
            this.clients = clients;
            return this;
        }

        /** A table the converter writes, with its partition key and optional sort key. */
        public Builder<InputT> table(String name, String... keyAttributes) {
            tables.put(name, List.of(keyAttributes));
            return this;
        }

        public Builder<InputT> maxInFlightRequests(int calls) {
            this.maxInFlightRequests = calls;
            return this;
        }

        public Builder<InputT> maxBufferedRequests(int requests) {
            this.maxBufferedRequests = requests;
            return this;
        }

        public Builder<InputT> maxTimeInBuffer(Duration time) {
            this.maxTimeInBuffer = time;
            return this;
        }

        /** Pauses between retries: from about {@code base}, doubling, at most {@code max}. */
        public Builder<InputT> backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        public DynamoDbSink<InputT> build() {
            Preconditions.checkState(clients != null, "The sink needs a client provider");
            Preconditions.checkState(!tables.isEmpty(), "The sink needs at least one table");
            Preconditions.checkState(
                    requestTimeout.compareTo(backoffMax.multipliedBy(2)) > 0,
                    "The request timeout must leave room for the longest pause");
            return new DynamoDbSink<>(this);
        }
    }
}
