package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.runtime.state.KeyedStateFunction;

/**
 * Every key of one keyed state of this subtask, as {@code
 * KeyedBroadcastProcessFunction.Context#applyToKeyedState} offers them: the function sees each key
 * with that key's state, and may read or clear it.
 */
@FunctionalInterface
public interface KeyedStates<K> {

    <S extends State, V> void forEachKey(
            StateDescriptor<S, V> descriptor, KeyedStateFunction<K, S> function) throws Exception;
}
