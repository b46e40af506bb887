package dev.agentstream.udfs.emit;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.agentstream.udfs.billing.PriceTable;
import dev.agentstream.udfs.billing.UsageMetrics;
import dev.agentstream.udfs.billing.UsageRecords;
import dev.agentstream.udfs.billing.UsageSettings;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.envelope.XmlChars;
import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.registry.Registry;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.registry.SentRecord;
import dev.agentstream.udfs.trace.EmitSpans;
import dev.agentstream.udfs.trace.StageSpan;
import dev.agentstream.udfs.turn.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.agentstream.udfs.emit.TurnEnvelopes.cut;
import static dev.agentstream.udfs.emit.TurnEnvelopes.envelope;
import static dev.agentstream.udfs.emit.TurnEnvelopes.huh;
import static dev.agentstream.udfs.emit.TurnEnvelopes.peerViolation;
import static dev.agentstream.udfs.emit.TurnEnvelopes.refusal;

/**
 * Turns an agent's answer into envelopes and one usage record. Each payload element of the answer
 * becomes an envelope from the agent (never what the model claims). An element a peer accepts is a
 * call: it goes to the peer on a new subthread with a signed registry link, and a {@code <sent>}
 * record of it stays on the agent's thread. Any other element goes back to the sender on the same
 * thread. An answer with no element becomes a {@code <reply>} to the sender; an answer the provider
 * gave without text a {@code <refusal>}; a failed call becomes a {@code <huh>} to the sender.
 *
 * <p>Whatever the model wrote, every envelope that leaves can be written to the bus: elements in
 * the system's own namespaces count as text, an answer with more than {@link #MAX_ELEMENTS}
 * elements or one that cannot be encoded becomes a {@code <huh>}, and text is cut at {@link
 * #MAX_TEXT} characters.
 */
public class EmitFunction extends ProcessFunction<TurnResult, Envelope> {

    public static final OutputTag<UsageRecord> USAGE =
            new OutputTag<>("usage", TypeInformation.of(UsageRecord.class));

    /** Calls the emit stage does not send: deeper than the registry allows. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("emit-dead-letters", TypeInformation.of(DeadLetter.class));

    /** Payload elements one answer may send. */
    public static final int MAX_ELEMENTS = 64;

    /** Characters of text in one reply or error message. */
    public static final int MAX_TEXT = 64 * 1024;

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EmitFunction.class);

    /** Namespaces whose messages only the job writes; a model cannot send them. */
    private static final Set<String> RESERVED =
            Set.of(SystemPayloads.SYSTEM_NS, SystemPayloads.AGENTSTREAM_NS, Envelope.NAMESPACE);

    private final Organism organism;
    private final EnvelopeLimits limits;
    private final RegistrySettings registrySettings;
    private final UsageSettings usageSettings;

    private transient Registry registry;
    private transient UsageRecords usageRecords;
    private transient UsageMetrics usageMetrics;
    private transient SentRecord sentRecords;
    private transient OutputParser parser;
    private transient EnvelopeCodec codec;
    private transient Counter emitted;
    private transient Counter unusable;
    private transient EmitSpans spans;

    /** With the default tenant and the price table shipped with the job. */
    public EmitFunction(
            Organism organism, EnvelopeLimits limits, RegistrySettings registrySettings) {
        this(organism, limits, registrySettings, UsageSettings.defaults());
    }

    public EmitFunction(
            Organism organism,
            EnvelopeLimits limits,
            RegistrySettings registrySettings,
            UsageSettings usageSettings) {
        this.organism = organism;
        this.limits = limits;
        this.registrySettings = registrySettings;
        this.usageSettings = usageSettings;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new OutputParser(limits);
        registry = new Registry(registrySettings, limits);
        sentRecords = new SentRecord(limits);
        codec = new EnvelopeCodec(limits);
        var metrics = getRuntimeContext().getMetricGroup();
        emitted = metrics.counter("envelopesEmitted");
        unusable = metrics.counter("unusableAnswers");
        spans = EmitSpans.open(getRuntimeContext());
        Counter unpriced = metrics.counter("usageUnpriced");
        usageMetrics = new UsageMetrics(metrics);
        PriceTable prices = PriceTable.load(usageSettings.priceTable());
        Set<String> warned = new HashSet<>();
        usageRecords =
                new UsageRecords(
                        organism,
                        usageSettings,
                        prices,
                        record -> {
                            unpriced.inc();
                            String model = record.responseModel + "/" + record.requestModel;
                            if (warned.size() < 100 && warned.add(model)) {
                                LOG.warn(
                                        "No price in table {} for model {} (asked for {}): its"
                                                + " usage records carry no cost",
                                        prices.version(),
                                        record.responseModel,
                                        record.requestModel);
                            }
                        });
    }

    @Override
    public void processElement(TurnResult result, Context ctx, Collector<Envelope> out) {
        try (StageSpan span = spans.start(result)) {
            emit(result, ctx, out, span);
        }
    }

    private void emit(TurnResult result, Context ctx, Collector<Envelope> out, StageSpan span) {
        Turn turn = result.turn;
        if (turn != null && turn.erase != null) {
            // The LLM-call stage's part of an erasure: no answer, no usage.
            if (result.erased != null) {
                ctx.output(ErasurePart.TAG, result.erased);
            } else {
                LOG.warn("An erase command's turn came back without its part: {}", result.error);
            }
            return;
        }
        List<Envelope> envelopes;
        if (result.isOk()) {
            envelopes = answer(turn, XmlChars.strip(result.text), ctx);
        } else if (result.isRefused()) {
            envelopes = List.of(refusal(turn, result));
        } else {
            envelopes = List.of(huh(turn, failure(result)));
        }
        withIds(turn, envelopes);
        if (!writable(envelopes)) {
            unusable.inc();
            envelopes = List.of(huh(turn, "the answer could not be written as envelopes"));
            withIds(turn, envelopes);
        }
        markTurnEnd(turn, envelopes);
        EmitSpans.stamp(span, envelopes);
        envelopes.forEach(out::collect);
        emitted.inc(envelopes.size());
        UsageRecord usage = usageRecords.of(result);
        usageMetrics.count(usage);
        ctx.output(USAGE, usage);
    }

    /**
     * Marks the last envelope the turn writes on its own thread (there always is one: a reply, an
     * error, or the record of a call): when it comes back, the agent's turn there is over and its
     * next waiting input may start.
     */
    private void markTurnEnd(Turn turn, List<Envelope> envelopes) {
        for (int i = envelopes.size() - 1; i >= 0; i--) {
            Envelope e = envelopes.get(i);
            if (turn.thread != null && turn.thread.equals(e.thread)) {
                e.metaExtensions = e.metaExtensions + registry.turnEnd(turn.inputEnvelopeId);
                return;
            }
        }
    }

    private static String failure(TurnResult result) {
        return result.isRejected()
                ? "turn not run: " + result.error
                : "LLM call failed: " + result.error;
    }

    private List<Envelope> answer(Turn turn, String text, Context ctx) {
        ParsedOutput parsed = parser.parse(text);
        List<Envelope> envelopes = new ArrayList<>();
        StringBuilder prose = new StringBuilder(parsed.prose());
        int payloads = 0;
        for (ParsedElement element : parsed.elements()) {
            if (RESERVED.contains(element.namespace())) {
                prose.append('\n').append(element.xml());
                continue;
            }
            Optional<String> peer = peerFor(turn, element);
            Optional<Listener> owner =
                    peer.isPresent() ? Optional.empty() : outsidePeers(turn, element);
            if (peer.isPresent()) {
                envelopes.addAll(call(turn, element, peer.get(), payloads, ctx));
            } else if (owner.isPresent()) {
                envelopes.add(peerViolation(turn, element, owner.get()));
            } else {
                envelopes.add(envelope(turn, turn.replyTo, element));
            }
            payloads++;
        }
        if (payloads > MAX_ELEMENTS) {
            unusable.inc();
            return List.of(
                    huh(
                            turn,
                            "the answer had "
                                    + payloads
                                    + " payload elements; at most "
                                    + MAX_ELEMENTS
                                    + " are sent"));
        }
        if (envelopes.isEmpty()) {
            String reply = SystemPayloads.reply(cut(prose.toString().strip()));
            envelopes.add(
                    envelope(
                            turn,
                            turn.replyTo,
                            reply,
                            SystemPayloads.REPLY,
                            SystemPayloads.AGENTSTREAM_NS));
        }
        return envelopes;
    }

    /**
     * A call to a peer: the element on a new subthread with a signed registry link, and the record
     * of it on the agent's own thread, which ends the agent's turn there and keeps the call in its
     * history.
     */
    private List<Envelope> call(
            Turn turn, ParsedElement element, String peer, int index, Context ctx) {
        String[] chain = chain(turn);
        String root = turn.root != null ? turn.root : turn.thread;
        String sub =
                registry.subthread(
                        turn.tenant, turn.thread, turn.inputEnvelopeId, turn.agent, index);
        Envelope call = envelope(turn, peer, element);
        call.thread = sub;
        if (registry.isExhausted(chain)) {
            // Never on the bus: a tool outside the job would act on a call the caller is told
            // was refused.
            String detail =
                    turn.agent
                            + " may not call "
                            + peer
                            + ": a call chain holds at most "
                            + registry.maxDepth()
                            + " calls below its root thread";
            ctx.output(DEAD_LETTERS, deadLetter(turn, call, detail));
            return List.of(
                    registry.refusal(
                            call,
                            turn.thread,
                            root,
                            chain,
                            turn.inputEnvelopeId,
                            detail,
                            turn.createdAt));
        }
        // Signed as the callee will read it back from the bus.
        call.payloadXml = asReadBack(call);
        call.metaExtensions = registry.callLink(call, turn.thread, root, chain, turn.createdAt);
        String record = sentRecords.write(peer, call.payloadXml);
        Envelope sent =
                envelope(turn, null, record, SentRecord.ELEMENT, SystemPayloads.AGENTSTREAM_NS);
        return List.of(call, sent);
    }

    /** The turn's call chain; a turn built without one starts a chain of its own. */
    private static String[] chain(Turn turn) {
        return turn.chain != null ? turn.chain : new String[] {turn.replyTo, turn.agent};
    }

    /** The payload of {@code call} as the bus will give it back; as it is when unwritable. */
    private String asReadBack(Envelope call) {
        try {
            return codec.decode(codec.encode(call)).payloadXml;
        } catch (IllegalArgumentException | EnvelopeException unwritable) {
            return call.payloadXml; // the writable check turns the whole answer into a <huh>
        }
    }

    private DeadLetter deadLetter(Turn turn, Envelope call, String detail) {
        byte[] original;
        try {
            original = codec.encode(call);
        } catch (IllegalArgumentException unwritable) {
            original = call.payloadXml.getBytes(StandardCharsets.UTF_8);
        }
        return new DeadLetter(
                        DeadLetterReason.CHAIN_EXHAUSTED,
                        detail,
                        turn.inputEnvelopeId,
                        turn.thread,
                        original)
                .withTenant(turn.tenant);
    }

    /**
     * Gives each envelope of the turn its deterministic id (see {@link MessageIds}), unless the
     * registry has given it one already.
     */
    private static void withIds(Turn turn, List<Envelope> envelopes) {
        for (int i = 0; i < envelopes.size(); i++) {
            Envelope e = envelopes.get(i);
            if (e.metaExtensions != null && e.metaExtensions.contains("<" + MessageIds.ELEMENT)) {
                continue;
            }
            String id = MessageIds.metaExtension(MessageIds.of(turn, i));
            e.metaExtensions = e.metaExtensions == null ? id : id + e.metaExtensions;
        }
    }

    /** True when every envelope can be encoded for the bus within the limits. */
    private boolean writable(List<Envelope> envelopes) {
        try {
            for (Envelope e : envelopes) {
                if (codec.encode(e).length > limits.maxOutputBytes()) {
                    return false;
                }
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The listener of the organism whose root tag the element has, when that listener is neither
     * one of the agent's peers nor the sender it answers: the agent may not address it.
     */
    private Optional<Listener> outsidePeers(Turn turn, ParsedElement element) {
        if (!element.namespace().isEmpty()) {
            return Optional.empty();
        }
        return organism.listenerForRootTag(element.root())
                .filter(owner -> !owner.name().equals(turn.replyTo));
    }

    /** The agent's peer that accepts the element's root tag: the element is a call to it. */
    private Optional<String> peerFor(Turn turn, ParsedElement element) {
        Optional<Listener> agent = organism.listener(turn.agent);
        if (element.namespace().isEmpty() && agent.isPresent()) {
            for (String peerName : agent.get().peers()) {
                Optional<Listener> peer = organism.listener(peerName);
                if (peer.isPresent() && peer.get().rootTag().equals(element.root())) {
                    return Optional.of(peer.get().name());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        if (spans != null) {
            spans.close();
        }
    }
}
