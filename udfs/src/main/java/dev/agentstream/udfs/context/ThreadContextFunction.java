package dev.agentstream.udfs.context;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
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
import dev.agentstream.udfs.erasure.ErasureTally;
import dev.agentstream.udfs.erasure.KeyedStates;
import dev.agentstream.udfs.erasure.TenantErasable;
import dev.agentstream.udfs.erasure.TenantStateEraser;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.registry.ForgedLinkException;
import dev.agentstream.udfs.registry.Registry;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.registry.RouteLink;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.trace.ContextSpans;
import dev.agentstream.udfs.trace.StageSpan;
import dev.agentstream.udfs.turn.Turn;

import java.util.List;
import java.util.Optional;

/**
 * Keyed by (tenant, thread) (see {@link TenantNames#key}): appends every envelope of the thread to
 * its context, in arrival order, and starts a turn when an envelope is addressed to one of the
 * organism's LLM agents with that agent's payload.
 *
 * <p>The recipient is {@code <to>} when present, else the listener whose root tag the payload
 * carries (xml-pipeline routes by root tag). An envelope that names no listener of the organism
 * (unless an agent of the organism wrote it to someone outside, such as the sender it answers), or
 * gives an agent a payload that is not the agent's, is refused: a dead letter, and a {@code <huh>}
 * to its sender. Replies and errors the job wrote (payloads in its own or the system namespace) are
 * recorded and never routed, so that nothing the job writes can loop.
 *
 * <p>The thread registry: an agent's call to a peer arrives on a subthread of its own with a link
 * the job signed (see {@link Registry}); the subthread keeps the link, and whatever is then
 * addressed to the caller on it goes up to the caller on the parent thread, where it starts the
 * caller's next turn. Links the job did not write, calls deeper than the limit and answers on
 * chains nobody opened are refused with their own reasons.
 *
 * <p>At most one turn per (thread, agent) is in flight ({@link TurnStarter}): an envelope for a
 * busy agent waits in state and its turn starts when the agent's answer comes back on the thread
 * (or, failing that, after {@link ContextSettings#turnRelease()}), with the history as it is then.
 * Other threads and other agents never wait. Slots are appended by {@link SlotAppender}.
 *
 * <p>State: see {@link ThreadState} (slots, a head, busy agents, waiting turns and a subthread's
 * registry link, all with the TTL); one processing-time timer per started turn. A tenant's erasure
 * ({@link TenantErasable}) clears all of it but the timers, which fire on empty state and do
 * nothing.
 */
public class ThreadContextFunction extends KeyedProcessFunction<String, Envelope, Turn>
        implements TenantErasable<String, Turn> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("context-dead-letters", TypeInformation.of(DeadLetter.class));

    /**
     * Envelopes this stage writes to the bus: {@code <huh>} errors back to a thread's sender, and
     * answers going up from a subthread to the caller on its parent thread.
     */
    public static final OutputTag<Envelope> BUS =
            new OutputTag<>("context-to-bus", TypeInformation.of(Envelope.class));

    private static final long serialVersionUID = 1L;

    private final Organism organism;
    private final ContextSettings settings;
    private final EnvelopeLimits limits;
    private final RegistrySettings registrySettings;

    private transient ThreadState state;
    private transient TenantStateEraser<String> eraser;
    private transient Refusals refusals;
    private transient Addressing addressing;
    private transient Registry registry;
    private transient SlotAppender appender;
    private transient TurnStarter turnStarter;
    private transient Counter refused;
    private transient Counter answersRouted;
    private transient Counter answersReceived;
    private transient ContextSpans spans;

    public ThreadContextFunction(
            Organism organism,
            ContextSettings settings,
            EnvelopeLimits limits,
            RegistrySettings registrySettings) {
        this.organism = organism;
        this.settings = settings;
        this.limits = limits;
        this.registrySettings = registrySettings;
    }

    @Override
    public void open(OpenContext openContext) {
        state = ThreadState.open(getRuntimeContext(), settings);
        eraser = ThreadState.eraser(settings);
        refusals = new Refusals(new EnvelopeCodec(limits));
        addressing = new Addressing(organism);
        registry = new Registry(registrySettings, limits);
        var metrics = getRuntimeContext().getMetricGroup();
        appender = new SlotAppender(organism, state, limits, metrics);
        refused = metrics.counter("envelopesRefused");
        answersRouted = metrics.counter("answersRoutedToCaller");
        answersReceived = metrics.counter("answersFromSubthreads");
        spans = ContextSpans.open(getRuntimeContext());
        turnStarter =
                new TurnStarter(
                        organism,
                        settings,
                        state,
                        addressing,
                        registry,
                        refusals,
                        spans,
                        this::refuse,
                        metrics,
                        refused);
    }

    @Override
    public ErasureTally eraseTenant(String tenant, KeyedStates<String> states, Collector<Turn> out)
            throws Exception {
        return eraser.erase(tenant, states);
    }

    @Override
    public String tenantOf(String key) {
        return TenantNames.tenantOf(key);
    }

    @Override
    public List<StateDescriptor<?, ?>> keyedStateDescriptors() {
        return ThreadState.descriptors(settings).all();
    }

    @Override
    public void processElement(Envelope envelope, Context ctx, Collector<Turn> out)
            throws Exception {
        try (StageSpan span = spans.start(envelope)) {
            route(envelope, ctx, out);
        }
    }

    /** Takes the envelope by its registry link: a call, an answer, or none. */
    private void route(Envelope envelope, Context ctx, Collector<Turn> out) throws Exception {
        Optional<RouteLink> link;
        try {
            link = registry.linkOf(envelope);
        } catch (ForgedLinkException e) {
            refuse(envelope, DeadLetterReason.FORGED_LINK, e.getMessage(), ctx);
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        if (link.isPresent() && now - link.get().at > settings.ttl().toMillis()) {
            // What would show it was taken before may have expired with the state.
            String detail = "the registry link is older than context.ttl";
            refuse(envelope, DeadLetterReason.REPLAYED_LINK, detail, ctx);
            return;
        }
        if (link.isPresent() && link.get().isCall()) {
            takeCall(envelope, link.get(), ctx, out);
        } else if (link.isPresent()) {
            takeAnswer(envelope, link.get(), ctx, out);
        } else {
            take(envelope, ctx, out);
        }
    }

    /** An envelope without a registry link: an answer going up, or an ordinary envelope. */
    private void take(Envelope envelope, Context ctx, Collector<Turn> out) throws Exception {
        Optional<Listener> recipient = addressing.recipient(envelope);
        Optional<RouteLink> call = state.link();
        Optional<String> recipientName =
                envelope.to != null ? Optional.of(envelope.to) : recipient.map(Listener::name);
        if (call.isPresent()) {
            RouteLink open = call.get();
            if (Registry.isAnswer(open, recipientName)) {
                answerUp(envelope, open, ctx, out);
                return;
            }
            if (open.answering
                    && open.last().equals(envelope.from)
                    && registry.turnEndOf(envelope).isPresent()) {
                open.answered = true; // the turn that answered has ended
            }
            // Whatever happens on a subthread keeps its link alive as long as its context.
            state.updateLink(open);
        }
        if (addressing.looksLikeAnswer(envelope, recipient)) {
            // An answer for an agent that made no call on this thread that is still open.
            refuse(
                    envelope,
                    DeadLetterReason.UNKNOWN_CHAIN,
                    "no open call from " + recipient.get().name() + " on this thread",
                    ctx);
            return;
        }
        if (!Addressing.isSystemMessage(envelope)) {
            Optional<DeadLetterReason> problem = addressing.problem(envelope, recipient);
            if (problem.isPresent()) {
                refuse(
                        envelope,
                        problem.get(),
                        Refusals.detail(envelope, problem.get(), recipient),
                        ctx);
                return;
            }
        }
        ContextSlot slot = append(envelope, null, ctx);
        turnStarter.releaseAnswered(envelope, ctx, out);
        // problem() has refused anything but an agent's own payload for an agent.
        if (!Addressing.isSystemMessage(envelope)
                && recipient.isPresent()
                && recipient.get().agent()) {
            turnStarter.startOrWait(recipient.get(), slot, ctx, out);
        }
    }

    /**
     * An envelope addressed to the caller on its subthread: the call's answer, sent up to the
     * caller on the parent thread. Only the callee answers, and a call is answered once; the job's
     * own notes there are recorded, never sent up.
     */
    private void answerUp(Envelope envelope, RouteLink call, Context ctx, Collector<Turn> out)
            throws Exception {
        if (SystemPayloads.JOB_SENDER.equals(envelope.from)
                && Addressing.isSystemMessage(envelope)) {
            state.updateLink(call);
            append(envelope, null, ctx);
            turnStarter.releaseAnswered(envelope, ctx, out);
            return;
        }
        if (!Registry.mayAnswer(call, envelope.from)) {
            String detail = "only " + call.last() + " answers the call of " + call.beforeLast();
            refuse(envelope, DeadLetterReason.UNKNOWN_CHAIN, detail, ctx);
            return;
        }
        if (call.answered) {
            String detail = "the call of " + call.beforeLast() + " was answered already";
            refuse(envelope, DeadLetterReason.CHAIN_EXHAUSTED, detail, ctx);
            return;
        }
        append(envelope, null, ctx);
        turnStarter.releaseAnswered(envelope, ctx, out);
        long now = ctx.timerService().currentProcessingTime();
        Envelope up = registry.answerUp(envelope, call, now);
        if (!refusals.fits(up, limits.maxOutputBytes())) {
            String detail =
                    "the answer of "
                            + envelope.from
                            + " is too large to send up with its registry link";
            ctx.output(
                    DEAD_LETTERS,
                    refusals.deadLetter(envelope, DeadLetterReason.TOO_LARGE, detail));
            up = registry.refusalUp(envelope, call, detail, now);
        }
        // An agent callee's answer is everything its turn sends the caller: the call closes with
        // the end of that turn. A tool's first answer closes it.
        call.answering = true;
        boolean agentCallee = organism.isAgent(call.last());
        call.answered = !agentCallee || registry.turnEndOf(envelope).isPresent();
        state.updateLink(call);
        ctx.output(BUS, up);
        answersRouted.inc();
    }

    /** The call that opens this subthread: registered, then taken as the callee's input. */
    private void takeCall(Envelope envelope, RouteLink call, Context ctx, Collector<Turn> out)
            throws Exception {
        if (state.link().isPresent()) {
            String detail = "this subthread's call was taken already";
            refuse(envelope, DeadLetterReason.REPLAYED_LINK, detail, ctx);
            return;
        }
        if (registry.isExhausted(call)) {
            String detail =
                    "a call chain may hold "
                            + registry.maxDepth()
                            + " calls below its root thread; "
                            + call.beforeLast()
                            + " calling "
                            + call.last()
                            + " would make "
                            + call.depth();
            ctx.output(
                    DEAD_LETTERS,
                    refusals.deadLetter(envelope, DeadLetterReason.CHAIN_EXHAUSTED, detail));
            long now = ctx.timerService().currentProcessingTime();
            ctx.output(BUS, registry.refusalUp(envelope, call, detail, now));
            refused.inc();
            return;
        }
        state.register(call);
        Optional<Listener> callee = organism.listener(call.last());
        if (callee.isEmpty()) {
            refuse(envelope, DeadLetterReason.UNKNOWN_RECIPIENT, "no listener " + call.last(), ctx);
            return;
        }
        Optional<DeadLetterReason> problem = addressing.problem(envelope, callee);
        if (problem.isPresent()) {
            refuse(envelope, problem.get(), Refusals.detail(envelope, problem.get(), callee), ctx);
            return;
        }
        ContextSlot slot = append(envelope, call, ctx);
        if (callee.get().agent()) {
            turnStarter.startOrWait(callee.get(), slot, ctx, out);
        }
    }

    /**
     * An answer that came back from a subthread: the caller's input, whatever its payload, with the
     * caller's own chain, so that what the caller says next goes to whoever called it.
     */
    private void takeAnswer(Envelope envelope, RouteLink answer, Context ctx, Collector<Turn> out)
            throws Exception {
        Optional<Listener> caller = organism.listener(answer.last()).filter(Listener::agent);
        if (caller.isEmpty()) {
            refuse(
                    envelope,
                    DeadLetterReason.UNKNOWN_RECIPIENT,
                    "no agent named " + answer.last(),
                    ctx);
            return;
        }
        if (!state.takeAnswer(answer.id)) {
            String detail = "this answer from subthread " + answer.peer + " was taken already";
            refuse(envelope, DeadLetterReason.REPLAYED_LINK, detail, ctx);
            return;
        }
        ContextSlot slot = append(envelope, answer, ctx);
        answersReceived.inc();
        // The job's refusal of a call the caller's turn tried to make ends that turn.
        turnStarter.releaseAnswered(envelope, ctx, out);
        turnStarter.startOrWait(caller.get(), slot, ctx, out);
    }

    /** Appends the envelope to the thread's context (see {@link SlotAppender}). */
    private ContextSlot append(Envelope envelope, RouteLink link, Context ctx) throws Exception {
        return appender.append(envelope, link, ctx.timerService().currentProcessingTime());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Turn> out) throws Exception {
        turnStarter.releaseOverdue(timestamp, ctx, out);
    }

    /**
     * Refuses an envelope explicitly, twice: a dead letter for operators, and a {@code <huh>} back
     * to its sender on the thread, where a model reads it on its next turn.
     */
    private void refuse(Envelope envelope, DeadLetterReason reason, String detail, Context ctx) {
        ctx.output(DEAD_LETTERS, refusals.deadLetter(envelope, reason, detail));
        ctx.output(
                BUS,
                refusals.huh(envelope, reason, detail, ctx.timerService().currentProcessingTime()));
        refused.inc();
    }

    @Override
    public void close() throws Exception {
        if (spans != null) {
            spans.close();
        }
    }
}
