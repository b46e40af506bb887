package dev.agentstream.udfs.registry;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Signs and checks registry links with HMAC-SHA256 under the job's registry key. The signature
 * covers the link, the envelope's tenant, sender, recipient and payload, so that a link copied onto
 * another envelope, thread, payload or tenant is not believed. The same key derives subthread ids,
 * so that nobody outside the job can tell a subthread's id before the call that opens it is on the
 * bus.
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class LinkSigner {

    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;

    public LinkSigner(byte[] key) {
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /**
     * Sets {@code link.sig} for an envelope of {@code tenant} from {@code from} to {@code to} with
     * this payload.
     */
    public void sign(RouteLink link, String tenant, String from, String to, String payloadXml) {
        link.sig = signature(link, tenant, from, to, payloadXml);
    }

    /** True when {@code link.sig} is the job's signature over the link and this envelope. */
    public boolean verify(
            RouteLink link, String tenant, String from, String to, String payloadXml) {
        if (link.sig == null || !link.isComplete()) {
            return false;
        }
        byte[] expected =
                signature(link, tenant, from, to, payloadXml).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, link.sig.getBytes(StandardCharsets.UTF_8));
    }

    private String signature(
            RouteLink link, String tenant, String from, String to, String payloadXml) {
        mac.reset();
        field(link.kind);
        field(tenant);
        field(link.thread);
        field(link.peer);
        field(link.root);
        field(link.id);
        field(Long.toString(link.at));
        field(from);
        field(to);
        field(payloadXml);
        for (String name : link.chain) {
            field(name);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
    }

    /** A keyed digest of {@code fields}: unpredictable without the key, the same for the same. */
    public byte[] digest(String... fields) {
        mac.reset();
        field("digest");
        for (String f : fields) {
            field(f);
        }
        return mac.doFinal();
    }

    /** Length-prefixed, so that no two different field lists feed the same bytes. */
    private void field(String value) {
        byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
        mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        mac.update(bytes);
    }
}
