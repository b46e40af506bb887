package dev.agentstream.udfs.trace;

import dev.agentstream.udfs.llm.AttemptListener;
import dev.agentstream.udfs.turn.Turn;
import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code llm-attempt} span per attempt of the router, a child of the turn's {@code llm-call}
 * span (which the turn it sends carries): the backend, the model, the attempt's number and, when it
 * failed, its error class. Never throws into the router.
 */
final class AttemptSpans implements AttemptListener {

    private static final Logger LOG = LoggerFactory.getLogger(AttemptSpans.class);

    private final Tracing tracing;

    AttemptSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    @Override
    public Attempt started(Turn turn, String backend, String model, int number) {
        StageSpan span;
        try {
            span =
                    tracing.start(
                                    SpanAttributes.LLM_ATTEMPT,
                                    SpanKind.CLIENT,
                                    turn.traceparent,
                                    TurnSpans.of(turn))
                            .set(SpanAttributes.OPERATION, "chat")
                            .set(SpanAttributes.BACKEND, backend)
                            .set(SpanAttributes.REQUEST_MODEL, model)
                            .set(SpanAttributes.ATTEMPT, (long) number);
        } catch (RuntimeException e) {
            LOG.debug("No span for an attempt: {}", e.getClass().getSimpleName());
            return Attempt.NONE;
        }
        return new Attempt() {
            @Override
            public void succeeded() {
                span.close();
            }

            @Override
            public void failed(String errorClass) {
                span.fail(errorClass);
                span.close();
            }

            @Override
            public void cancelled() {
                span.fail("cancelled");
                span.close();
            }
        };
    }
}
