package dev.agentstream.udfs.organism;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LiteLlmModelListTest {

    private static final String MODEL_LIST =
            String.join(
                    "\n",
                    "model_list:",
                    "  - model_name: fast",
                    "    litellm_params:",
                    "      model: openai/gpt-4o-mini",
                    "      api_key: os.environ/MY_OPENAI_KEY",
                    "      tpm: 90000",
                    "      max_parallel_requests: 8",
                    "      timeout: 20",
                    "      order: 2",
                    "    model_info:",
                    "      max_input_tokens: 128000",
                    "  - model_name: fast",
                    "    litellm_params:",
                    "      model: anthropic/claude-haiku-4-5",
                    "      order: 1",
                    "  - model_name: local",
                    "    litellm_params:",
                    "      model: ollama_chat/llama3.2",
                    "      api_base: http://127.0.0.1:11434",
                    "");

    @Test
    void shouldReadALiteLlmModelListFileBesideTheOrganism(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("litellm.yaml"), MODEL_LIST);
        Path organism = dir.resolve("organism.yaml");
        Files.writeString(organism, organism("  model_list_file: litellm.yaml"));

        List<Backend> backends = OrganismLoader.load(organism).llm().backends();

        assertThat(backends).extracting(Backend::name).containsExactly("fast", "fast#2", "local");
        Backend openai = backends.get(0);
        assertThat(openai.provider()).isEqualTo("openai");
        assertThat(openai.model()).isEqualTo("gpt-4o-mini");
        assertThat(openai.apiKeyEnv()).isEqualTo("MY_OPENAI_KEY");
        assertThat(openai.baseUrl()).isEqualTo("https://api.openai.com/v1");
        assertThat(openai.rateLimitTpm()).isEqualTo(90_000);
        assertThat(openai.maxConcurrent()).isEqualTo(8);
        assertThat(openai.timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(openai.priority()).isEqualTo(2);
        assertThat(openai.contextWindow()).isEqualTo(128_000);
        Backend anthropic = backends.get(1);
        assertThat(anthropic.provider()).isEqualTo("anthropic");
        assertThat(anthropic.apiKeyEnv()).isEqualTo("ANTHROPIC_API_KEY");
        assertThat(anthropic.priority()).isEqualTo(1);
        assertThat(backends.get(2).provider()).isEqualTo("ollama");
        assertThat(backends.get(2).priority()).isEqualTo(3);
    }

    @Test
    void shouldReadAnInlineModelList() {
        String inline =
                MODEL_LIST.replace("model_list:", "  model_list:").replace("\n  ", "\n    ");

        Organism o = OrganismLoader.parse(organism(inline.stripTrailing()), "inline");

        assertThat(o.llm().backends()).hasSize(3);
    }

    @Test
    void shouldNeverReadAKeyFromTheFile() {
        String literal =
                organism(
                        String.join(
                                "\n",
                                "  model_list:",
                                "    - model_name: x",
                                "      litellm_params:",
                                "        model: openai/gpt-4o",
                                "        api_key: sk-live-123"));

        assertThatThrownBy(() -> OrganismLoader.parse(literal, "t"))
                .hasMessageContaining("llm.model_list[0].litellm_params.api_key")
                .hasMessageNotContaining("sk-live-123");
    }

    @Test
    void shouldNameTheKeyOfAnUnknownProvider() {
        String azure =
                organism(
                        String.join(
                                "\n",
                                "  model_list:",
                                "    - model_name: x",
                                "      litellm_params:",
                                "        model: azure/gpt-4o"));

        assertThatThrownBy(() -> OrganismLoader.parse(azure, "t"))
                .hasMessageContaining("llm.model_list[0].litellm_params.model");
    }

    @Test
    void shouldRefuseBackendsAndAModelListTogether() {
        String both =
                organism(
                        String.join(
                                "\n",
                                "  backends:",
                                "    - provider: openai",
                                "  model_list:",
                                "    - model_name: x",
                                "      litellm_params:",
                                "        model: openai/gpt-4o"));

        assertThatThrownBy(() -> OrganismLoader.parse(both, "t"))
                .hasMessageContaining("not several");
    }

    private static String organism(String llmBody) {
        return String.join(
                "\n",
                "organism:",
                "  name: lite",
                "llm:",
                "  strategy: failover",
                llmBody,
                "listeners:",
                "  - name: a",
                "    payload_class: x.Ask",
                "    agent: true",
                "");
    }
}
