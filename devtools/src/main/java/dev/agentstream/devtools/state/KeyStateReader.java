package dev.agentstream.devtools.state;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads every state of a {@link KeyedLayout} for each key, as stored (TTL write times included),
 * with the key's timers.
 */
final class KeyStateReader extends KeyedStateReaderFunction<String, KeyState> {

    private static final long serialVersionUID = 1L;

    private final KeyedLayout layout;

    private transient List<State> states;
    private transient List<StateCodec> codecs;

    KeyStateReader(KeyedLayout layout) {
        this.layout = layout;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        states = new ArrayList<>();
        codecs = new ArrayList<>();
        for (StateSpec spec : layout.states()) {
            codecs.add(new StateCodec(spec));
            if (spec.map()) {
                states.add(
                        getRuntimeContext()
                                .getMapState(
                                        (MapStateDescriptor<Object, Object>) spec.rawDescriptor()));
            } else {
                states.add(
                        getRuntimeContext()
                                .getState((ValueStateDescriptor<Object>) spec.rawDescriptor()));
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void readKey(String key, Context ctx, Collector<KeyState> out) throws Exception {
        List<StateEntry> entries = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            String name = layout.states().get(i).name();
            StateCodec codec = codecs.get(i);
            State state = states.get(i);
            if (state instanceof MapState<?, ?> map) {
                for (Map.Entry<Object, Object> e : ((MapState<Object, Object>) map).entries()) {
                    entries.add(
                            new StateEntry(
                                    name,
                                    codec.encodeKey(e.getKey()),
                                    codec.encodeValue(e.getValue())));
                }
            } else {
                Object value = ((ValueState<Object>) state).value();
                if (value != null) {
                    entries.add(new StateEntry(name, null, codec.encodeValue(value)));
                }
            }
        }
        KeyState read = new KeyState();
        read.key = key;
        read.entries = entries.toArray(new StateEntry[0]);
        read.processingTimers = sorted(ctx.registeredProcessingTimeTimers());
        read.eventTimers = sorted(ctx.registeredEventTimeTimers());
        out.collect(read);
    }

    private static long[] sorted(Iterable<Long> timers) {
        List<Long> list = new ArrayList<>();
        timers.forEach(list::add);
        return list.stream().mapToLong(Long::longValue).sorted().toArray();
    }
}
