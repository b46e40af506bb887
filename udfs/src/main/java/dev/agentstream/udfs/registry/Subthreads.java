package dev.agentstream.udfs.registry;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Ids of subthreads. A call's subthread is derived from the tenant, the parent thread and the turn
 * that makes the call (its input envelope, its agent, the element's place in the answer), keyed
 * with the registry key: a replay of the turn opens the same subthread, two conversations on the
 * same path (or two tenants on the same thread id) never share one, and nobody without the key can
 * write to a subthread before its call exists.
 */
final class Subthreads {

    private Subthreads() {}

    static String of(
            LinkSigner signer,
            String tenant,
            String parent,
            String inputEnvelopeId,
            String agent,
            int i) {
        byte[] d =
                signer.digest(
                        "subthread", tenant, parent, inputEnvelopeId, agent, Integer.toString(i));
        ByteBuffer bytes = ByteBuffer.wrap(d, 0, 16);
        long high = (bytes.getLong() & ~0xF000L) | 0x4000L; // version 4: random-looking
        long low = (bytes.getLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
        return new UUID(high, low).toString();
    }
}
