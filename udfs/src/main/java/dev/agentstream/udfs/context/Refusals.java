package dev.agentstream.udfs.context;

import dev.agentstream.udfs.emit.MessageIds;
import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.organism.Listener;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * What the thread-context operator writes when it refuses an envelope: a dead letter for operators
 * and a {@code <huh>} of xml-pipeline's system schema for the sender. The {@code <huh>} is a system
 * message, so it is never refused in turn.
 */
final class Refusals {

    private final EnvelopeCodec codec;

    Refusals(EnvelopeCodec codec) {
        this.codec = codec;
    }

    /**
     * A dead letter that carries the envelope re-encoded (its original bytes are gone after
     * decoding), or its payload alone when even that cannot be written.
     */
    DeadLetter deadLetter(Envelope envelope, DeadLetterReason reason, String detail) {
        byte[] original;
        try {
            original = codec.encode(envelope);
        } catch (IllegalArgumentException e) {
            original = envelope.payloadXml.getBytes(StandardCharsets.UTF_8);
        }
        return new DeadLetter(reason, detail, envelope.envelopeId, envelope.thread, original)
                .withTenant(envelope.tenant);
    }

    /** True when the envelope can be written to the bus within the size limit. */
    boolean fits(Envelope envelope, int maxBytes) {
        try {
            return codec.encode(envelope).length <= maxBytes;
        } catch (IllegalArgumentException unwritable) {
            return false;
        }
    }

    /** The {@code <huh>} from the job to the refused envelope's sender, on its thread. */
    Envelope huh(Envelope refused, DeadLetterReason reason, String detail, long now) {
        String errorType =
                reason == DeadLetterReason.TURN_LIMIT || reason == DeadLetterReason.TOKEN_LIMIT
                        ? "pipeline-failure"
                        : "validation-error";
        String huh =
                SystemPayloads.huh(
                        errorType,
                        reason.code() + ": " + detail,
                        refused.from,
                        refused.to == null ? "" : refused.to,
                        refused.payloadRoot,
                        Instant.ofEpochMilli(now));
        Envelope error =
                new Envelope(
                        SystemPayloads.JOB_SENDER,
                        refused.from,
                        refused.thread,
                        huh,
                        "huh",
                        SystemPayloads.SYSTEM_NS);
        error.tenant = refused.tenant;
        error.traceparent = refused.traceparent;
        error.metaExtensions =
                MessageIds.metaExtension(
                        MessageIds.of(refused.envelopeId, SystemPayloads.JOB_SENDER, 0));
        return error;
    }

    /** Why an envelope was refused at routing, in words for a dead letter and a model. */
    static String detail(Envelope envelope, DeadLetterReason reason, Optional<Listener> recipient) {
        if (reason == DeadLetterReason.UNKNOWN_RECIPIENT || recipient.isEmpty()) {
            return "no listener "
                    + (envelope.to != null
                            ? "named " + envelope.to
                            : "accepts <" + envelope.payloadRoot + ">");
        }
        String given =
                envelope.hasPlainPayload()
                        ? envelope.payloadRoot
                        : "{" + envelope.payloadNamespace + "}" + envelope.payloadRoot;
        return recipient.get().name()
                + " accepts <"
                + recipient.get().rootTag()
                + ">, not <"
                + given
                + ">";
    }
}
