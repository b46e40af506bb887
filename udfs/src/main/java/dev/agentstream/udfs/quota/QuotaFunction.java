package dev.agentstream.udfs.quota;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.TimeUtils;

import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.erasure.EraseTenant;
import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.erasure.ErasureTally;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.trace.QuotaSpans;
import dev.agentstream.udfs.trace.QuotaSpans.Release;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keyed by tenant, before the LLM call: holds each tenant to its tokens per minute (a sliding
 * window of processing time) and its budget per period, whatever the job's parallelism, since every
 * turn of a tenant passes through its one key. Input 1 is the turns; input 2 the usage records read
 * back from the committed usage topic, which settle what the turns reserved.
 *
 * <p>A turn reserves an estimate: its prompt counted with jtokkit plus its completion limit. When
 * the tenant has room it goes on at once; otherwise it waits in state, first in first out, and a
 * timer tries again when the window frees room or the turn's max wait is up. A turn still without
 * room then, or one that could never fit, leaves as a rejected result (side output {@link
 * #REJECTED}): the emit stage turns it into a {@code <huh>} to its sender and a usage record with
 * status {@code rejected}. A tenant without limits is let through without any state, keyed by
 * thread so that its turns spread over the subtasks (see {@link QuotaKeys}).
 *
 * <p>State (see {@link QuotaState}): {@code quota-head} (window and budget totals, sequence
 * bounds), {@code quota-reservations} (sequence → reservation), {@code quota-reservation-ids}
 * (usage id → sequence), {@code quota-waiting} (sequence → waiting turn); processing-time timers to
 * retry, reject and clean up.
 *
 * <p>A turn that carries an erase command ({@link Turn#erase}) is keyed to its tenant's own key
 * ({@link QuotaKeys#erasing}), the one key that can hold the tenant's state: the stage clears that
 * key's state and timers, drops its waiting turns without a word for them, and sends one {@link
 * ErasurePart} (side output {@link ErasurePart#TAG}) for the whole stage.
 *
 * <p>With tracing on, every turn that leaves the stage gets a {@code quota} span from its arrival
 * ({@link QuotaSpans}): a wait for room shows on it, made when the turn leaves, from state.
 */
public class QuotaFunction extends KeyedCoProcessFunction<String, Turn, UsageRecord, Turn> {

    public static final OutputTag<TurnResult> REJECTED =
            new OutputTag<>("quota-rejected", TypeInformation.of(TurnResult.class));

    /** The stage's name in erasure receipts: its uid. */
    public static final String ERASURE_STAGE = "quota";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(QuotaFunction.class);

    private final QuotaSettings settings;

    private transient QuotaState state;
    private transient Ledger ledger;
    private transient TokenCounter tokens;
    private transient Counter admitted;
    private transient Counter rejected;
    private transient Counter settled;
    private transient Counter expired;
    private transient QuotaSpans spans;

    /** Turns waiting in this subtask, for the gauge; rebuilt from state as tenants are touched. */
    private transient volatile long waiting;

    private transient long epoch;

    public QuotaFunction(QuotaSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        state = new QuotaState(getRuntimeContext());
        ledger = new Ledger(state, settings);
        tokens = new TokenCounter();
        var metrics = getRuntimeContext().getMetricGroup();
        admitted = metrics.counter("quotaAdmitted");
        rejected = metrics.counter("quotaRejected");
        settled = metrics.counter("quotaSettled");
        expired = metrics.counter("quotaReservationsExpired");
        metrics.gauge("quotaWaiting", (Gauge<Long>) () -> waiting);
        epoch = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        spans = QuotaSpans.open(getRuntimeContext());
        QuotaLimits d = settings.table().defaults();
        LOG.info(
                "Quotas: by default {} tokens per minute, a budget of {} tokens per {}, waits of"
                        + " up to {}; {} tenants with their own limits; window {}",
                d.tokensPerMinute(),
                d.budgetTokens(),
                TimeUtils.formatWithHighestUnit(settings.budgetPeriod()),
                TimeUtils.formatWithHighestUnit(d.maxWait()),
                settings.table().tenants().size(),
                TimeUtils.formatWithHighestUnit(settings.window()));
    }

    @Override
    public void processElement1(Turn turn, Context ctx, Collector<Turn> out) throws Exception {
        if (turn.erase != null) {
            erase(turn.erase, ctx);
            return;
        }
        QuotaLimits limits = settings.table().of(tenant(ctx));
        long now = ctx.timerService().currentProcessingTime();
        QuotaHead stored = state.head.value();
        if (stored == null && limits.unlimited()) {
            admit(turn, -1, now, now, Release.NONE, out);
            return;
        }
        QuotaHead h = stored == null ? new QuotaHead() : stored;
        ledger.advance(h, now);
        long estimate = tokens.promptTokens(turn.messages) + Math.max(0, turn.maxTokens);
        long wake = Long.MAX_VALUE;
        if (h.waiting() == 0 && fitsNow(h, estimate, limits)) {
            reserve(h, turn, estimate, now, limits);
            admit(turn, estimate, now, now, Release.NONE, out);
        } else {
            long deadline = now + limits.maxWait().toMillis();
            state.waiting.put(h.waitNext++, new WaitingTurn(turn, estimate, now, deadline));
            wake = drain(h, now, limits, Release.TURN, ctx, out);
        }
        finish(h, wake, tenant(ctx), ctx.timerService());
    }

    @Override
    public void processElement2(UsageRecord usage, Context ctx, Collector<Turn> out)
            throws Exception {
        QuotaHead h = state.head.value();
        if (h == null) {
            return; // nothing reserved for this tenant: a turn of no quota, or long settled
        }
        long now = ctx.timerService().currentProcessingTime();
        ledger.advance(h, now);
        if (ledger.settle(h, usage.usageId, actualTokens(usage))) {
            settled.inc();
        }
        long wake = drain(h, now, settings.table().of(tenant(ctx)), Release.USAGE, ctx, out);
        finish(h, wake, tenant(ctx), ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Turn> out) throws Exception {
        QuotaHead h = state.head.value();
        if (h == null) {
            return;
        }
        // This timer is gone now; the others are still set.
        h.wakeAt = h.wakeAt == timestamp ? 0 : h.wakeAt;
        h.cleanupAt = h.cleanupAt == timestamp ? 0 : h.cleanupAt;
        long now = Math.max(timestamp, ctx.timerService().currentProcessingTime());
        ledger.advance(h, now);
        long wake = drain(h, now, settings.table().of(tenant(ctx)), Release.TIMER, ctx, out);
        finish(h, wake, tenant(ctx), ctx.timerService());
    }

    @Override
    public void close() throws Exception {
        if (spans != null) {
            spans.close();
        }
        super.close();
    }

    /** Every keyed state the stage registers, for a State Processor API reader. */
    public List<StateDescriptor<?, ?>> keyedStateDescriptors() {
        return QuotaState.descriptors();
    }

    /**
     * Erases the current key, the tenant's only key with state: its head, reservations and waiting
     * turns (which leave without a result: the tenant is being erased), and the timers its head set
     * (a key without a head has none). One part says what this was, for the whole stage.
     */
    private void erase(EraseTenant command, Context ctx) throws Exception {
        QuotaHead h = state.head.value();
        long timers = 0;
        if (h != null) {
            timers = dropTimers(h, ctx.timerService());
            waiting -= h.gaugeEpoch == epoch ? h.gaugeShare : 0;
        }
        ErasureTally tally = state.erase().add("timers", timers);
        ctx.output(ErasurePart.TAG, ErasurePart.of(command, ERASURE_STAGE, 0, 1, tally));
        LOG.info(
                "Erased tenant {} from {} subtask {} (command {}): {}",
                command.tenant,
                ERASURE_STAGE,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                command.commandId,
                tally);
    }

    /** Deletes the timers {@code h} set, one when both share a time; returns how many. */
    private static long dropTimers(QuotaHead h, TimerService timers) {
        long n = 0;
        if (h.wakeAt != 0) {
            timers.deleteProcessingTimeTimer(h.wakeAt);
            n++;
        }
        if (h.cleanupAt != 0 && h.cleanupAt != h.wakeAt) {
            timers.deleteProcessingTimeTimer(h.cleanupAt);
            n++;
        }
        return n;
    }

    /**
     * Lets waiting turns go, first in first out, while there is room; rejects those past their wait
     * and those that can never fit.
     *
     * @param cause what made the stage look at the queue again, for the spans of the turns that
     *     leave it
     * @return when the first turn left could go, or must be rejected; {@link Long#MAX_VALUE} when
     *     none is left
     */
    private long drain(
            QuotaHead h,
            long now,
            QuotaLimits limits,
            Release cause,
            Context ctx,
            Collector<Turn> out)
            throws Exception {
        while (h.waiting() > 0) {
            WaitingTurn w = state.waiting.get(h.waitFirst);
            if (w != null) {
                // A turn that leaves in the call it arrived in never waited.
                Release release =
                        w.arrivedAt == now && cause == Release.TURN ? Release.NONE : cause;
                Ledger.Block never = limits.unlimited() ? null : ledger.never(w.estimate, limits);
                Ledger.Block blocked =
                        never != null || limits.unlimited()
                                ? null
                                : ledger.blocked(h, w.estimate, limits);
                if (never != null) {
                    String reason = Reasons.never(tenant(ctx), w, never, limits, settings);
                    reject(w, never, reason, now, release, ctx);
                } else if (blocked == null) {
                    reserve(h, w.turn, w.estimate, now, limits);
                    admit(w.turn, w.estimate, w.arrivedAt, now, release, out);
                } else if (now >= w.deadline) {
                    String reason = Reasons.waited(tenant(ctx), w, blocked, limits, settings);
                    reject(w, blocked, reason, now, release, ctx);
                } else {
                    return Math.min(w.deadline, ledger.nextRoom(h, blocked));
                }
            }
            state.waiting.remove(h.waitFirst);
            h.waitFirst++;
        }
        return Long.MAX_VALUE;
    }

    /** True when {@code estimate} may be reserved now (always, for a tenant without limits). */
    private boolean fitsNow(QuotaHead h, long estimate, QuotaLimits limits) {
        return limits.unlimited()
                || (ledger.never(estimate, limits) == null
                        && ledger.blocked(h, estimate, limits) == null);
    }

    private void reserve(QuotaHead h, Turn turn, long estimate, long now, QuotaLimits limits)
            throws Exception {
        if (!limits.unlimited()) {
            ledger.reserve(h, usageId(turn), estimate, now, limits);
        }
    }

    /**
     * Sets the timers the tenant needs (for its first waiting turn, and to drop what its log and
     * budget no longer need) and deletes those it no longer does; counts expired reservations and
     * the tenant's waiting turns for the gauge; saves.
     */
    private void finish(QuotaHead h, long wake, String tenant, TimerService timers)
            throws Exception {
        long cleanup = ledger.nextCleanup(h);
        if (cleanup == Long.MAX_VALUE && h.waiting() == 0 && h.budgetUsed > 0) {
            cleanup = ledger.periodEnd(h);
        }
        reset(timers, h.wakeAt, h.cleanupAt, wake, cleanup);
        reset(timers, h.cleanupAt, h.wakeAt, cleanup, wake);
        h.wakeAt = wake == Long.MAX_VALUE ? 0 : wake;
        h.cleanupAt = cleanup == Long.MAX_VALUE ? 0 : cleanup;
        int dropped = ledger.takeExpired();
        if (dropped > 0) {
            expired.inc(dropped);
            LOG.warn(
                    "{} reservations of tenant {} had no usage record within {}: they stay charged"
                            + " at their estimates",
                    dropped,
                    tenant,
                    TimeUtils.formatWithHighestUnit(settings.reservationTtl()));
        }
        int share = h.gaugeEpoch == epoch ? h.gaugeShare : 0;
        waiting += h.waiting() - share;
        h.gaugeEpoch = epoch;
        h.gaugeShare = h.waiting();
        state.save(h);
    }

    /**
     * Moves one timer from {@code was} to {@code will} (0 and {@link Long#MAX_VALUE}: none); a
     * timer the other one shares is left alone, since Flink keeps one timer per time.
     */
    private static void reset(
            TimerService timers, long was, long other, long will, long otherWill) {
        if (was == will) {
            return;
        }
        if (was != 0 && was != other && was != otherWill) {
            timers.deleteProcessingTimeTimer(was);
        }
        if (will != Long.MAX_VALUE) {
            timers.registerProcessingTimeTimer(will);
        }
    }

    /**
     * Lets the turn through to its call.
     *
     * @param estimate its estimate, or -1 for a turn of a tenant without limits (not counted)
     * @param arrivedAt when it came to the stage
     */
    private void admit(
            Turn turn,
            long estimate,
            long arrivedAt,
            long now,
            Release release,
            Collector<Turn> out) {
        turn.admittedAt = now;
        admitted.inc();
        spans.left(turn, estimate, arrivedAt, now, release, null);
        out.collect(turn);
    }

    private void reject(
            WaitingTurn w,
            Ledger.Block why,
            String reason,
            long now,
            Release release,
            Context ctx) {
        Turn turn = w.turn;
        turn.admittedAt = now;
        rejected.inc();
        LOG.debug("Rejected a turn of {} on thread {}: over quota", turn.agent, turn.thread);
        spans.left(
                turn, w.estimate, w.arrivedAt, now, release, why.name().toLowerCase(Locale.ROOT));
        ctx.output(REJECTED, TurnResult.rejected(turn, reason));
    }

    /** The tenant of the current key (see {@link QuotaKeys}). */
    private static String tenant(Context ctx) {
        return QuotaKeys.tenantOf(ctx.getCurrentKey());
    }

    /** The usage id of the record the turn's usage comes back with (see {@code UsageRecords}). */
    static String usageId(Turn turn) {
        return turn.inputEnvelopeId + "/" + turn.agent;
    }

    /** Tokens a usage record settles: what the provider billed; none for a turn not called. */
    static long actualTokens(UsageRecord usage) {
        if (usage.cacheHit
                || TurnResult.FAILED.equals(usage.status)
                || TurnResult.REJECTED.equals(usage.status)) {
            return 0;
        }
        return Math.max(0, usage.totalTokens);
    }
}
