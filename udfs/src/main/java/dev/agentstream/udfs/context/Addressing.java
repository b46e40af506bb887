package dev.agentstream.udfs.context;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;

import java.util.Optional;

/**
 * What an envelope is, from the organism alone: who it is for, whether the job wrote it, whether
 * only an answer could be like it, whose turn it ends, and why it cannot be taken. No state.
 */
final class Addressing {

    private final Organism organism;

    Addressing(Organism organism) {
        this.organism = organism;
    }

    /**
     * The agent whose turn this envelope ends: its sender when an agent wrote it, or the agent a
     * job's error is addressed to (the only output of a turn whose answer could not be sent).
     */
    Optional<String> answeredAgent(Envelope envelope) {
        if (organism.isAgent(envelope.from)) {
            return Optional.of(envelope.from);
        }
        boolean jobError =
                SystemPayloads.JOB_SENDER.equals(envelope.from) && isSystemMessage(envelope);
        return jobError && envelope.to != null && organism.isAgent(envelope.to)
                ? Optional.of(envelope.to)
                : Optional.empty();
    }

    /** {@code <to>}, or the listener whose root tag the payload has. */
    Optional<Listener> recipient(Envelope envelope) {
        if (envelope.to != null) {
            return organism.listener(envelope.to);
        }
        return envelope.hasPlainPayload()
                ? organism.listenerForRootTag(envelope.payloadRoot)
                : Optional.empty();
    }

    /** Replies and errors the job wrote: recorded for the model to read, never routed. */
    static boolean isSystemMessage(Envelope envelope) {
        return SystemPayloads.SYSTEM_NS.equals(envelope.payloadNamespace)
                || SystemPayloads.AGENTSTREAM_NS.equals(envelope.payloadNamespace);
    }

    /**
     * True when a listener of the organism (an agent or a tool) sends an agent what only an answer
     * to a call can be: a reply or a refusal, or a payload that is not the agent's.
     */
    boolean looksLikeAnswer(Envelope envelope, Optional<Listener> recipient) {
        if (recipient.isEmpty()
                || !recipient.get().agent()
                || organism.listener(envelope.from).isEmpty()) {
            return false;
        }
        boolean reply =
                SystemPayloads.AGENTSTREAM_NS.equals(envelope.payloadNamespace)
                        && (SystemPayloads.REPLY.equals(envelope.payloadRoot)
                                || SystemPayloads.REFUSAL.equals(envelope.payloadRoot));
        boolean foreignPayload =
                envelope.hasPlainPayload()
                        && !recipient.get().rootTag().equals(envelope.payloadRoot);
        return reply || foreignPayload;
    }

    /**
     * Why an envelope cannot be taken, if it cannot: it names no listener of the organism (unless
     * an agent wrote it to someone outside), or it gives an agent a payload that is not the
     * agent's.
     */
    Optional<DeadLetterReason> problem(Envelope envelope, Optional<Listener> recipient) {
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
}
