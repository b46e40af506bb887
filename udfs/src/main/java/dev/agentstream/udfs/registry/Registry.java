package dev.agentstream.udfs.registry;

import dev.agentstream.udfs.emit.MessageIds;
import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The thread registry's rules, without its state (the thread-context operator keeps each
 * subthread's opening call in keyed state): which links on the bus to believe, and the envelopes
 * that carry an answer, or the refusal of a call too deep, back to the caller on the parent thread.
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class Registry {

    /** Sender of the answer ids: the job itself, distinct from the ids its refusals use. */
    private static final String ANSWER_WRITER = SystemPayloads.JOB_SENDER + "/answer";

    private final LinkXml xml;
    private final LinkSigner signer;
    private final int maxDepth;

    public Registry(RegistrySettings settings, EnvelopeLimits limits) {
        this.xml = new LinkXml(limits);
        this.signer = new LinkSigner(settings.loadKey());
        this.maxDepth = settings.maxDepth();
    }

    /**
     * The registry link the envelope carries, when it has one the job wrote for this very envelope.
     *
     * @throws ForgedLinkException when it carries one the job did not write
     */
    public Optional<RouteLink> linkOf(Envelope e) throws ForgedLinkException {
        Optional<RouteLink> found;
        try {
            found = xml.read(e.metaExtensions);
        } catch (IllegalArgumentException malformed) {
            throw new ForgedLinkException(malformed.getMessage());
        }
        if (found.isEmpty()) {
            return found;
        }
        RouteLink link = found.get();
        if (!signer.verify(link, e.tenant, e.from, e.to, e.payloadXml)) {
            throw new ForgedLinkException("the registry link is not signed by this job");
        }
        boolean bound =
                link.thread.equals(e.thread)
                        && link.last().equals(e.to)
                        && (!link.isCall() || link.beforeLast().equals(e.from));
        if (!bound) {
            // Signed, so written by the job, but for another envelope: never believed either.
            throw new ForgedLinkException("the registry link belongs to another envelope");
        }
        return found;
    }

    /** The meta extension that ends the turn of {@code inputEnvelopeId} on its thread. */
    public String turnEnd(String inputEnvelopeId) {
        return xml.writeTurnEnd(inputEnvelopeId);
    }

    /** The input id of the turn an envelope ends on its thread, if it ends one. */
    public Optional<String> turnEndOf(Envelope e) {
        return xml.readTurnEnd(e.metaExtensions);
    }

    /** True when a call this deep may not be made. */
    public boolean isExhausted(RouteLink call) {
        return call.depth() > maxDepth;
    }

    /** True when an agent whose turn has {@code chain} may not call anyone: it is deep enough. */
    public boolean isExhausted(String[] chain) {
        return chain.length - 1 > maxDepth;
    }

    public int maxDepth() {
        return maxDepth;
    }

    /**
     * True when an envelope on the subthread that {@code call} opened is addressed ({@code
     * recipient}) to the caller: it is an answer, and goes back to the caller on the parent thread.
     */
    public static boolean isAnswer(RouteLink call, Optional<String> recipient) {
        return recipient.isPresent() && recipient.get().equals(call.beforeLast());
    }

    /**
     * True when {@code sender} may answer the call: the callee alone. (The errors of an agent
     * callee's turn are written from the callee; the job's own notes on a subthread, such as a
     * refusal of something sent there, are never an answer.)
     */
    public static boolean mayAnswer(RouteLink call, String sender) {
        return call.last().equals(sender);
    }

    /**
     * The subthread the {@code index}-th call of a turn of {@code tenant} opens (see {@link
     * Subthreads}).
     */
    public String subthread(
            String tenant, String parent, String inputEnvelopeId, String agent, int index) {
        return Subthreads.of(signer, tenant, parent, inputEnvelopeId, agent, index);
    }

    /**
     * The signed link of {@code call}, an envelope from the last name of {@code chain} to {@code
     * call.to} on its subthread {@code call.thread}, made on the thread {@code parent} of the
     * conversation rooted at {@code root}. The payload must be as the callee will read it.
     */
    public String callLink(Envelope call, String parent, String root, String[] chain, long now) {
        String[] extended = Arrays.copyOf(chain, chain.length + 1);
        extended[chain.length] = call.to;
        RouteLink link = new RouteLink(RouteLink.CALL, call.thread, parent, root, extended);
        link.at = now;
        signer.sign(link, call.tenant, call.from, call.to, call.payloadXml);
        return xml.write(link);
    }

    /**
     * The copy of {@code answer} (read on the subthread {@code call} opened) that goes to the
     * caller on the parent thread, signed so that the parent thread takes it as the caller's input.
     * Its id is derived from the answer's, so that a replay writes the same.
     */
    public Envelope answerUp(Envelope answer, RouteLink call, long now) {
        Envelope up =
                new Envelope(
                        answer.from,
                        call.beforeLast(),
                        call.peer,
                        answer.payloadXml,
                        answer.payloadRoot,
                        answer.payloadNamespace);
        up.tenant = answer.tenant;
        up.traceparent = answer.traceparent;
        String[] callerChain = Arrays.copyOf(call.chain, call.chain.length - 1);
        return withAnswerLink(up, call.thread, call.root, callerChain, answer.envelopeId, 0, now);
    }

    /**
     * The refusal of a call deeper than the limit, read on the subthread it would open: a {@code
     * <huh>} that goes to the caller on the parent thread as the call's answer.
     */
    public Envelope refusalUp(Envelope refusedCall, RouteLink call, String detail, long now) {
        String[] callerChain = Arrays.copyOf(call.chain, call.chain.length - 1);
        Envelope huh = huh(refusedCall, call.beforeLast(), call.peer, detail, now);
        return withAnswerLink(
                huh, call.thread, call.root, callerChain, refusedCall.envelopeId, 1, now);
    }

    /**
     * The refusal of a call the emit stage does not send: a {@code <huh>} to the caller on its own
     * thread, as the answer of the subthread the call would have opened ({@code refusedCall}'s).
     *
     * @param sourceId the turn's input envelope id, from which the answer's id is derived
     */
    public Envelope refusal(
            Envelope refusedCall,
            String callerThread,
            String root,
            String[] callerChain,
            String sourceId,
            String detail,
            long now) {
        String caller = callerChain[callerChain.length - 1];
        Envelope huh = huh(refusedCall, caller, callerThread, detail, now);
        String sub = refusedCall.thread;
        return withAnswerLink(huh, sub, root, callerChain, sourceId + "/" + sub, 2, now);
    }

    private static Envelope huh(
            Envelope refused, String caller, String callerThread, String detail, long now) {
        String huh =
                SystemPayloads.huh(
                        "pipeline-failure",
                        detail,
                        refused.from,
                        Objects.toString(refused.to, ""),
                        refused.payloadRoot,
                        Instant.ofEpochMilli(now));
        Envelope e =
                new Envelope(
                        SystemPayloads.JOB_SENDER,
                        caller,
                        callerThread,
                        huh,
                        "huh",
                        SystemPayloads.SYSTEM_NS);
        e.tenant = refused.tenant;
        e.traceparent = refused.traceparent;
        return e;
    }

    private Envelope withAnswerLink(
            Envelope up,
            String sub,
            String root,
            String[] callerChain,
            String sourceId,
            int i,
            long now) {
        String id = MessageIds.of(sourceId, ANSWER_WRITER, i);
        RouteLink link = new RouteLink(RouteLink.ANSWER, up.thread, sub, root, callerChain);
        link.id = id;
        link.at = now;
        signer.sign(link, up.tenant, up.from, up.to, up.payloadXml);
        up.metaExtensions = MessageIds.metaExtension(id) + xml.write(link);
        return up;
    }
}
