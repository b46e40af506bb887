package dev.agentstream.udfs.control;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Signs and checks control commands with HMAC-SHA256 under the control key. The signature covers
 * what the command does and to whom (its name and tenant), its id, its sender and when it was
 * signed, each length-prefixed: a signature copied onto another command, tenant or time is not
 * believed. Not thread-safe: one per operator instance.
 */
public final class ControlSigner {

    private static final String ALGORITHM = "HmacSHA256";
    private static final String VERSION = "agentstream-control-v1";

    private final Mac mac;

    public ControlSigner(byte[] key) {
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The signature (base64url, no padding) of a command. */
    public String sign(String command, String tenant, String id, String from, String issued) {
        mac.reset();
        for (String field : new String[] {VERSION, command, tenant, id, from, issued}) {
            byte[] bytes = (field == null ? "" : field).getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            mac.update(bytes);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
    }

    /** True when {@code sig} is the signature of this command, compared in constant time. */
    public boolean verify(
            String sig, String command, String tenant, String id, String from, String issued) {
        if (sig == null) {
            return false;
        }
        byte[] expected = sign(command, tenant, id, from, issued).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.UTF_8));
    }
}
