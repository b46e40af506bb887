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

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Keyed by thread: appends every envelope of the thread to its context, in arrival order, and
 * starts a turn when an envelope is addressed to one of the organism's LLM agents with that agent's
 * payload.
 *
 * <p>The recipient is {@code <to>} when present, else the listener whose root tag the payload
 * carries (xml-pipeline routes by root tag). An envelope from outside that names no listener of the
 * organism, or gives an agent a payload it does not accept, goes to the dead letters and not into
 * the context. Envelopes an agent of the organism wrote (the job's own output, read back from the
 * bus) and payloads in a namespace (system messages, replies) are recorded and never start a turn,
 * so that an agent's answer to an outside sender cannot loop.
 *
 * <p>State: see {@link ThreadState} (a map of slots and a head per thread, with a TTL).
 */
public class ThreadContextFunction extends KeyedProcessFunction<String, Envelope, Turn> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("context-dead-letters", TypeInformation.of(DeadLetter.class));

    private static final long serialVersionUID = 1L;

    private final Organism organism;
    private final ContextSettings settings;
    private final EnvelopeLimits limits;

    private transient ThreadState state;
    private transient EnvelopeCodec codec;
    private transient TokenCounter tokenCounter;
    private transient TurnBuilder turns;
    private transient Counter appended;
    private transient Counter evicted;
    private transient Counter turnsStarted;

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
        codec = new EnvelopeCodec(limits);
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
    }

    @Override
    public void processElement(Envelope envelope, Context ctx, Collector<Turn> out)
            throws Exception {
        Optional<Listener> recipient = recipient(envelope);
        if (!isSystemMessage(envelope)) {
            Optional<DeadLetterReason> problem = problem(envelope, recipient);
            if (problem.isPresent()) {
                ctx.output(DEAD_LETTERS, deadLetter(envelope, problem.get(), recipient));
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

        if (!isSystemMessage(envelope)
                && envelope.hasPlainPayload()
                && recipient.isPresent()
                && recipient.get().agent()
                && recipient.get().rootTag().equals(envelope.payloadRoot)) {
            if (!state.tryCountTurn()) {
                String detail = "thread reached " + settings.maxTurns() + " agent turns";
                ctx.output(DEAD_LETTERS, deadLetter(envelope, DeadLetterReason.TURN_LIMIT, detail));
                return;
            }
            Turn turn = turns.build(recipient.get(), slot, state::newestBefore, now);
            turn.thread = ctx.getCurrentKey();
            turnsStarted.inc();
            out.collect(turn);
        }
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

    private DeadLetter deadLetter(
            Envelope envelope, DeadLetterReason reason, Optional<Listener> recipient) {
        return deadLetter(envelope, reason, detail(envelope, reason, recipient));
    }

    private static String detail(
            Envelope envelope, DeadLetterReason reason, Optional<Listener> recipient) {
        return reason == DeadLetterReason.UNKNOWN_RECIPIENT
                ? "no listener "
                        + (envelope.to != null
                                ? "named " + envelope.to
                                : "accepts <" + envelope.payloadRoot + ">")
                : recipient.get().name()
                        + " accepts <"
                        + recipient.get().rootTag()
                        + ">, not <"
                        + envelope.payloadRoot
                        + ">";
    }

    /**
     * A dead letter that carries the envelope re-encoded (its original bytes are gone after
     * decoding), or its payload alone when even that cannot be written.
     */
    private DeadLetter deadLetter(Envelope envelope, DeadLetterReason reason, String detail) {
        byte[] original;
        try {
            original = codec.encode(envelope);
        } catch (IllegalArgumentException e) {
            original = envelope.payloadXml.getBytes(StandardCharsets.UTF_8);
        }
        return new DeadLetter(reason, detail, envelope.envelopeId, envelope.thread, original);
    }
}
