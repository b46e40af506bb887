package dev.agentstream.udfs.cache;

import dev.agentstream.udfs.organism.Backend;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The response cache's key of a turn: a SHA-256 over everything that decides the answer, so that
 * two turns share an answer only when a provider would have been asked the very same thing by the
 * same tenant: the tenant, every backend the router may use (provider, name, model), the model,
 * every parameter and the whole message list. The tenant comes first, so no two tenants ever share
 * a key.
 */
public final class CacheKeys {

    /** Changes when the fields change, so that an old key never matches a new request. */
    private static final String VERSION = "v1";

    private CacheKeys() {}

    public static String of(Turn turn, List<Backend> backends) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        field(sha256, VERSION);
        field(sha256, turn.tenant == null ? "" : turn.tenant);
        for (Backend b : backends) {
            field(sha256, b.provider());
            field(sha256, b.name());
            field(sha256, b.model());
        }
        field(sha256, turn.model);
        field(sha256, Integer.toString(turn.maxTokens));
        field(sha256, Integer.toString(turn.messages.length));
        for (ChatMessage m : turn.messages) {
            field(sha256, m.role);
            field(sha256, m.content);
        }
        return tenantPrefix(turn.tenant) + HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * What every cache key of {@code tenant} starts with: its name ({@code -} for none) and a
     * colon, which no tenant name holds. A Redis glob of it needs no escaping: tenant names hold
     * none of {@code *?[]\}.
     */
    public static String tenantPrefix(String tenant) {
        return (tenant == null || tenant.isEmpty() ? "-" : tenant) + ":";
    }

    /** Length-prefixed, so that no two different field sequences hash the same bytes. */
    private static void field(MessageDigest digest, String value) {
        byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
    }
}
