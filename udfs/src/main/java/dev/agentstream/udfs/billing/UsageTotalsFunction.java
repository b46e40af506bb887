package dev.agentstream.udfs.billing;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.Preconditions;

import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.erasure.ErasureTally;
import dev.agentstream.udfs.erasure.KeyedStates;
import dev.agentstream.udfs.erasure.TenantErasable;
import dev.agentstream.udfs.erasure.TenantStateEraser;

import java.time.Duration;
import java.util.List;

/**
 * Totals of usage per tenant and minute of event time, keyed by (tenant, window start): each key is
 * one window, and every total it emits is the whole window recomputed from the records it holds, so
 * that writing it is idempotent and a replay cannot double it.
 *
 * <p>A window's total is emitted {@code flushInterval} of processing time after a record changed it
 * (so that totals do not wait for the watermark while everything is quiet), when the watermark
 * passes its end ({@link WindowTotal#closed}), and again for each record that arrives later but
 * within {@code allowedLateness}. Its records are then dropped. A record later still goes to {@link
 * #LATE} as a correction of its own, keyed by its usage id: counted, never dropped.
 *
 * <p>State: {@code usage-window-records} (usage id → record: the window, a record seen twice
 * counted once) and {@code usage-window-mark} (records in the last emitted total, closed, flush
 * pending). A tenant's erasure ({@link TenantErasable}) writes the totals its windows still owe,
 * then clears both; the window's timers fire on empty state and do nothing.
 */
public class UsageTotalsFunction extends KeyedProcessFunction<String, UsageRecord, WindowTotal>
        implements TenantErasable<String, WindowTotal> {

    /** Records that came after their window was gone, each as a correction of its own. */
    public static final OutputTag<WindowTotal> LATE =
            new OutputTag<>("usage-late", TypeInformation.of(WindowTotal.class));

    /** Names of the stage's keyed state, for the tools that read savepoints: never change one. */
    public static final String RECORDS = "usage-window-records";

    public static final String MARK = "usage-window-mark";

    private static final long serialVersionUID = 1L;

    private final long allowedLatenessMs;
    private final long flushIntervalMs;

    private transient MapState<String, UsageRecord> records;
    private transient ValueState<WindowMark> mark;
    private transient TenantStateEraser<String> eraser;
    private transient Counter late;
    private transient Counter updatedLate;

    public UsageTotalsFunction(Duration allowedLateness, Duration flushInterval) {
        Preconditions.checkArgument(!allowedLateness.isNegative(), "Lateness must not be < 0");
        Preconditions.checkArgument(
                flushInterval.toMillis() > 0, "The flush interval must be positive");
        this.allowedLatenessMs = allowedLateness.toMillis();
        this.flushIntervalMs = flushInterval.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        records = getRuntimeContext().getMapState(recordsDescriptor());
        mark = getRuntimeContext().getState(markDescriptor());
        eraser =
                TenantStateEraser.<String>forKeys(BillingKeys::tenantOf)
                        .keys("usage-windows", markDescriptor())
                        .entries("usage-records", recordsDescriptor())
                        .build(keyedStateDescriptors());
        late = getRuntimeContext().getMetricGroup().counter("usageLate");
        updatedLate = getRuntimeContext().getMetricGroup().counter("usageLateWithinLateness");
    }

    private static MapStateDescriptor<String, UsageRecord> recordsDescriptor() {
        return new MapStateDescriptor<>(
                RECORDS, Types.STRING, TypeInformation.of(UsageRecord.class));
    }

    private static ValueStateDescriptor<WindowMark> markDescriptor() {
        return new ValueStateDescriptor<>(MARK, TypeInformation.of(WindowMark.class));
    }

    @Override
    public String tenantOf(String key) {
        return BillingKeys.tenantOf(key);
    }

    @Override
    public List<StateDescriptor<?, ?>> keyedStateDescriptors() {
        return List.of(recordsDescriptor(), markDescriptor());
    }

    /**
     * Writes the total of each of the tenant's windows that changed since its last total (the
     * totals are the tenant's bill, not its data), then drops the windows' usage records.
     */
    @Override
    public ErasureTally eraseTenant(
            String tenant, KeyedStates<String> states, Collector<WindowTotal> out)
            throws Exception {
        states.forEachKey(
                markDescriptor(),
                (key, window) -> {
                    // The backend's current key is this key: the function's own states read it.
                    WindowMark m = window.value();
                    if (m == null || !tenant.equals(BillingKeys.tenantOf(key))) {
                        return;
                    }
                    for (UsageRecord u : records.values()) {
                        if (m.emitted != count()) {
                            emit(u.tenant, UsageWindows.start(u.timestamp), m, out);
                        }
                        break;
                    }
                });
        return eraser.erase(tenant, states);
    }

    @Override
    public void processElement(UsageRecord usage, Context ctx, Collector<WindowTotal> out)
            throws Exception {
        long start = UsageWindows.start(usage.timestamp);
        long end = start + UsageWindows.WINDOW_MS - 1;
        if (ctx.timerService().currentWatermark() >= end + allowedLatenessMs) {
            late.inc();
            WindowTotal correction = UsageWindows.total(usage.tenant, start, List.of(usage));
            correction.closed = true;
            correction.lateUsageId = usage.usageId;
            ctx.output(LATE, correction);
            return;
        }
        records.put(usage.usageId, usage);
        WindowMark m = mark.value() == null ? new WindowMark() : mark.value();
        if (m.closed) {
            updatedLate.inc();
            emit(usage.tenant, start, m, out);
        } else {
            ctx.timerService().registerEventTimeTimer(end);
            if (!m.flushPending) {
                m.flushPending = true;
                ctx.timerService()
                        .registerProcessingTimeTimer(
                                ctx.timerService().currentProcessingTime() + flushIntervalMs);
            }
        }
        ctx.timerService().registerEventTimeTimer(end + allowedLatenessMs);
        mark.update(m);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowTotal> out)
            throws Exception {
        WindowMark m = mark.value();
        if (m == null) {
            return; // cleaned already
        }
        String tenant = null;
        long start = 0;
        for (UsageRecord u : records.values()) {
            tenant = u.tenant;
            start = UsageWindows.start(u.timestamp);
            break;
        }
        if (tenant == null) {
            return;
        }
        long end = start + UsageWindows.WINDOW_MS - 1;
        if (ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.PROCESSING_TIME) {
            m.flushPending = false;
            if (!m.closed && m.emitted != count()) {
                emit(tenant, start, m, out);
            }
            mark.update(m);
            return;
        }
        if (timestamp == end && !m.closed) {
            m.closed = true;
            emit(tenant, start, m, out);
            mark.update(m);
        }
        if (timestamp == end + allowedLatenessMs) {
            records.clear();
            mark.clear();
        }
    }

    private void emit(String tenant, long start, WindowMark m, Collector<WindowTotal> out)
            throws Exception {
        WindowTotal total = UsageWindows.total(tenant, start, records.values());
        total.closed = m.closed;
        m.emitted = (int) total.turns;
        out.collect(total);
    }

    private int count() throws Exception {
        int n = 0;
        for (String ignored : records.keys()) {
            n++;
        }
        return n;
    }

    /** What a window has emitted so far. */
    public static class WindowMark {
        /** Records in the last total emitted; 0 before the first. */
        public int emitted;

        public boolean closed;
        public boolean flushPending;

        public WindowMark() {}
    }
}
