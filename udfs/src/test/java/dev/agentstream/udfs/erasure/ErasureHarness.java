package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Runs erasable stages wrapped in {@link ErasingFunction} on the broadcast operator harness. */
final class ErasureHarness {

    static final String BACKENDS = "dev.agentstream.udfs.erasure.ErasureHarness#backends";

    static final int MAX_PARALLELISM = 128;

    static Stream<StateBackend> backends() {
        return Stream.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend());
    }

    private ErasureHarness() {}

    /** The stage under {@code name}, wrapped, on {@code backend}; not yet opened. */
    static <K, IN, OUT, F extends KeyedProcessFunction<K, IN, OUT> & TenantErasable<K, OUT>>
            KeyedBroadcastOperatorTestHarness<K, IN, EraseTenant, OUT> wrapped(
                    String name,
                    F stage,
                    KeySelector<IN, K> key,
                    TypeInformation<K> keyType,
                    StateBackend backend)
                    throws Exception {
        var harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new ErasingOperator<>(new ErasingFunction<K, IN, OUT>(name, stage)),
                        key,
                        keyType,
                        MAX_PARALLELISM,
                        1,
                        0);
        harness.setStateBackend(backend);
        return harness;
    }

    static EraseTenant erase(String tenant) {
        return new EraseTenant("c0ffee00-0000-4000-8000-000000000001", tenant, "ops", "", "");
    }

    /** The parts the stage sent, in order. */
    static List<ErasurePart> parts(AbstractStreamOperatorTestHarness<?> harness) {
        var out = harness.getSideOutput(ErasurePart.TAG);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    /** Every key of the operator that holds any of {@code descriptors}, as strings. */
    static Set<String> keys(
            AbstractStreamOperatorTestHarness<?> harness, List<StateDescriptor<?, ?>> descriptors)
            throws Exception {
        KeyedStateBackend<Object> backend =
                ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        Set<String> keys = new TreeSet<>();
        for (StateDescriptor<?, ?> d : descriptors) {
            // Registered as the stage registers it, so that the backend knows its serializers.
            List<Object> found = new ArrayList<>();
            try (var stream = backend.getKeys(d.getName(), VoidNamespace.INSTANCE)) {
                stream.forEach(found::add);
            }
            found.forEach(k -> keys.add(String.valueOf(k)));
        }
        return keys;
    }

    static long count(ErasurePart part, String kind) {
        return new ErasureTally().addAll(part.counts).get(kind);
    }
}
