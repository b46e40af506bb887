package dev.agentstream.udfs.organism;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our additions to upstream's organism file that the router reads: cache and context windows. */
class RouterKeysTest {

    @Test
    void shouldReadCacheAndContextWindow() {
        Organism organism =
                OrganismLoader.parse(
                        yaml("      context_window: 128000", "    cache: true\n    cache_ttl: 90"),
                        "test");

        assertThat(organism.llm().primary().contextWindow()).isEqualTo(128_000);
        Listener agent = organism.listener("agent").orElseThrow();
        assertThat(agent.caches()).isTrue();
        assertThat(agent.cacheTtl()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void shouldCacheForAnHourWhenNoTtlIsGiven() {
        Listener agent =
                OrganismLoader.parse(yaml("", "    cache: true"), "test")
                        .listener("agent")
                        .orElseThrow();

        assertThat(agent.cacheTtl()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldNotCacheUnlessAsked() {
        Organism organism = OrganismLoader.parse(yaml("", ""), "test");

        assertThat(organism.listener("agent").orElseThrow().caches()).isFalse();
        assertThat(organism.llm().primary().contextWindow()).isZero();
    }

    @Test
    void shouldNameTheKeyOfABadCacheSetting() {
        assertThatThrownBy(() -> OrganismLoader.parse(yaml("", "    cache: often"), "test"))
                .hasMessageContaining("'listeners[0].cache'");
        assertThatThrownBy(() -> OrganismLoader.parse(yaml("", "    cache_ttl: 5"), "test"))
                .hasMessageContaining("'listeners[0].cache_ttl'")
                .hasMessageContaining("needs cache: true");
        assertThatThrownBy(
                        () ->
                                OrganismLoader.parse(
                                        yaml("", "    cache: true\n    cache_ttl: 0"), "test"))
                .hasMessageContaining("'listeners[0].cache_ttl'");
        assertThatThrownBy(() -> OrganismLoader.parse(yaml("      context_window: -1", ""), "test"))
                .hasMessageContaining("'llm.backends[0].context_window'");
    }

    private static String yaml(String backendExtra, String listenerExtra) {
        return String.join(
                "\n",
                "organism:",
                "  name: keys",
                "llm:",
                "  backends:",
                "    - provider: openai",
                backendExtra,
                "listeners:",
                "  - name: agent",
                "    payload_class: x.Ask",
                "    agent: true",
                listenerExtra,
                "");
    }
}
