package dev.agentstream.udfs.tenant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicTemplateTest {

    @Test
    void shouldNameEachTenantsTopicAndReadTheTenantBack() {
        TopicTemplate bus = TopicTemplate.parse("agentstream.bus.{tenant}");

        assertThat(bus.topicFor("acme")).isEqualTo("agentstream.bus.acme");
        assertThat(bus.tenantOf("agentstream.bus.acme")).contains("acme");
        assertThat(bus.tenantOf("agentstream.bus.")).isEmpty();
        assertThat(bus.tenantOf("agentstream.usage")).isEmpty();
    }

    @Test
    void shouldSubscribeToEveryTopicTheTemplateCouldNameAndNoOther() {
        TopicTemplate bus = TopicTemplate.parse("tenants.{tenant}.bus");

        assertThat(bus.subscription().matcher("tenants.acme.bus").matches()).isTrue();
        assertThat(bus.subscription().matcher("tenants.Not_A_Name.bus").matches())
                .as("read, then refused as bad-tenant, rather than left unread")
                .isTrue();
        assertThat(bus.subscription().matcher("tenantsXacmeXbus").matches())
                .as("dots are literal")
                .isFalse();
        assertThat(bus.subscription().matcher("tenants.acme.bus.usage").matches()).isFalse();
    }

    @Test
    void shouldRefuseTemplatesThatCannotNameTopics() {
        assertThatThrownBy(() -> TopicTemplate.parse("agentstream.bus"))
                .hasMessageContaining("exactly once");
        assertThatThrownBy(() -> TopicTemplate.parse("{tenant}.{tenant}"))
                .hasMessageContaining("exactly once");
        assertThatThrownBy(() -> TopicTemplate.parse("{tenant}"))
                .hasMessageContaining("literal text");
        assertThatThrownBy(() -> TopicTemplate.parse("bus/{tenant}"))
                .hasMessageContaining("literal text");
        assertThatThrownBy(() -> TopicTemplate.parse("bus.{tenant}").topicFor("Acme"))
                .hasMessageContaining("not a tenant name");
    }

    @Test
    void shouldKeyByTenantFirst() {
        String key = TenantNames.key("acme", "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42");

        assertThat(key).isEqualTo("acme/6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42");
        assertThat(TenantNames.tenantOf(key)).isEqualTo("acme");
        assertThat(TenantNames.idOf(key)).isEqualTo("6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42");
        assertThat(TenantNames.isValid("a")).isTrue();
        assertThat(TenantNames.isValid("a".repeat(64))).isTrue();
        assertThat(TenantNames.isValid("a".repeat(65))).isFalse();
        assertThat(TenantNames.isValid("acme/eu")).isFalse();
        assertThat(TenantNames.isValid("-acme")).isFalse();
        assertThat(TenantNames.isValid("")).isFalse();
    }
}
