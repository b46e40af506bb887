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
import dev.agentstream.udfs.registry.SentRecord;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.trace.ContextSpans;
import dev.agentstream.udfs.trace.StageSpan;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import dev.agentstream.udfs.turn.TurnBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>At most one turn per (thread, agent) is in flight: an envelope for a busy agent waits in state
 * and its turn starts when the agent's answer comes back on the thread (or, failing that, after
 * {@link ContextSettings#turnRelease()}), with the history as it is then. Other threads and other
 * agents never wait.
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
    private static final Logger LOG = LoggerFactory.getLogger(ThreadContextFunction.class);

    private final Organism organism;
    private final ContextSettings settings;
    private final EnvelopeLimits limits;
    private final RegistrySettings registrySettings;

    private transient ThreadState state;
    private transient TenantStateEraser<String> eraser;
    private transient Refusals refusals;
    private transient Addressing addressing;
    private transient Registry registry;
    private transient SentRecord sentRecords;
    private transient TokenCounter tokenCounter;
    private transient TurnBuilder turns;
    private transient Counter appended;
    private transient Counter evicted;
    private transient Counter turnsStarted;
    private transient Counter refused;
    private transient Counter turnsWaiting;
    private transient Counter turnsReleased;
    private transient Counter answersRouted;
    private transient Counter answersReceived;
    private transient Counter waitingEvicted;
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
        sentRecords = new SentRecord(limits);
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
        answersRouted = metrics.counter("answersRoutedToCaller");
        answersReceived = metrics.counter("answersFromSubthreads");
        waitingEvicted = metrics.counter("waitingInputsEvicted");
        spans = ContextSpans.open(getRuntimeContext());
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
        releaseAnswered(envelope, ctx, out);
        // problem() has refused anything but an agent's own payload for an agent.
        if (!Addressing.isSystemMessage(envelope)
                && recipient.isPresent()
                && recipient.get().agent()) {
            startOrWait(recipient.get(), slot, ctx, out);
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
            releaseAnswered(envelope, ctx, out);
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
        releaseAnswered(envelope, ctx, out);
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
            startOrWait(callee.get(), slot, ctx, out);
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
        releaseAnswered(envelope, ctx, out);
        startOrWait(caller.get(), slot, ctx, out);
    }

    /**
     * Appends the envelope to the thread's context; a call record keeps the call it records, and an
     * envelope that came with a registry link keeps the link's chain and root for its turn.
     */
    private ContextSlot append(Envelope envelope, RouteLink link, Context ctx) throws Exception {
        String to = envelope.to;
        String root = envelope.payloadRoot;
        String xml = envelope.payloadXml;
        Optional<SentRecord.Content> sent = sentRecord(envelope);
        if (sent.isPresent()) {
            to = sent.get().to();
            root = sent.get().payloadRoot();
            xml = sent.get().payloadXml();
        }
        long now = ctx.timerService().currentProcessingTime();
        ContextSlot slot =
                new ContextSlot(0, envelope.from, to, root, xml, envelope.envelopeId, now);
        if (link != null) {
            slot.chain = link.chain;
            slot.root = link.root;
        }
        slot.tokens = tokenCounter.count(xml);
        slot.traceparent = envelope.traceparent;
        evicted.inc(state.append(slot));
        appended.inc();
        return slot;
    }

    /** The call an agent's {@code <sent>} record holds, so its history shows what it sent. */
    private Optional<SentRecord.Content> sentRecord(Envelope envelope) {
        boolean record =
                SystemPayloads.AGENTSTREAM_NS.equals(envelope.payloadNamespace)
                        && SentRecord.ELEMENT.equals(envelope.payloadRoot)
                        && organism.isAgent(envelope.from);
        return record ? sentRecords.read(envelope.payloadXml) : Optional.empty();
    }

    /**
     * The end of the agent's turn in flight is back (the envelope marked with that turn's input):
     * its next waiting turn may start. Any other envelope from the agent leaves it busy.
     */
    private void releaseAnswered(Envelope envelope, Context ctx, Collector<Turn> out)
            throws Exception {
        Optional<String> answered = addressing.answeredAgent(envelope);
        Optional<String> turnEnd = registry.turnEndOf(envelope);
        if (answered.isPresent()
                && turnEnd.isPresent()
                && state.releaseTurn(answered.get(), turnEnd.get())) {
            startNextWaiting(answered.get(), ctx, out);
        }
    }

    /** One turn in flight per (thread, agent): a busy agent's input waits for its answer. */
    private void startOrWait(Listener agent, ContextSlot slot, Context ctx, Collector<Turn> out)
            throws Exception {
        if (state.isBusy(agent.name())) {
            state.enqueue(slot.seq, agent.name());
            turnsWaiting.inc();
        } else {
            startTurn(agent, slot, ctx, out);
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

    /** Starts the oldest waiting turn of {@code agent}, if it has one. */
    private void startNextWaiting(String agent, Context ctx, Collector<Turn> out) throws Exception {
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
            refuse(
                    envelopeOf(next.get(), ctx),
                    DeadLetterReason.UNKNOWN_RECIPIENT,
                    "no agent named " + agent + " any more",
                    ctx);
            return;
        }
        startTurn(listener.get(), next.get(), ctx, out);
    }

    private void startTurn(Listener agent, ContextSlot input, Context ctx, Collector<Turn> out)
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
            refuseTurn(envelopeOf(input, ctx), limit.get(), detail, ctx);
            return;
        }
        state.markBusy(agent.name(), now, input.envelopeId);
        ctx.timerService().registerProcessingTimeTimer(now + settings.turnRelease().toMillis());
        turn.thread = TenantNames.idOf(ctx.getCurrentKey());
        turn.root =
                input.root != null
                        ? input.root
                        : state.link().map(call -> call.root).orElse(turn.thread);
        turnsStarted.inc();
        spans.turnStarted(turn);
        out.collect(turn);
    }

    /**
     * Refuses a turn at a thread limit. On a subthread whose call is still open, the caller hears
     * it as the call's answer, so that the conversation above goes on (or stops at its own limits)
     * instead of waiting for an answer that cannot come.
     */
    private void refuseTurn(Envelope input, DeadLetterReason limit, String detail, Context ctx)
            throws Exception {
        Optional<RouteLink> call = state.link();
        if (call.isEmpty() || call.get().answered) {
            refuse(input, limit, detail, ctx);
            return;
        }
        ctx.output(DEAD_LETTERS, refusals.deadLetter(input, limit, detail));
        long now = ctx.timerService().currentProcessingTime();
        ctx.output(BUS, registry.refusalUp(input, call.get(), detail, now));
        call.get().answered = true;
        state.updateLink(call.get());
        refused.inc();
    }

    /**
     * What a turn may cost: its prompt, from the counts its messages carry (see {@link
     * dev.agentstream.udfs.turn.TurnBuilder}), and its completion limit.
     */
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
                        TenantNames.idOf(ctx.getCurrentKey()),
                        slot.payloadXml,
                        slot.payloadRoot,
                        "");
        e.envelopeId = slot.envelopeId;
        e.tenant = TenantNames.tenantOf(ctx.getCurrentKey());
        e.traceparent = slot.traceparent == null ? "" : slot.traceparent;
        return e;
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
