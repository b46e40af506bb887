package dev.agentstream.devtools.state;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.StateBootstrapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.runtime.streamrecord.StreamElement;
import org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer;

import dev.agentstream.job.OperatorIds;
import dev.agentstream.udfs.turn.Turn;

import java.io.IOException;

/** Reads and writes the turns in flight that the LLM-call stage's async I/O keeps. */
final class InFlightTurns {

    /**
     * The name of the list state of Flink's {@code AsyncWaitOperator} (a private constant there):
     * the queue of elements in flight at the snapshot.
     */
    static final String STATE = "_async_wait_operator_state_";

    static final OperatorIdentifier LLM_CALL = OperatorIdentifier.forUid(OperatorIds.LLM_CALL);

    private InFlightTurns() {}

    static DataStream<InFlightTurn> read(SavepointReader savepoint) throws IOException {
        TypeInformation<Turn> turns = TypeInformation.of(Turn.class);
        return savepoint
                .readListState(
                        LLM_CALL, STATE, new StreamElementTypeInfo<>(turns), elementSerializer())
                .map(new Describe(), TypeInformation.of(InFlightTurn.class));
    }

    static StreamElementSerializer<Turn> elementSerializer() {
        @SuppressWarnings("unchecked")
        TypeSerializer<Turn> turn =
                (TypeSerializer<Turn>) StateSpec.serializer(TypeInformation.of(Turn.class));
        return new StreamElementSerializer<>(turn);
    }

    /** The turn of a stored element. */
    static Turn turnOf(InFlightTurn inFlight) throws IOException {
        return elementOf(inFlight).<Turn>asRecord().getValue();
    }

    private static StreamElement elementOf(InFlightTurn inFlight) throws IOException {
        return elementSerializer().deserialize(new DataInputDeserializer(inFlight.element));
    }

    /** Keeps the element's bytes beside what names its owner. */
    private static final class Describe implements MapFunction<StreamElement, InFlightTurn> {

        private static final long serialVersionUID = 1L;

        @Override
        @SuppressWarnings("unchecked")
        public InFlightTurn map(StreamElement element) throws IOException {
            Turn turn = element.<Turn>asRecord().getValue();
            InFlightTurn out = new InFlightTurn();
            out.tenant = turn.tenant;
            out.thread = turn.thread;
            out.agent = turn.agent;
            out.element = StateCodec.encode((TypeSerializer) elementSerializer(), element);
            return out;
        }
    }

    /** Writes the turns it is given as the LLM-call stage's turns in flight. */
    static final class Writer extends StateBootstrapFunction<InFlightTurn> {

        private static final long serialVersionUID = 1L;

        private transient ListState<StreamElement> queue;

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            queue =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>(STATE, elementSerializer()));
        }

        @Override
        public void processElement(InFlightTurn inFlight, Context ctx) throws Exception {
            queue.add(elementOf(inFlight));
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}
    }
}
