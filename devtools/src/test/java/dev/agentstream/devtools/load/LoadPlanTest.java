package dev.agentstream.devtools.load;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadPlanTest {

    @Test
    void shouldKeepEveryValueThroughItsBuilder() {
        LoadPlan plan =
                base().rate(33)
                        .count(0)
                        .duration(Duration.ofSeconds(9))
                        .threads(3)
                        .threadLength(4)
                        .prefill(10, "archivist")
                        .duplicateFraction(0.5)
                        .seed(77)
                        .build();

        assertThat(plan.toBuilder().build()).isEqualTo(plan);
        assertThat(plan.toBuilder().seed(78).build().seed()).isEqualTo(78);
        assertThat(plan.prefillElement()).isEqualTo("Brief");
        assertThat(plan.maxLag()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldNameTheTopicsOfEachMode() {
        assertThat(base().topic("bus").build().topics()).containsExactly("bus");
        assertThat(base().topic("bus").build().tenantNames()).containsExactly("default");
        assertThat(base().topicPerTenant("in.{tenant}").tenants(2).build().topics())
                .containsExactly("in.t0", "in.t1");
        TokenSettings token = new TokenSettings(Path.of("s.yaml"), "iss", "aud", null);
        LoadPlan tokens = base().topic("bus").tokens(token).tenants(2).build();
        assertThat(tokens.topics()).containsExactly("bus");
        assertThat(tokens.tenantNames()).containsExactly("t0", "t1");
        assertThat(token.lifetime()).isEqualTo(TokenSettings.DEFAULT_LIFETIME);
    }

    @Test
    void shouldRefuseAPlanThatCannotRun() {
        assertRefused(base().count(0), "either a count or a duration");
        assertRefused(base().rate(0), "rate must be positive");
        assertRefused(base().tenants(2), "tenants must be 1");
        assertRefused(base().prefill(5, null), "a listener other than the agent");
        assertRefused(base().prefill(5, "summarizer"), "a listener other than the agent");
        assertRefused(base().duplicateFraction(1), "duplicate fraction");
        assertRefused(base().payloadElement("a b"), "not an XML name");
        assertRefused(base().payloadElement("x:y"), "not an XML name");
        assertRefused(base().from("summarizer"), "both summarizer");
        assertRefused(base().from("agentstream"), "the job itself");
        assertRefused(base().topicPerTenant("no-placeholder"), "{tenant}");
        assertRefused(base().to(null), "not a listener name");
    }

    private static void assertRefused(LoadPlanBuilder builder, String why) {
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why);
    }

    private static LoadPlanBuilder base() {
        return LoadPlan.builder().to("summarizer").payloadElement("Brief");
    }
}
