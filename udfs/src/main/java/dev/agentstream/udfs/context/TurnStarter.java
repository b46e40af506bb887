package dev.agentstream.udfs.context;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.registry.Registry;
import dev.agentstream.udfs.registry.RouteLink;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.trace.ContextSpans;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import dev.agentstream.udfs.turn.TurnBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The thread-context stage's turns: at most one in flight per (thread, agent). An input for a busy
 * agent waits in {@link ThreadState}; the agent's next turn starts when the envelope that ends its
 * turn comes back on the thread, or when the release timer ({@link ContextSettings#turnRelease()})
 * fires first, with the history as it is then. A turn over the thread's turn or token allowance is
 * refused instead of started.
 */
final class TurnStarter {

    /** Refuses an envelope with a dead letter and a {@code <huh>} to its sender. */
    @FunctionalInterface
    interface Refuser {
        void refuse(
                Envelope envelope,
                DeadLetterReason reason,
                String detail,
                KeyedProcessFunction<String, Envelope, Turn>.Context ctx);
    }

    private static final Logger LOG = LoggerFactory.getLogger(TurnStarter.class);

    private final Organism organism;
    private final ContextSettings settings;
    private final ThreadState state;
    private final TurnBuilder turns;
    private final TokenCounter tokenCounter;
    private final Addressing addressing;
    private final Registry registry;
    private final Refusals refusals;
    private final ContextSpans spans;
    private final Refuser refuser;
    private final Counter started;
    private final Counter waiting;
    private final Counter released;
    private final Counter waitingEvicted;
    private final Counter refused;

    TurnStarter(
            Organism organism,
            ContextSettings settings,
            ThreadState state,
            Addressing addressing,
            Registry registry,
            Refusals refusals,
            ContextSpans spans,
            Refuser refuser,
            MetricGroup metrics,
            Counter refused) {
        this.organism = organism;
        this.settings = settings;
        this.state = state;
        this.addressing = addressing;
        this.registry = registry;
        this.refusals = refusals;
        this.spans = spans;
        this.refuser = refuser;
        this.refused = refused;
        this.tokenCounter = new TokenCounter();
        this.turns =
                new TurnBuilder(
                        organism,
                        settings.historyTokens(),
                        settings.maxCompletionTokens(),
                        tokenCounter);
        this.started = metrics.counter("turnsStarted");
        this.waiting = metrics.counter("turnsWaiting");
        this.released = metrics.counter("turnsReleasedWithoutAnswer");
        this.waitingEvicted = metrics.counter("waitingInputsEvicted");
    }

    /** One turn in flight per (thread, agent): a busy agent's input waits for its answer. */
    void startOrWait(
            Listener agent,
            ContextSlot slot,
            KeyedProcessFunction<String, Envelope, Turn>.Context ctx,
            Collector<Turn> out)
            throws Exception {
        if (state.isBusy(agent.name())) {
            state.enqueue(slot.seq, agent.name());
            waiting.inc();
        } else {
            start(agent, slot, ctx, out);
        }
    }

    /**
     * The end of the agent's turn in flight is back (the envelope marked with that turn's input):
     * its next waiting turn may start. Any other envelope from the agent leaves it busy.
     */
    void releaseAnswered(
            Envelope envelope,
            KeyedProcessFunction<String, Envelope, Turn>.Context ctx,
            Collector<Turn> out)
            throws Exception {
        Optional<String> answered = addressing.answeredAgent(envelope);
        Optional<String> turnEnd = registry.turnEndOf(envelope);
        if (answered.isPresent()
                && turnEnd.isPresent()
                && state.releaseTurn(answered.get(), turnEnd.get())) {
            startNextWaiting(answered.get(), ctx, out);
        }
    }

    /** The release timer at {@code timestamp}: agents busy since its turn's start go on. */
    void releaseOverdue(
            long timestamp,
            KeyedProcessFunction<String, Envelope, Turn>.Context ctx,
            Collector<Turn> out)
            throws Exception {
        long startedBy = timestamp - settings.turnRelease().toMillis();
        for (String agent : state.busySince(startedBy)) {
            LOG.warn(
                    "No answer from {} on thread {} after {}; its next turn starts anyway",
                    agent,
                    ctx.getCurrentKey(),
                    settings.turnRelease());
            state.release(agent);
            released.inc();
            startNextWaiting(agent, ctx, out);
        }
    }

    /** Starts the oldest waiting turn of {@code agent}, if it has one. */
    private void startNextWaiting(
            String agent,
            KeyedProcessFunction<String, Envelope, Turn>.Context ctx,
            Collector<Turn> out)
            throws Exception {
        Optional<ContextSlot> next =
                state.dequeue(
                        agent,
                        () -> {
                            LOG.warn(
                                    "A waiting input of {} on thread {} was evicted before its"
                                            + " turn (context.max-slots)",
                                    agent,
                                    ctx.getCurrentKey());
                            waitingEvicted.inc();
                        });
        if (next.isEmpty()) {
            return;
        }
        Optional<Listener> listener = organism.listener(agent).filter(Listener::agent);
        if (listener.isEmpty()) {
            // The organism changed across a restore: the agent is gone.
            refuser.refuse(
                    envelopeOf(next.get(), ctx),
                    DeadLetterReason.UNKNOWN_RECIPIENT,
                    "no agent named " + agent + " any more",
                    ctx);
            return;
        }
        start(listener.get(), next.get(), ctx, out);
    }

    private void start(
            Listener agent,
            ContextSlot input,
            KeyedProcessFunction<String, Envelope, Turn>.Context ctx,
            Collector<Turn> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        // The key is the input's (tenant, thread): on a timer there is no envelope to ask.
        String tenant = TenantNames.tenantOf(ctx.getCurrentKey());
        Turn turn = turns.build(tenant, agent, input, keep -> state.historyOf(input, keep), now);
        Optional<DeadLetterReason> limit = state.admit(estimatedTokens(turn));
        if (limit.isPresent()) {
            String detail =
                    limit.get() == DeadLetterReason.TURN_LIMIT
                            ? "thread reached " + settings.maxTurns() + " agent turns"
                            : "thread reached its allowance of "
                                    + settings.maxThreadTokens()
                                    + " tokens";
            refuse(envelopeOf(input, ctx), limit.get(), detail, ctx);
            return;
        }
        state.markBusy(agent.name(), now, input.envelopeId);
        ctx.timerService().registerProcessingTimeTimer(now + settings.turnRelease().toMillis());
        turn.thread = TenantNames.idOf(ctx.getCurrentKey());
        turn.root =
                input.root != null
                        ? input.root
                        : state.link().map(call -> call.root).orElse(turn.thread);
        started.inc();
        spans.turnStarted(turn);
        out.collect(turn);
    }

    /**
     * Refuses a turn at a thread limit. On a subthread whose call is still open, the caller hears
     * it as the call's answer, so that the conversation above goes on (or stops at its own limits)
     * instead of waiting for an answer that cannot come.
     */
    private void refuse(
            Envelope input,
            DeadLetterReason limit,
            String detail,
            KeyedProcessFunction<String, Envelope, Turn>.Context ctx)
            throws Exception {
        Optional<RouteLink> call = state.link();
        if (call.isEmpty() || call.get().answered) {
            refuser.refuse(input, limit, detail, ctx);
            return;
        }
        ctx.output(ThreadContextFunction.DEAD_LETTERS, refusals.deadLetter(input, limit, detail));
        long now = ctx.timerService().currentProcessingTime();
        ctx.output(ThreadContextFunction.BUS, registry.refusalUp(input, call.get(), detail, now));
        call.get().answered = true;
        state.updateLink(call.get());
        refused.inc();
    }

    /**
     * What a turn may cost: its prompt, from the counts its messages carry (see {@link
     * TurnBuilder}), and its completion limit.
     */
    private long estimatedTokens(Turn turn) {
        long tokens = turn.maxTokens;
        for (var message : turn.messages) {
            tokens += tokenCounter.count(message);
        }
        return tokens;
    }

    /** The envelope a slot was made from, for a dead letter. */
    private static Envelope envelopeOf(
            ContextSlot slot, KeyedProcessFunction<String, Envelope, Turn>.Context ctx) {
        Envelope e =
                new Envelope(
                        slot.from,
                        slot.to,
                        TenantNames.idOf(ctx.getCurrentKey()),
                        slot.payloadXml,
                        slot.payloadRoot,
                        "");
        e.envelopeId = slot.envelopeId;
        e.tenant = TenantNames.tenantOf(ctx.getCurrentKey());
        e.traceparent = slot.traceparent == null ? "" : slot.traceparent;
        return e;
    }
}
