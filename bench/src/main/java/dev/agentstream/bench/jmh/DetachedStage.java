package dev.agentstream.bench.jmh;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.util.RuntimeUDFContext;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Runs one of the job's {@link ProcessFunction} stages on the calling thread, without a Flink task:
 * opened on a runtime context with unregistered metrics and empty job parameters (so tracing is
 * off, as by default), fed one element at a time at a fixed processing time, its outputs kept in
 * lists that the next element clears. What a task adds around the function (records crossing the
 * operator chain, serialization between stages, metric reporting, checkpoints) is not measured.
 *
 * <p>Not thread-safe: one per benchmark thread.
 */
final class DetachedStage<I, O> implements AutoCloseable {

    /** One side output the function wrote. */
    record SideOutput(String tag, Object value) {}

    private final ProcessFunction<I, O> function;
    private final List<O> out = new ArrayList<>();
    private final List<SideOutput> sideOutputs = new ArrayList<>();
    private final Collector<O> collector;
    private final ProcessFunction<I, O>.Context context;

    private DetachedStage(ProcessFunction<I, O> function, long now) {
        this.function = function;
        this.collector =
                new Collector<>() {
                    @Override
                    public void collect(O record) {
                        out.add(record);
                    }

                    @Override
                    public void close() {}
                };
        this.context = contextOf(function, new FixedClock(now), sideOutputs);
    }

    /** Opens {@code function} as a task of parallelism 1 would, processing time fixed at now. */
    static <I, O> DetachedStage<I, O> open(ProcessFunction<I, O> function, long now)
            throws Exception {
        function.setRuntimeContext(
                new RuntimeUDFContext(
                        new TaskInfoImpl("jmh", 1, 0, 1, 0),
                        DetachedStage.class.getClassLoader(),
                        new ExecutionConfig(),
                        new HashMap<>(),
                        new HashMap<>(),
                        UnregisteredMetricsGroup.createOperatorMetricGroup()));
        function.open(DefaultOpenContext.INSTANCE);
        return new DetachedStage<>(function, now);
    }

    /**
     * Feeds one element; returns what it wrote to the main output, in a list the next call reuses.
     */
    List<O> process(I element) throws Exception {
        out.clear();
        sideOutputs.clear();
        function.processElement(element, context, collector);
        return out;
    }

    /** What the last element wrote to the side output {@code tag}. */
    List<Object> sideOutput(OutputTag<?> tag) {
        List<Object> values = new ArrayList<>();
        for (SideOutput side : sideOutputs) {
            if (side.tag().equals(tag.getId())) {
                values.add(side.value());
            }
        }
        return values;
    }

    @Override
    public void close() throws Exception {
        function.close();
    }

    private static <I, O> ProcessFunction<I, O>.Context contextOf(
            ProcessFunction<I, O> function, TimerService timers, List<SideOutput> sideOutputs) {
        return function.new Context() {
            @Override
            public Long timestamp() {
                return null;
            }

            @Override
            public TimerService timerService() {
                return timers;
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
                sideOutputs.add(new SideOutput(tag.getId(), value));
            }
        };
    }

    /** Processing time that stands still; timers are for keyed stages, as in Flink. */
    private record FixedClock(long now) implements TimerService {

        @Override
        public long currentProcessingTime() {
            return now;
        }

        @Override
        public long currentWatermark() {
            return Long.MIN_VALUE;
        }

        @Override
        public void registerProcessingTimeTimer(long time) {
            throw new UnsupportedOperationException(UNSUPPORTED_REGISTER_TIMER_MSG);
        }

        @Override
        public void registerEventTimeTimer(long time) {
            throw new UnsupportedOperationException(UNSUPPORTED_REGISTER_TIMER_MSG);
        }

        @Override
        public void deleteProcessingTimeTimer(long time) {
            throw new UnsupportedOperationException(UNSUPPORTED_DELETE_TIMER_MSG);
        }

        @Override
        public void deleteEventTimeTimer(long time) {
            throw new UnsupportedOperationException(UNSUPPORTED_DELETE_TIMER_MSG);
        }
    }
}
