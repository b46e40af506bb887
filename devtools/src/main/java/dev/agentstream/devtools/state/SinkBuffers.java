package dev.agentstream.devtools.state;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.StateBootstrapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

import dev.agentstream.job.OperatorIds;
import dev.agentstream.job.dynamodb.BillingTables;
import dev.agentstream.job.dynamodb.DynamoDbWriteRequest;
import dev.agentstream.job.dynamodb.DynamoDbWriterStateSerializer;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.IOException;
import java.util.List;

/**
 * Reads and rewrites what the DynamoDB sinks' writers (totals, thread index, transcripts) buffered:
 * requests not yet sent when the savepoint was taken. Flink keeps each writer's state as versioned
 * bytes in the operator list state {@link #STATE}; the sink's own serializer reads them. Every item
 * the sinks write names its tenant ({@link BillingTables#TENANT}), the key of a deletion too.
 */
final class SinkBuffers {

    /** The operator list state of Flink's sink writer operator (a private constant there). */
    static final String STATE = "writer_raw_states";

    /** The sinks whose writers buffer requests. */
    static final List<String> UIDS =
            List.of(
                    OperatorIds.TOTALS_SINK,
                    OperatorIds.THREAD_INDEX_SINK,
                    OperatorIds.TRANSCRIPT_SINK);

    private SinkBuffers() {}

    /** Each buffered request of the sink {@code uid}. */
    static DataStream<BufferedWrite> read(SavepointReader savepoint, String uid)
            throws IOException {
        return raw(savepoint, uid)
                .flatMap(new Describe(uid), TypeInformation.of(BufferedWrite.class));
    }

    /** The sink's writer states as stored: one per writer subtask. */
    static DataStream<byte[]> raw(SavepointReader savepoint, String uid) throws IOException {
        return savepoint.readListState(
                OperatorIdentifier.forUid(uid),
                STATE,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    static BufferedRequestState<DynamoDbWriteRequest> decode(byte[] stored) throws IOException {
        return SimpleVersionedSerialization.readVersionAndDeSerialize(
                new DynamoDbWriterStateSerializer(), stored);
    }

    static byte[] encode(BufferedRequestState<DynamoDbWriteRequest> state) throws IOException {
        return SimpleVersionedSerialization.writeVersionAndSerialize(
                new DynamoDbWriterStateSerializer(), state);
    }

    /** The tenant a request's item names; empty when it names none. */
    static String tenantOf(DynamoDbWriteRequest request) {
        AttributeValue tenant = request.item().get(BillingTables.TENANT);
        return tenant == null || tenant.s() == null ? "" : tenant.s();
    }

    /** A writer state without the requests of one tenant; the others in their order. */
    static final class WithoutTenant implements MapFunction<byte[], byte[]> {

        private static final long serialVersionUID = 1L;

        private final String tenant;

        WithoutTenant(String tenant) {
            this.tenant = tenant;
        }

        @Override
        public byte[] map(byte[] stored) throws IOException {
            List<RequestEntryWrapper<DynamoDbWriteRequest>> kept =
                    decode(stored).getBufferedRequestEntries().stream()
                            .filter(e -> !tenant.equals(tenantOf(e.getRequestEntry())))
                            .toList();
            return encode(new BufferedRequestState<>(kept));
        }
    }

    /** Names each buffered request's sink, table, type and tenant. */
    private static final class Describe implements FlatMapFunction<byte[], BufferedWrite> {

        private static final long serialVersionUID = 1L;

        private final String uid;

        Describe(String uid) {
            this.uid = uid;
        }

        @Override
        public void flatMap(byte[] stored, Collector<BufferedWrite> out) throws IOException {
            for (var entry : decode(stored).getBufferedRequestEntries()) {
                DynamoDbWriteRequest request = entry.getRequestEntry();
                BufferedWrite write = new BufferedWrite();
                write.sink = uid;
                write.table = request.tableName();
                write.type = request.type().name();
                write.tenant = tenantOf(request);
                out.collect(write);
            }
        }
    }

    /** Writes the writer states it is given as a sink's buffered requests. */
    static final class Writer extends StateBootstrapFunction<byte[]> {

        private static final long serialVersionUID = 1L;

        private transient ListState<byte[]> states;

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            states =
                    context.getOperatorStateStore()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            STATE, BytePrimitiveArraySerializer.INSTANCE));
        }

        @Override
        public void processElement(byte[] state, Context ctx) throws Exception {
            states.add(state);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}
    }
}
