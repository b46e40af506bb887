package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.Preconditions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a keyed stage with erase commands broadcast to it, inside an {@link ErasingOperator}.
 * Envelopes, timers, side outputs and metrics go to the stage as if it ran alone; each {@link
 * EraseTenant} makes the stage clear that tenant's keys ({@link TenantErasable#eraseTenant}), the
 * operator drops their timers, and this subtask's counts leave as an {@link ErasurePart} on {@link
 * ErasurePart#TAG}.
 *
 * <p>The stage keeps its state names, so wrapping a stage that ran alone keeps its savepoints
 * restorable under the same uid: keyed state and timers belong to the operator, whatever its
 * inputs. The stage owns all the state; this wrapper owns none.
 */
public final class ErasingFunction<K, IN, OUT>
        extends KeyedBroadcastProcessFunction<K, IN, EraseTenant, OUT> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErasingFunction.class);

    private final String stageName;
    private final KeyedProcessFunction<K, IN, OUT> stage;

    /** Timers {@link ErasingOperator} dropped for the command being carried out. */
    private transient long timersDropped;

    /**
     * @param stageName the stage's uid: its parts are counted under it
     * @param stage the keyed stage, which must be {@link TenantErasable}
     */
    public <F extends KeyedProcessFunction<K, IN, OUT> & TenantErasable<K, OUT>> ErasingFunction(
            String stageName, F stage) {
        this.stageName = Preconditions.checkNotNull(stageName, "stageName");
        this.stage = Preconditions.checkNotNull(stage, "stage");
    }

    public String stageName() {
        return stageName;
    }

    @SuppressWarnings("unchecked")
    String tenantOf(K key) {
        return ((TenantErasable<K, OUT>) stage).tenantOf(key);
    }

    /** The timers of the command's tenant that the operator dropped, counted in its part. */
    void timersDropped(long n) {
        timersDropped = n;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        stage.setRuntimeContext(getRuntimeContext());
        stage.open(openContext);
    }

    @Override
    public void close() throws Exception {
        stage.close();
    }

    @Override
    public void processElement(IN value, ReadOnlyContext ctx, Collector<OUT> out) throws Exception {
        stage.processElement(value, new StageContext(ctx), out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OUT> out) throws Exception {
        stage.onTimer(timestamp, new StageTimerContext(ctx), out);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void processBroadcastElement(EraseTenant command, Context ctx, Collector<OUT> out)
            throws Exception {
        ErasureTally tally =
                ((TenantErasable<K, OUT>) stage)
                        .eraseTenant(command.tenant, ctx::applyToKeyedState, out);
        tally.add("timers", timersDropped);
        timersDropped = 0;
        var task = getRuntimeContext().getTaskInfo();
        ctx.output(
                ErasurePart.TAG,
                ErasurePart.of(
                        command,
                        stageName,
                        task.getIndexOfThisSubtask(),
                        task.getNumberOfParallelSubtasks(),
                        tally));
        LOG.info(
                "Erased tenant {} from {} subtask {} (command {}): {}",
                command.tenant,
                stageName,
                task.getIndexOfThisSubtask(),
                command.commandId,
                tally);
    }

    /** The stage's view of an element's context. */
    private final class StageContext extends KeyedProcessFunction<K, IN, OUT>.Context {

        private final ReadOnlyContext ctx;

        StageContext(ReadOnlyContext ctx) {
            stage.super();
            this.ctx = ctx;
        }

        @Override
        public Long timestamp() {
            return ctx.timestamp();
        }

        @Override
        public TimerService timerService() {
            return ctx.timerService();
        }

        @Override
        public <X> void output(OutputTag<X> outputTag, X value) {
            ctx.output(outputTag, value);
        }

        @Override
        public K getCurrentKey() {
            return ctx.getCurrentKey();
        }
    }

    /** The stage's view of a timer's context. */
    private final class StageTimerContext extends KeyedProcessFunction<K, IN, OUT>.OnTimerContext {

        private final OnTimerContext ctx;

        StageTimerContext(OnTimerContext ctx) {
            stage.super();
            this.ctx = ctx;
        }

        @Override
        public Long timestamp() {
            return ctx.timestamp();
        }

        @Override
        public TimerService timerService() {
            return ctx.timerService();
        }

        @Override
        public <X> void output(OutputTag<X> outputTag, X value) {
            ctx.output(outputTag, value);
        }

        @Override
        public TimeDomain timeDomain() {
            return ctx.timeDomain();
        }

        @Override
        public K getCurrentKey() {
            return ctx.getCurrentKey();
        }
    }
}
