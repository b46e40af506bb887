package dev.agentstream.udfs.tenant;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.registry.LinkSigner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The job's stamp on every envelope it writes to the bus: {@code <tenant sig="...">name</tenant>},
 * an HMAC-SHA256 under the registry key over the tenant, thread, sender, recipient and payload, so
 * that the envelope is attributed to the same tenant when it comes back through decode, without a
 * token. Nobody without the key can write one, and a stamp copied onto another envelope does not
 * verify.
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class TenantStamps {

    /** Separates the stamps' digests from the registry's other uses of the same key. */
    private static final String PURPOSE = "tenant-stamp";

    private final LinkSigner signer;
    private final TenantXml xml;

    public TenantStamps(byte[] key, TenantXml xml) {
        this.signer = new LinkSigner(key);
        this.xml = xml;
    }

    /** The signature of a stamp of {@code tenant} on {@code e}, as decode reads {@code e}. */
    public String signature(String tenant, Envelope e) {
        byte[] mac = signer.digest(PURPOSE, tenant, e.thread, e.from, e.to, e.payloadXml);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    /** True when {@code stamp} is the job's stamp of its tenant on this very envelope. */
    public boolean verify(TenantXml.Stamp stamp, Envelope e) {
        if (stamp.sig() == null || stamp.tenant() == null) {
            return false;
        }
        byte[] expected = signature(stamp.tenant(), e).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, stamp.sig().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The bytes of {@code e} for the bus, stamped with {@code e.tenant} (unstamped when it has
     * none). The signature covers the fields as decode will read them back, so the envelope is
     * encoded, read back, signed, and encoded again with its stamp.
     *
     * @throws IllegalArgumentException when the envelope cannot be written (see {@link
     *     EnvelopeCodec#encode})
     */
    public byte[] encode(Envelope e, EnvelopeCodec codec) {
        byte[] plain = codec.encode(e);
        if (e.tenant == null || e.tenant.isEmpty()) {
            return plain;
        }
        Envelope read;
        try {
            read = codec.decode(plain);
        } catch (EnvelopeException unreadable) {
            throw new IllegalArgumentException(
                    "the envelope would not be read back: " + unreadable.reason().code());
        }
        Envelope stamped =
                new Envelope(
                        e.from, e.to, e.thread, e.payloadXml, e.payloadRoot, e.payloadNamespace);
        String extensions = e.metaExtensions == null ? "" : e.metaExtensions;
        stamped.metaExtensions = extensions + xml.writeStamp(e.tenant, signature(e.tenant, read));
        return codec.encode(stamped);
    }
}
