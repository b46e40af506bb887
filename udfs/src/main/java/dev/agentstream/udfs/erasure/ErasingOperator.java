package dev.agentstream.udfs.erasure;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * The operator of an erasable keyed stage: Flink's keyed broadcast operator, which also drops the
 * timers of the erased tenant's keys. A function cannot: {@code applyToKeyedState} reaches every
 * key's state, but a function's timer service only the current key's. Timers live under the name
 * Flink's keyed operators give them ({@code user-timers}), so the stage's timers restore into this
 * operator from a snapshot of the stage running alone, and back.
 */
public final class ErasingOperator<K, IN, OUT>
        extends CoBroadcastWithKeyedOperator<K, IN, EraseTenant, OUT> {

    private static final long serialVersionUID = 1L;

    /** The timer service name of Flink's keyed process operators. */
    private static final String TIMERS = "user-timers";

    private final ErasingFunction<K, IN, OUT> function;

    public ErasingOperator(ErasingFunction<K, IN, OUT> function) {
        super(function, List.of());
        this.function = function;
    }

    @Override
    public void processElement2(StreamRecord<EraseTenant> element) throws Exception {
        function.timersDropped(dropTimers(element.getValue().tenant));
        super.processElement2(element);
    }

    /** Deletes every processing- and event-time timer of the tenant's keys; returns how many. */
    @SuppressWarnings("unchecked")
    private long dropTimers(String tenant) throws Exception {
        InternalTimerService<VoidNamespace> timers =
                getInternalTimerService(TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        List<Tuple2<K, Long>> processing = new ArrayList<>();
        List<Tuple2<K, Long>> event = new ArrayList<>();
        timers.forEachProcessingTimeTimer(
                (namespace, time) -> collect((K) getCurrentKey(), time, tenant, processing));
        timers.forEachEventTimeTimer(
                (namespace, time) -> collect((K) getCurrentKey(), time, tenant, event));
        for (Tuple2<K, Long> t : processing) {
            setCurrentKey(t.f0);
            timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, t.f1);
        }
        for (Tuple2<K, Long> t : event) {
            setCurrentKey(t.f0);
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, t.f1);
        }
        return processing.size() + event.size();
    }

    private void collect(K key, long time, String tenant, List<Tuple2<K, Long>> into) {
        if (tenant.equals(function.tenantOf(key))) {
            into.add(Tuple2.of(key, time));
        }
    }
}
