package dev.agentstream.devtools.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class MeterEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MeterEvents BY_TENANT = new MeterEvents("tokens", Optional.empty());

    @Test
    void shouldWriteAMeterEventOfTheTurnsTokensForItsTenant() {
        ObjectNode event = BY_TENANT.map(usage("bus-0-7/greeter", "acme", 175, "ok")).event().get();

        assertThat(event.get("event_name").asText()).isEqualTo("tokens");
        assertThat(event.get("identifier").asText()).isEqualTo("bus-0-7/greeter");
        assertThat(event.get("timestamp").asLong()).isEqualTo(1_700_000_000L);
        assertThat(event.at("/payload/stripe_customer_id").asText()).isEqualTo("acme");
        assertThat(event.at("/payload/value").isTextual()).isTrue();
        assertThat(event.at("/payload/value").asText()).isEqualTo("175");
    }

    @Test
    void shouldMapTenantsToCustomersAndSkipTenantsWithoutOne() {
        MeterEvents mapped = new MeterEvents("tokens", Optional.of(Map.of("acme", "cus_123")));

        ObjectNode event = mapped.map(usage("u1", "acme", 5, "ok")).event().get();
        assertThat(event.at("/payload/stripe_customer_id").asText()).isEqualTo("cus_123");
        assertThat(mapped.map(usage("u2", "globex", 5, "ok")).skipped())
                .isEqualTo("unknown tenant");
    }

    @Test
    void shouldSkipTurnsThatBilledNoTokensSayingWhy() {
        assertThat(BY_TENANT.map(usage("u1", "acme", 0, "failed")).skipped())
                .isEqualTo("zero tokens (failed)");
        assertThat(BY_TENANT.map(usage("u2", "acme", 0, "rejected")).skipped())
                .isEqualTo("zero tokens (rejected)");
        ObjectNode hit = usage("u3", "acme", 0, "ok");
        hit.put("cacheHit", true);
        assertThat(BY_TENANT.map(hit).skipped()).isEqualTo("zero tokens (cache hit)");
        assertThat(BY_TENANT.map(JSON.createObjectNode()).skipped())
                .isEqualTo("not a usage record");
    }

    @Test
    void shouldKeepIdentifiersWithinStripesLimitAndStable() {
        String longId = "bus-0-7/" + "agent".repeat(40);

        String id = MeterEvents.identifier(longId);

        assertThat(id).hasSizeLessThanOrEqualTo(MeterEvents.MAX_IDENTIFIER).startsWith("sha256-");
        assertThat(MeterEvents.identifier(longId)).isEqualTo(id);
    }

    private static ObjectNode usage(String id, String tenant, int tokens, String status) {
        ObjectNode u = JSON.createObjectNode();
        u.put("usageId", id);
        u.put("tenant", tenant);
        u.put("totalTokens", tokens);
        u.put("status", status);
        u.put("timestamp", 1_700_000_000_123L);
        return u;
    }
}
