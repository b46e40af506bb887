package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.functions.RuntimeContext;

import dev.agentstream.udfs.llm.AttemptListener;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.turn.Turn;
import io.opentelemetry.api.trace.SpanKind;

/**
 * The spans of the LLM-call stage: one {@code llm-call} span per turn, a child of the turn's
 * thread-context span, from the call's start to its one result (an answer, a failure, the
 * operator's timeout), and under it one {@code llm-attempt} span per attempt the router makes
 * ({@link #attempts()}). The result carries the call's span to the emit stage.
 *
 * <p>Thread-safe: spans end on whichever thread completes the call.
 */
public final class CallSpans implements AutoCloseable {

    private final Tracing tracing;

    private CallSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    public static CallSpans open(RuntimeContext context) {
        return new CallSpans(Tracing.open(context));
    }

    public static CallSpans open(TracingSettings settings) {
        return new CallSpans(Tracing.open(settings));
    }

    /** The call's span; {@link #end} ends it. */
    public StageSpan start(Turn turn) {
        return tracing.start(
                        SpanAttributes.LLM_CALL,
                        SpanKind.INTERNAL,
                        turn.traceparent,
                        TurnSpans.of(turn))
                .set(SpanAttributes.OPERATION, "chat")
                .set(SpanAttributes.REQUEST_MODEL, turn.model);
    }

    /** The turn as the router gets it: carrying the call's span, the parent of each attempt's. */
    public static Turn traced(Turn turn, StageSpan call) {
        String traceparent = call == null ? "" : call.traceparent();
        return traceparent.isEmpty() ? turn : turn.withTraceparent(traceparent);
    }

    /**
     * Ends the call's span with the turn's outcome, once whatever calls it, and gives the result
     * the span as the parent of the emit stage's.
     */
    public static void end(StageSpan call, TurnResult result) {
        if (call == null) {
            return;
        }
        String traceparent = call.traceparent();
        if (!traceparent.isEmpty()) {
            result.traceparent = traceparent;
        }
        call.set(SpanAttributes.TURN_STATUS, result.status)
                .set(SpanAttributes.ATTEMPTS, (long) result.attempts)
                .set(SpanAttributes.CACHE_HIT, result.cacheHit);
        if (result.isOk() || result.isRefused()) {
            if (!result.responseModel.isEmpty()) {
                call.set(SpanAttributes.RESPONSE_MODEL, result.responseModel);
            }
            call.set(SpanAttributes.INPUT_TOKENS, (long) result.promptTokens)
                    .set(SpanAttributes.OUTPUT_TOKENS, (long) result.completionTokens);
        } else {
            // The failure's text may quote a provider: only its class goes on the span.
            call.fail(TurnResult.TIMED_OUT.equals(result.error) ? "timeout" : result.status);
        }
        call.close();
    }

    /** What makes the attempts' spans; hears nothing when tracing is off. */
    public AttemptListener attempts() {
        return tracing.enabled() ? new AttemptSpans(tracing) : AttemptListener.NONE;
    }

    @Override
    public void close() {
        tracing.close();
    }
}
