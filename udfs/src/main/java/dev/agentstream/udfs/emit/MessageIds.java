package dev.agentstream.udfs.emit;

import dev.agentstream.udfs.turn.Turn;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Ids of the envelopes the job writes, carried in a meta extension of AgentStream's namespace. An
 * id is derived from the input envelope (its bus coordinates), the agent and the element's place in
 * the answer, so that a replay of the same input writes the same ids and readers downstream can
 * drop duplicates.
 */
public final class MessageIds {

    /** Local name of the meta extension that carries the id. */
    public static final String ELEMENT = "message-id";

    private MessageIds() {}

    /** The id of the {@code index}-th envelope written for {@code turn}. */
    public static String of(Turn turn, int index) {
        return of(turn.inputEnvelopeId, turn.agent, index);
    }

    /** The id of the {@code index}-th envelope {@code writer} wrote for one input envelope. */
    public static String of(String inputEnvelopeId, String writer, int index) {
        String name = inputEnvelopeId + "/" + writer + "/" + index;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** {@code <message-id xmlns="https://agentstream.dev/ns/v1">id</message-id>}. */
    public static String metaExtension(String id) {
        return "<"
                + ELEMENT
                + " xmlns=\""
                + SystemPayloads.AGENTSTREAM_NS
                + "\">"
                + id
                + "</"
                + ELEMENT
                + ">";
    }
}
