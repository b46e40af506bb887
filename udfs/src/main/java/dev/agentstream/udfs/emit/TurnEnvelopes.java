package dev.agentstream.udfs.emit;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.XmlChars;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.turn.Turn;

import java.time.Instant;

import static dev.agentstream.udfs.emit.EmitFunction.MAX_TEXT;

/**
 * The envelopes a turn writes, built from the turn: from its agent, on its thread, stamped with its
 * tenant; the errors ({@code <huh>}), refusals and replies among them with their text cut to {@link
 * EmitFunction#MAX_TEXT} characters.
 */
final class TurnEnvelopes {

    private TurnEnvelopes() {}

    /**
     * A {@code <huh>} from the job to the agent itself, on its thread: what it tried to send and
     * why it was not sent, for the model to read on its next turn.
     */
    static Envelope peerViolation(Turn turn, ParsedElement element, Listener owner) {
        String huh =
                SystemPayloads.huh(
                        "validation-error",
                        turn.agent
                                + " may not send <"
                                + element.root()
                                + "> to "
                                + owner.name()
                                + ": not one of its peers; nothing was sent",
                        turn.agent,
                        owner.name(),
                        element.root(),
                        Instant.ofEpochMilli(turn.createdAt));
        Envelope e = envelope(turn, turn.agent, huh, "huh", SystemPayloads.SYSTEM_NS);
        e.from = SystemPayloads.JOB_SENDER;
        return e;
    }

    /** What the sender gets when the model answered without text: why, as the provider said. */
    static Envelope refusal(Turn turn, TurnResult result) {
        String reason = result.text.isBlank() ? result.finishReason : result.text;
        String payload = SystemPayloads.refusal(cut(XmlChars.strip(reason)));
        return envelope(
                turn, turn.replyTo, payload, SystemPayloads.REFUSAL, SystemPayloads.AGENTSTREAM_NS);
    }

    static Envelope huh(Turn turn, String message) {
        String huh =
                SystemPayloads.huh(
                        "pipeline-failure",
                        cut(message),
                        turn.replyTo,
                        turn.agent,
                        turn.inputRoot,
                        Instant.ofEpochMilli(turn.createdAt));
        return envelope(turn, turn.replyTo, huh, "huh", SystemPayloads.SYSTEM_NS);
    }

    static String cut(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + " [cut]";
    }

    static Envelope envelope(Turn turn, String to, ParsedElement element) {
        return envelope(turn, to, element.xml(), element.root(), element.namespace());
    }

    static Envelope envelope(
            Turn turn, String to, String payloadXml, String root, String namespace) {
        // Addresses come from decoded envelopes, which carry only XML characters; stripping
        // keeps an envelope built any other way writable.
        Envelope e =
                new Envelope(
                        XmlChars.strip(turn.agent),
                        to == null ? null : XmlChars.strip(to),
                        turn.thread,
                        payloadXml,
                        root,
                        namespace);
        // Every envelope of a turn is its tenant's: the bus sink stamps it so.
        e.tenant = turn.tenant == null ? "" : turn.tenant;
        return e;
    }
}
