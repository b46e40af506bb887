package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.functions.RuntimeContext;

import dev.agentstream.udfs.turn.Turn;
import io.opentelemetry.api.trace.SpanKind;

import java.util.Locale;

/**
 * The spans of the quota stage: one {@code quota} span per turn, a child of the turn's
 * thread-context span and a sibling of its call's, from the turn's arrival to when it leaves,
 * admitted or rejected. A turn that waits for room is kept in keyed state, not a span: its span is
 * made when it leaves, begun at the arrival time its state holds, so that a wait across a restore
 * is one span too. The wait shows as the events {@code quota-wait} (at arrival) and {@code
 * quota-timer} (when the quota's timer let it go or rejected it), and the attributes {@code
 * agentstream.quota.waited_ms} and {@code agentstream.quota.released_by}.
 *
 * <p>Thread-safe.
 */
public final class QuotaSpans implements AutoCloseable {

    /** What let a waiting turn go, or rejected it. */
    public enum Release {
        /** The turn never waited. */
        NONE,
        /** A timer: room in the window, a new budget period, or the turn's max wait. */
        TIMER,
        /** A usage record settled a reservation to less than its estimate. */
        USAGE,
        /** Another turn's arrival, which looked at the queue again. */
        TURN
    }

    private final Tracing tracing;

    private QuotaSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    public static QuotaSpans open(RuntimeContext context) {
        return new QuotaSpans(Tracing.open(context));
    }

    public static QuotaSpans open(TracingSettings settings) {
        return new QuotaSpans(Tracing.open(settings));
    }

    /**
     * The span of a turn leaving the stage, begun and ended at once.
     *
     * @param estimate tokens it reserves (or would have), or -1 when not counted (no limits)
     * @param arrivedAt when it arrived, processing time, epoch milliseconds
     * @param now when it leaves
     * @param release what let it go after a wait, {@link Release#NONE} when it did not wait
     * @param limit for a rejected turn, the limit it was over ({@code rate}, {@code budget})
     */
    public void left(
            Turn turn, long estimate, long arrivedAt, long now, Release release, String limit) {
        if (!tracing.enabled()) {
            return;
        }
        StageSpan span =
                tracing.start(
                        SpanAttributes.QUOTA,
                        SpanKind.INTERNAL,
                        turn.traceparent,
                        TurnSpans.of(turn),
                        arrivedAt * 1_000_000L);
        span.set(
                        SpanAttributes.OUTCOME,
                        limit == null ? SpanAttributes.ADMITTED : SpanAttributes.REJECTED)
                .set(SpanAttributes.QUOTA_WAITED, Math.max(0, now - arrivedAt))
                .set(SpanAttributes.QUOTA_LIMIT, limit);
        if (estimate >= 0) {
            span.set(SpanAttributes.QUOTA_ESTIMATE, estimate);
        }
        if (release != Release.NONE) {
            span.event("quota-wait", arrivedAt);
            span.set(SpanAttributes.QUOTA_RELEASED_BY, release.name().toLowerCase(Locale.ROOT));
            if (release == Release.TIMER) {
                span.event("quota-timer", now);
            }
        }
        span.closeAt(now);
    }

    @Override
    public void close() {
        tracing.close();
    }
}
