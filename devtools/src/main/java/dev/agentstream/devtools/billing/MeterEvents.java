package dev.agentstream.devtools.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Turns usage records into Stripe meter events: {@code event_name}, {@code identifier} (the usage
 * id, so that Stripe drops a record sent twice), {@code timestamp} (the turn's event time, epoch
 * seconds) and a {@code payload} of {@code stripe_customer_id} and {@code value} (the turn's
 * tokens, as a string). A record without tokens bills nothing and is skipped, as is a tenant with
 * no customer when a mapping is given.
 */
final class MeterEvents {

    /** Stripe's longest identifier; longer usage ids are replaced by their SHA-256. */
    static final int MAX_IDENTIFIER = 100;

    /** Either an event or why there is none. */
    record Result(Optional<ObjectNode> event, String skipped) {
        static Result skip(String reason) {
            return new Result(Optional.empty(), reason);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String eventName;
    private final Optional<Map<String, String>> customers;

    /**
     * @param customers tenant → Stripe customer id; empty to use the tenant as the customer id
     */
    MeterEvents(String eventName, Optional<Map<String, String>> customers) {
        this.eventName = eventName;
        this.customers = customers;
    }

    Result map(JsonNode usage) {
        String usageId = usage.path("usageId").asText("");
        String tenant = usage.path("tenant").asText("");
        if (usageId.isEmpty() || tenant.isEmpty() || !usage.path("timestamp").canConvertToLong()) {
            return Result.skip("not a usage record");
        }
        long tokens = usage.path("totalTokens").asLong(0);
        if (tokens <= 0) {
            String status = usage.path("cacheHit").asBoolean() ? "cache hit" : status(usage);
            return Result.skip("zero tokens (" + status + ")");
        }
        // With a mapping, a tenant outside it has no customer (never the tenant's own name).
        String customer = customers.isPresent() ? customers.get().get(tenant) : tenant;
        if (customer == null) {
            return Result.skip("unknown tenant");
        }
        ObjectNode event = JSON.createObjectNode();
        event.put("event_name", eventName);
        event.put("identifier", identifier(usageId));
        event.put("timestamp", usage.path("timestamp").asLong() / 1000);
        ObjectNode payload = event.putObject("payload");
        payload.put("stripe_customer_id", customer);
        payload.put("value", Long.toString(tokens));
        return new Result(Optional.of(event), "");
    }

    private static String status(JsonNode usage) {
        String status = usage.path("status").asText("");
        return status.isEmpty() ? "no status" : status;
    }

    static String identifier(String usageId) {
        if (usageId.length() <= MAX_IDENTIFIER) {
            return usageId;
        }
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(usageId.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
