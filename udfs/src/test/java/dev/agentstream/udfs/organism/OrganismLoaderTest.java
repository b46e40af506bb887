package dev.agentstream.udfs.organism;

import dev.agentstream.udfs.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OrganismLoaderTest {

    @Test
    void shouldLoadUpstreamHelloWorldAsItIs() {
        Optional<Path> file = Fixtures.upstreamFile("organism.yaml");
        assumeTrue(file.isPresent(), "../shared/xml-pipeline/organism.yaml is absent: skipped");

        Organism organism = OrganismLoader.load(file.get());

        assertThat(organism.name()).isEqualTo("hello-world");
        assertThat(organism.listeners())
                .extracting(Listener::name)
                .containsExactly("greeter", "shouter", "response-handler");
        Listener greeter = organism.listener("greeter").orElseThrow();
        assertThat(greeter.agent()).isTrue();
        assertThat(greeter.rootTag()).isEqualTo("Greeting");
        assertThat(greeter.peers()).containsExactly("shouter");
        assertThat(greeter.prompt()).contains("friendly greeter");
        assertThat(greeter.handler()).isEqualTo("handlers.hello.handle_greeting");
        assertThat(organism.listener("shouter").orElseThrow().rootTag())
                .isEqualTo("GreetingResponse");
        assertThat(organism.isAgent("shouter")).isFalse();

        LlmSettings llm = organism.llm();
        assertThat(llm.strategy()).isEqualTo("failover");
        assertThat(llm.retries()).isEqualTo(3);
        Backend xai = llm.primary();
        assertThat(xai.provider()).isEqualTo("xai");
        assertThat(xai.apiKeyEnv()).isEqualTo("XAI_API_KEY");
        assertThat(xai.rateLimitTpm()).isEqualTo(100000);
        assertThat(xai.baseUrl()).isEqualTo("https://api.x.ai/v1");
        assertThat(xai.model()).isNotBlank();
    }

    @Test
    void shouldLoadTheProjectsExampleOrganism() {
        Path example = Path.of("..", "examples", "organism.yaml");

        Organism organism = OrganismLoader.load(example);

        assertThat(organism.name()).isEqualTo("help-desk");
        assertThat(organism.listeners()).hasSize(3);
        assertThat(organism.listenerForRootTag("Brief").map(Listener::name)).hasValue("summarizer");
        assertThat(organism.llm().primary().model()).isEqualTo("gpt-4o-mini");
        assertThat(organism.llm().primary().timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldGiveAnthropicAndOllamaTheirNativeBaseUrls() {
        Backend anthropic = onlyBackend("provider: anthropic");
        Backend ollama = onlyBackend("provider: ollama");

        assertThat(anthropic.baseUrl()).isEqualTo("https://api.anthropic.com/v1");
        assertThat(anthropic.apiKeyEnv()).isEqualTo("ANTHROPIC_API_KEY");
        assertThat(anthropic.model()).startsWith("claude-");
        assertThat(ollama.baseUrl()).isEqualTo("http://127.0.0.1:11434");
        assertThat(ollama.apiKeyEnv()).isEmpty();
        assertThat(ollama.model()).isEqualTo("llama3.2");
    }

    @Test
    void shouldNameTheKeyOfAnUnknownPeer() {
        String yaml = Fixtures.HELLO_YAML.replace("peers: [shouter]", "peers: [whisperer]");

        assertThatThrownBy(() -> OrganismLoader.parse(yaml, "bad.yaml"))
                .isInstanceOf(OrganismException.class)
                .hasMessageContaining("bad.yaml")
                .hasMessageContaining("listeners[0].peers")
                .hasMessageContaining("whisperer");
    }

    @Test
    void shouldRequireBaseUrlAndModelForAnUnknownProvider() {
        String yaml = Fixtures.HELLO_YAML.replace("provider: xai", "provider: acme");

        assertThatThrownBy(() -> OrganismLoader.parse(yaml, "bad.yaml"))
                .hasMessageContaining("llm.backends[0].base_url");
    }

    @Test
    void shouldRejectAnUnknownStrategy() {
        String yaml = Fixtures.HELLO_YAML.replace("strategy: failover", "strategy: random");

        assertThatThrownBy(() -> OrganismLoader.parse(yaml, "bad.yaml"))
                .hasMessageContaining("llm.strategy");
    }

    @Test
    void shouldRejectTwoListenersWithOneRootTag() {
        String yaml =
                Fixtures.HELLO_YAML.replace(
                        "handlers.hello.ShoutedResponse", "other.GreetingResponse");

        assertThatThrownBy(() -> OrganismLoader.parse(yaml, "bad.yaml"))
                .hasMessageContaining("listeners[2].payload_class")
                .hasMessageContaining("GreetingResponse");
    }

    @Test
    void shouldRejectANegativeRateLimit() {
        String yaml =
                Fixtures.HELLO_YAML.replace(
                        "api_key_env: XAI_API_KEY",
                        "api_key_env: XAI_API_KEY\n      rate_limit_tpm: -5");

        assertThatThrownBy(() -> OrganismLoader.parse(yaml, "bad.yaml"))
                .hasMessageContaining("llm.backends[0].rate_limit_tpm");
    }

    @Test
    void shouldRejectAFileWithoutListeners() {
        assertThatThrownBy(
                        () ->
                                OrganismLoader.parse(
                                        "organism: {name: x}\nllm: {backends: [{provider: xai}]}",
                                        "bad.yaml"))
                .hasMessageContaining("listeners");
    }

    /** The hello-world organism with its one backend's provider and key lines replaced. */
    private static Backend onlyBackend(String providerLine) {
        String yaml =
                Fixtures.HELLO_YAML.replace(
                        "provider: xai\n      api_key_env: XAI_API_KEY", providerLine);
        return OrganismLoader.parse(yaml, "fixture.yaml").llm().primary();
    }
}
