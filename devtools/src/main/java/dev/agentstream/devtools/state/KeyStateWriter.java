package dev.agentstream.devtools.state;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;

import java.util.HashMap;
import java.util.Map;

/**
 * Writes what {@link KeyStateReader} read back into a new savepoint, value for value and timer for
 * timer: the keys it is given are the keys the new savepoint holds.
 */
final class KeyStateWriter extends KeyedStateBootstrapFunction<String, KeyState> {

    private static final long serialVersionUID = 1L;

    private final KeyedLayout layout;

    private transient Map<String, State> states;
    private transient Map<String, StateCodec> codecs;

    KeyStateWriter(KeyedLayout layout) {
        this.layout = layout;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        states = new HashMap<>();
        codecs = new HashMap<>();
        for (StateSpec spec : layout.states()) {
            codecs.put(spec.name(), new StateCodec(spec));
            State state =
                    spec.map()
                            ? getRuntimeContext()
                                    .getMapState(
                                            (MapStateDescriptor<Object, Object>)
                                                    spec.rawDescriptor())
                            : getRuntimeContext()
                                    .getState((ValueStateDescriptor<Object>) spec.rawDescriptor());
            states.put(spec.name(), state);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void processElement(KeyState key, Context ctx) throws Exception {
        for (StateEntry entry : key.entries) {
            StateCodec codec = codecs.get(entry.state);
            State state = states.get(entry.state);
            if (codec == null) {
                throw new IllegalStateException(
                        "state " + entry.state + " is not part of " + layout.uid());
            }
            Object value = codec.decodeValue(entry.value);
            if (state instanceof MapState<?, ?> map) {
                ((MapState<Object, Object>) map).put(codec.decodeKey(entry.userKey), value);
            } else {
                ((ValueState<Object>) state).update(value);
            }
        }
        for (long timer : key.processingTimers) {
            ctx.timerService().registerProcessingTimeTimer(timer);
        }
        for (long timer : key.eventTimers) {
            ctx.timerService().registerEventTimeTimer(timer);
        }
    }
}
