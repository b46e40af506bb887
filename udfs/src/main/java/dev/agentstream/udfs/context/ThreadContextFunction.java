package dev.agentstream.udfs.context;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import dev.agentstream.udfs.turn.TurnBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Keyed by thread: appends every envelope of the thread to its context, in arrival order, and
 * starts a turn when an envelope is addressed to one of the organism's LLM agents with that agent's
 * payload.
 *
 * <p>The recipient is {@code <to>} when present, else the listener whose root tag the payload
 * carries (xml-pipeline routes by root tag). An envelope that names no listener of the organism
 * (unless an agent of the organism wrote it to someone outside, such as the sender it answers), or
 * gives an agent a payload that is not the agent's, is refused: a dead letter, and a {@code <huh>}
 * to its sender. Replies and errors the job wrote (payloads in its own or the system namespace) are
 * recorded and never routed, so that nothing the job writes can loop.
 *
 * <p>At most one turn per (thread, agent) is in flight: an envelope for a busy agent waits in state
 * and its turn starts when the agent's answer comes back on the thread (or, failing that, after
 * {@link ContextSettings#turnRelease()}), with the history as it is then. Other threads and other
 * agents never wait.
 *
 * <p>State: see {@link ThreadState} (slots, a head, busy agents and waiting turns per thread, all
 * with the TTL); one processing-time timer per started turn.
 */
public class ThreadContextFunction extends KeyedProcessFunction<String, Envelope, Turn> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("context-dead-letters", TypeInformation.of(DeadLetter.class));

    /** {@code <huh>} envelopes the job writes back to a thread's sender: go to the bus. */
    public static final OutputTag<Envelope> ERRORS =
            new OutputTag<>("context-errors", TypeInformation.of(Envelope.class));

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ThreadContextFunction.class);

    private final Organism organism;
    private final ContextSettings settings;
    private final EnvelopeLimits limits;

    private transient ThreadState state;
    private transient Refusals refusals;
    private transient TokenCounter tokenCounter;
    private transient TurnBuilder turns;
    private transient Counter appended;
    private transient Counter evicted;
    private transient Counter turnsStarted;
    private transient Counter refused;
    private transient Counter turnsWaiting;
    private transient Counter turnsReleased;

    public ThreadContextFunction(Organism organism, ContextSettings settings) {
        this(organism, settings, EnvelopeLimits.defaults());
    }

    public ThreadContextFunction(
            Organism organism, ContextSettings settings, EnvelopeLimits limits) {
        this.organism = organism;
        this.settings = settings;
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        state = ThreadState.open(getRuntimeContext(), settings);
        refusals = new Refusals(new EnvelopeCodec(limits));
        tokenCounter = new TokenCounter();
        turns =
                new TurnBuilder(
                        organism,
                        settings.historyTokens(),
                        settings.maxCompletionTokens(),
                        tokenCounter);
        var metrics = getRuntimeContext().getMetricGroup();
        appended = metrics.counter("contextAppends");
        evicted = metrics.counter("contextEvictions");
        turnsStarted = metrics.counter("turnsStarted");
        refused = metrics.counter("envelopesRefused");
        turnsWaiting = metrics.counter("turnsWaiting");
        turnsReleased = metrics.counter("turnsReleasedWithoutAnswer");
    }

    @Override
    public void processElement(Envelope envelope, Context ctx, Collector<Turn> out)
            throws Exception {
        Optional<Listener> recipient = recipient(envelope);
        if (!isSystemMessage(envelope)) {
            Optional<DeadLetterReason> problem = problem(envelope, recipient);
            if (problem.isPresent()) {
                refuse(
                        envelope,
                        problem.get(),
                        Refusals.detail(envelope, problem.get(), recipient),
                        ctx);
                return;
            }
        }

        long now = ctx.timerService().currentProcessingTime();
        ContextSlot slot =
                new ContextSlot(
                        0,
                        envelope.from,
                        envelope.to,
                        envelope.payloadRoot,
                        envelope.payloadXml,
                        envelope.envelopeId,
                        now);
        slot.tokens = tokenCounter.count(envelope.payloadXml);
        evicted.inc(state.append(slot));
        appended.inc();

        // The agent's answer is back: its next waiting turn may start.
        Optional<String> answered = answeredAgent(envelope);
        if (answered.isPresent() && state.release(answered.get())) {
            startNextWaiting(answered.get(), ctx, out);
        }

        // problem() has refused anything but an agent's own payload for an agent.
        if (!isSystemMessage(envelope) && recipient.isPresent() && recipient.get().agent()) {
            String agent = recipient.get().name();
            if (state.isBusy(agent)) {
                // One turn in flight per (thread, agent): this one waits for the answer.
                state.enqueue(slot.seq, agent);
                turnsWaiting.inc();
            } else {
                startTurn(recipient.get(), slot, ctx, out);
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Turn> out) throws Exception {
        long startedBy = timestamp - settings.turnRelease().toMillis();
        for (String agent : state.busySince(startedBy)) {
            LOG.warn(
                    "No answer from {} on thread {} after {}; its next turn starts anyway",
                    agent,
                    ctx.getCurrentKey(),
                    settings.turnRelease());
            state.release(agent);
            turnsReleased.inc();
            startNextWaiting(agent, ctx, out);
        }
    }

    /**
     * The agent whose turn this envelope ends: its sender when an agent wrote it, or the agent a
     * job's error is addressed to (the only output of a turn whose answer could not be sent).
     */
    private Optional<String> answeredAgent(Envelope envelope) {
        if (organism.isAgent(envelope.from)) {
            return Optional.of(envelope.from);
        }
        boolean jobError =
                SystemPayloads.JOB_SENDER.equals(envelope.from) && isSystemMessage(envelope);
        return jobError && envelope.to != null && organism.isAgent(envelope.to)
                ? Optional.of(envelope.to)
                : Optional.empty();
    }

    /** Starts the oldest waiting turn of {@code agent}, if it has one. */
    private void startNextWaiting(String agent, Context ctx, Collector<Turn> out) throws Exception {
        Optional<ContextSlot> next = state.dequeue(agent);
        if (next.isPresent()) {
            startTurn(organism.listener(agent).orElseThrow(), next.get(), ctx, out);
        }
    }

    private void startTurn(Listener agent, ContextSlot input, Context ctx, Collector<Turn> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        Turn turn = turns.build(agent, input, keep -> state.historyOf(input, keep), now);
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
        state.markBusy(agent.name(), now);
        ctx.timerService().registerProcessingTimeTimer(now + settings.turnRelease().toMillis());
        turn.thread = ctx.getCurrentKey();
        turnsStarted.inc();
        out.collect(turn);
    }

    /** What a turn may cost: its prompt, counted here, and its completion limit. */
    private long estimatedTokens(Turn turn) {
        long tokens = turn.maxTokens;
        for (var message : turn.messages) {
            tokens += tokenCounter.count(message);
        }
        return tokens;
    }

    /** The envelope a slot was made from, for a dead letter. */
    private static Envelope envelopeOf(ContextSlot slot, Context ctx) {
        Envelope e =
                new Envelope(
                        slot.from,
                        slot.to,
                        ctx.getCurrentKey(),
                        slot.payloadXml,
                        slot.payloadRoot,
                        "");
        e.envelopeId = slot.envelopeId;
        return e;
    }

    private Optional<Listener> recipient(Envelope envelope) {
        if (envelope.to != null) {
            return organism.listener(envelope.to);
        }
        return envelope.hasPlainPayload()
                ? organism.listenerForRootTag(envelope.payloadRoot)
                : Optional.empty();
    }

    /** Replies and errors the job wrote: recorded for the model to read, never routed. */
    private static boolean isSystemMessage(Envelope envelope) {
        return SystemPayloads.SYSTEM_NS.equals(envelope.payloadNamespace)
                || SystemPayloads.AGENTSTREAM_NS.equals(envelope.payloadNamespace);
    }

    /**
     * Why an envelope cannot be taken, if it cannot: it names no listener of the organism (unless
     * an agent wrote it to someone outside), or it gives an agent a payload that is not the
     * agent's.
     */
    private Optional<DeadLetterReason> problem(Envelope envelope, Optional<Listener> recipient) {
        if (recipient.isEmpty()) {
            boolean ownOutput = organism.isAgent(envelope.from);
            return ownOutput ? Optional.empty() : Optional.of(DeadLetterReason.UNKNOWN_RECIPIENT);
        }
        Listener listener = recipient.get();
        if (listener.agent()
                && (!envelope.hasPlainPayload()
                        || !listener.rootTag().equals(envelope.payloadRoot))) {
            return Optional.of(DeadLetterReason.PAYLOAD_MISMATCH);
        }
        return Optional.empty();
    }

    /**
     * Refuses an envelope explicitly, twice: a dead letter for operators, and a {@code <huh>} back
     * to its sender on the thread, where a model reads it on its next turn.
     */
    private void refuse(Envelope envelope, DeadLetterReason reason, String detail, Context ctx) {
        ctx.output(DEAD_LETTERS, refusals.deadLetter(envelope, reason, detail));
        ctx.output(
                ERRORS,
                refusals.huh(envelope, reason, detail, ctx.timerService().currentProcessingTime()));
        refused.inc();
    }
}
