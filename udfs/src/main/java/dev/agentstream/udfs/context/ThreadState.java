package dev.agentstream.udfs.context;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.erasure.TenantStateEraser;
import dev.agentstream.udfs.registry.RouteLink;
import dev.agentstream.udfs.tenant.TenantNames;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Owns the keyed state of the thread-context operator: one map entry per envelope (sequence number
 * to slot) and a small head with the sequence range. Appending or reading the newest slots costs
 * the same whatever the thread's length: no state value holds the whole history.
 *
 * <p>It also holds the turn queue (the agents with a turn in flight and the inputs waiting for
 * them) and, on a subthread, the registry link of the call that opened it. Every state carries the
 * same TTL, refreshed on write; the head is written on every append, so it never expires before a
 * slot does.
 */
final class ThreadState {

    static final String SLOTS = ContextStateNames.SLOTS;
    static final String HEAD = ContextStateNames.HEAD;
    static final String BUSY = ContextStateNames.BUSY;
    static final String BUSY_INPUT = ContextStateNames.BUSY_INPUT;
    static final String WAITING = ContextStateNames.WAITING;
    static final String LINK = ContextStateNames.LINK;
    static final String ANSWERS = ContextStateNames.ANSWERS;

    private final MapState<Long, ContextSlot> slots;
    private final ValueState<ThreadHead> head;

    /** Agent → processing time its turn in flight started. */
    private final MapState<String, Long> busy;

    /** Agent → input envelope id of its turn in flight: only that turn's end frees the agent. */
    private final MapState<String, String> busyInputs;

    /** Input slot seq → agent, for turns waiting for their agent to be free. */
    private final MapState<Long, String> waiting;

    /** The call that opened this thread, when it is a subthread. */
    private final ValueState<RouteLink> link;

    /** Ids of the answers from subthreads this thread has taken: each is taken once. */
    private final MapState<String, Boolean> answers;

    private final int maxSlots;
    private final int maxTurns;
    private final long maxTokens;

    private ThreadState(
            MapState<Long, ContextSlot> slots,
            ValueState<ThreadHead> head,
            MapState<String, Long> busy,
            MapState<String, String> busyInputs,
            MapState<Long, String> waiting,
            ValueState<RouteLink> link,
            MapState<String, Boolean> answers,
            ContextSettings settings) {
        this.slots = slots;
        this.head = head;
        this.busy = busy;
        this.busyInputs = busyInputs;
        this.waiting = waiting;
        this.link = link;
        this.answers = answers;
        this.maxSlots = settings.maxSlots();
        this.maxTurns = settings.maxTurns();
        this.maxTokens = settings.maxThreadTokens();
    }

    /** The descriptors of the thread context's keyed state, each with the context's TTL. */
    record Descriptors(
            MapStateDescriptor<Long, ContextSlot> slots,
            ValueStateDescriptor<ThreadHead> head,
            MapStateDescriptor<String, Long> busy,
            MapStateDescriptor<String, String> busyInputs,
            MapStateDescriptor<Long, String> waiting,
            ValueStateDescriptor<RouteLink> link,
            MapStateDescriptor<String, Boolean> answers) {

        List<StateDescriptor<?, ?>> all() {
            return List.of(slots, head, busy, busyInputs, waiting, link, answers);
        }
    }

    static Descriptors descriptors(ContextSettings settings) {
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(settings.ttl())
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build();
        Descriptors d =
                new Descriptors(
                        new MapStateDescriptor<>(
                                SLOTS, Types.LONG, TypeInformation.of(ContextSlot.class)),
                        new ValueStateDescriptor<>(HEAD, TypeInformation.of(ThreadHead.class)),
                        new MapStateDescriptor<>(BUSY, Types.STRING, Types.LONG),
                        new MapStateDescriptor<>(BUSY_INPUT, Types.STRING, Types.STRING),
                        new MapStateDescriptor<>(WAITING, Types.LONG, Types.STRING),
                        new ValueStateDescriptor<>(LINK, TypeInformation.of(RouteLink.class)),
                        new MapStateDescriptor<>(ANSWERS, Types.STRING, Types.BOOLEAN));
        d.all().forEach(descriptor -> descriptor.enableTimeToLive(ttl));
        return d;
    }

    static ThreadState open(RuntimeContext ctx, ContextSettings settings) {
        Descriptors d = descriptors(settings);
        return new ThreadState(
                ctx.getMapState(d.slots()),
                ctx.getState(d.head()),
                ctx.getMapState(d.busy()),
                ctx.getMapState(d.busyInputs()),
                ctx.getMapState(d.waiting()),
                ctx.getState(d.link()),
                ctx.getMapState(d.answers()),
                settings);
    }

    /**
     * Clears a tenant's threads: counted as threads (the head every thread has), their envelopes,
     * turns in flight and waiting, and registry entries (a subthread's link, answers taken).
     */
    static TenantStateEraser<String> eraser(ContextSettings settings) {
        Descriptors d = descriptors(settings);
        return TenantStateEraser.<String>forKeys(TenantNames::tenantOf)
                .keys("thread-contexts", d.head())
                .entries("context-slots", d.slots())
                .entries("turns-in-flight", d.busy())
                .clears(d.busyInputs())
                .entries("turns-waiting", d.waiting())
                .keys("registry-links", d.link())
                .entries("registry-answers", d.answers())
                .build(d.all());
    }

    /**
     * Appends a slot at the next sequence number (assigned here) and evicts the oldest slots beyond
     * the limit.
     *
     * @return the number of slots evicted
     */
    int append(ContextSlot slot) throws IOException {
        ThreadHead h = current();
        slot.seq = h.nextSeq;
        try {
            slots.put(h.nextSeq, slot);
            h.nextSeq++;
            int evicted = 0;
            while (h.size() > maxSlots) {
                slots.remove(h.firstSeq);
                h.firstSeq++;
                evicted++;
            }
            head.update(h);
            return evicted;
        } catch (Exception e) {
            throw new IOException("cannot append to thread context", e);
        }
    }

    /**
     * Admits one more agent turn of {@code estimatedTokens}, unless the thread is at its turn or
     * token limit.
     *
     * @return the limit that refuses the turn, or empty when it was admitted and counted
     */
    Optional<DeadLetterReason> admit(long estimatedTokens) throws IOException {
        ThreadHead h = current();
        if (h.turns >= maxTurns) {
            return Optional.of(DeadLetterReason.TURN_LIMIT);
        }
        if (h.tokens + estimatedTokens > maxTokens) {
            return Optional.of(DeadLetterReason.TOKEN_LIMIT);
        }
        h.turns++;
        h.tokens += estimatedTokens;
        head.update(h);
        return Optional.empty();
    }

    /**
     * Records the call that opened this thread, unless one is already recorded (a subthread has
     * exactly one opening call; a replay of it changes nothing).
     */
    void register(RouteLink call) throws IOException {
        if (link.value() == null) {
            link.update(call);
        }
    }

    /** The call that opened this thread, if it is a subthread whose link has not expired. */
    Optional<RouteLink> link() throws IOException {
        return Optional.ofNullable(link.value());
    }

    /** Writes the subthread's link again: it changed, or its TTL starts over while in use. */
    void updateLink(RouteLink call) throws IOException {
        link.update(call);
    }

    /** Takes the answer {@code id}: true the first time, false for a replay. */
    boolean takeAnswer(String id) throws Exception {
        if (answers.contains(id)) {
            return false;
        }
        answers.put(id, Boolean.TRUE);
        return true;
    }

    /** True when {@code agent} has a turn in flight on this thread. */
    boolean isBusy(String agent) throws Exception {
        return busy.contains(agent);
    }

    void markBusy(String agent, long now, String inputEnvelopeId) throws Exception {
        busy.put(agent, now);
        busyInputs.put(agent, inputEnvelopeId);
    }

    /**
     * Frees {@code agent} when its turn in flight is the one started by {@code inputEnvelopeId};
     * returns true when it did.
     */
    boolean releaseTurn(String agent, String inputEnvelopeId) throws Exception {
        if (!busy.contains(agent)) {
            return false;
        }
        String current = busyInputs.get(agent);
        if (current != null && !current.equals(inputEnvelopeId)) {
            return false;
        }
        return release(agent);
    }

    /** Frees {@code agent} whatever its turn; returns true when it had a turn in flight. */
    boolean release(String agent) throws Exception {
        if (!busy.contains(agent)) {
            return false;
        }
        busy.remove(agent);
        busyInputs.remove(agent);
        return true;
    }

    /** Agents whose turn started at or before {@code startedBy}. */
    List<String> busySince(long startedBy) throws Exception {
        List<String> out = new ArrayList<>();
        for (var entry : busy.entries()) {
            if (entry.getValue() <= startedBy) {
                out.add(entry.getKey());
            }
        }
        return out;
    }

    void enqueue(long inputSeq, String agent) throws Exception {
        waiting.put(inputSeq, agent);
    }

    /**
     * Takes the oldest waiting input for {@code agent} that is still in the context off the queue,
     * if any; waiting inputs evicted meanwhile (beyond {@code context.max-slots}) are dropped from
     * the queue and counted in {@code evictedWhileWaiting}.
     */
    Optional<ContextSlot> dequeue(String agent, Runnable evictedWhileWaiting) throws Exception {
        while (true) {
            long oldest = Long.MAX_VALUE;
            for (var entry : waiting.entries()) {
                if (entry.getValue().equals(agent) && entry.getKey() < oldest) {
                    oldest = entry.getKey();
                }
            }
            if (oldest == Long.MAX_VALUE) {
                return Optional.empty();
            }
            waiting.remove(oldest);
            ContextSlot slot = slots.get(oldest);
            if (slot != null) {
                return Optional.of(slot);
            }
            evictedWhileWaiting.run();
        }
    }

    /**
     * The newest slots other than {@code input}, newest first, while {@code keep} accepts them: the
     * history of a turn, including what arrived while it waited.
     */
    List<ContextSlot> historyOf(ContextSlot input, Predicate<ContextSlot> keep) throws IOException {
        ThreadHead h = current();
        List<ContextSlot> out = new ArrayList<>();
        try {
            for (long seq = h.nextSeq - 1; seq >= h.firstSeq; seq--) {
                if (seq == input.seq) {
                    continue;
                }
                ContextSlot slot = slots.get(seq);
                if (slot == null || !keep.test(slot)) {
                    break;
                }
                out.add(slot);
            }
        } catch (Exception e) {
            throw new IOException("cannot read thread context", e);
        }
        return out;
    }

    private ThreadHead current() throws IOException {
        ThreadHead h = head.value();
        return h == null ? new ThreadHead(0, 0) : h;
    }
}
