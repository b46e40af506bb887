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
        if (!signer.verify(link, e.from, e.to, e.payloadXml)) {
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

    /** True when a call this deep may not be made. */
    public boolean isExhausted(RouteLink call) {
        return call.depth() > maxDepth;
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
     * The copy of {@code answer} (read on the subthread {@code call} opened) that goes to the
     * caller on the parent thread, signed so that the parent thread takes it as the caller's input.
     * Its id is derived from the answer's, so that a replay writes the same.
     */
    public Envelope answerUp(Envelope answer, RouteLink call) {
        Envelope up =
                new Envelope(
                        answer.from,
                        call.beforeLast(),
                        call.peer,
                        answer.payloadXml,
                        answer.payloadRoot,
                        answer.payloadNamespace);
        return withAnswerLink(up, call, answer.envelopeId);
    }

    /**
     * The refusal of a call deeper than the limit: a {@code <huh>} that goes to the caller on the
     * parent thread as the call's answer, so that the caller learns of it on its next turn.
     */
    public Envelope refusalUp(Envelope refusedCall, RouteLink call, String detail, long now) {
        String huh =
                SystemPayloads.huh(
                        "pipeline-failure",
                        detail,
                        refusedCall.from,
                        Objects.toString(refusedCall.to, ""),
                        refusedCall.payloadRoot,
                        Instant.ofEpochMilli(now));
        Envelope up =
                new Envelope(
                        SystemPayloads.JOB_SENDER,
                        call.beforeLast(),
                        call.peer,
                        huh,
                        "huh",
                        SystemPayloads.SYSTEM_NS);
        return withAnswerLink(up, call, refusedCall.envelopeId);
    }

    /**
     * A call from {@code caller} (whose chain is {@code chain}) to {@code callee} on {@code sub}.
     */
    public String callLink(String sub, String parent, String[] chain, String callee) {
        String[] extended = Arrays.copyOf(chain, chain.length + 1);
        extended[chain.length] = callee;
        RouteLink link = new RouteLink(RouteLink.CALL, sub, parent, extended);
        signer.sign(link, chain[chain.length - 1], callee, null);
        return xml.write(link);
    }

    private Envelope withAnswerLink(Envelope up, RouteLink call, String sourceEnvelopeId) {
        String[] callerChain = Arrays.copyOf(call.chain, call.chain.length - 1);
        RouteLink link = new RouteLink(RouteLink.ANSWER, call.peer, call.thread, callerChain);
        signer.sign(link, up.from, up.to, up.payloadXml);
        up.metaExtensions =
                MessageIds.metaExtension(MessageIds.of(sourceEnvelopeId, ANSWER_WRITER, 0))
                        + xml.write(link);
        return up;
    }
}
