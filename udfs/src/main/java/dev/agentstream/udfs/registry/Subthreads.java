package dev.agentstream.udfs.registry;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Ids of subthreads. A call's subthread is derived from the parent thread and the turn that makes
 * the call (its input envelope, its agent, the element's place in the answer): a replay of the turn
 * opens the same subthread, and two conversations on the same path never share one.
 */
public final class Subthreads {

    private Subthreads() {}

    public static String of(String parent, String inputEnvelopeId, String agent, int index) {
        String name = "subthread\n" + parent + "\n" + inputEnvelopeId + "\n" + agent + "\n" + index;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
