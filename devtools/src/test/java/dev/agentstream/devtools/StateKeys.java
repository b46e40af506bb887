package dev.agentstream.devtools;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * Lists the keys of one keyed stage in a savepoint (State Processor API): it registers the stage's
 * own state descriptors, so that the reader visits every key that holds any of them, and writes
 * {@code <stage> <key>} for each, with {@code timers} after a key that still has timers.
 */
final class StateKeys extends KeyedStateReaderFunction<String, String> {

    private static final long serialVersionUID = 1L;

    private final String stage;
    private final List<StateDescriptor<?, ?>> descriptors;

    StateKeys(String stage, List<StateDescriptor<?, ?>> descriptors) {
        this.stage = stage;
        this.descriptors = List.copyOf(descriptors);
    }

    @Override
    public void open(OpenContext openContext) {
        for (StateDescriptor<?, ?> d : descriptors) {
            if (d instanceof ValueStateDescriptor<?> value) {
                getRuntimeContext().getState(value);
            } else if (d instanceof MapStateDescriptor<?, ?> map) {
                getRuntimeContext().getMapState(map);
            } else if (d instanceof ListStateDescriptor<?> list) {
                getRuntimeContext().getListState(list);
            } else if (d instanceof ReducingStateDescriptor<?> reducing) {
                getRuntimeContext().getReducingState(reducing);
            } else if (d instanceof AggregatingStateDescriptor<?, ?, ?> aggregating) {
                getRuntimeContext().getAggregatingState(aggregating);
            } else {
                throw new IllegalArgumentException("no reader for state " + d.getName());
            }
        }
    }

    @Override
    public void readKey(String key, Context ctx, Collector<String> out) throws Exception {
        out.collect(stage + " " + key);
    }
}
