package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The GitHub workflow runs the README's test command on Java 17, then builds the images. */
class WorkflowTest {

    @Test
    void shouldRunTheReadmesCommandThenBuildTheImages() {
        JsonNode job =
                Repo.readYaml(Repo.path(".github/workflows/ci.yml")).path("jobs").path("verify");
        List<String> runs = new ArrayList<>();
        job.path("steps").forEach(step -> runs.add(step.path("run").asText("")));
        JsonNode java = job.path("steps").findParent("java-version");

        assertThat(Repo.read(Repo.path("README.md"))).contains("```bash\nmvn -B verify\n```");
        assertThat(java.path("distribution").asText()).isEqualTo("temurin");
        assertThat(java.path("java-version").asText()).isEqualTo("17");
        int verify = runs.indexOf("mvn -B verify");
        assertThat(verify).isNotNegative();
        assertThat(runs.subList(verify + 1, runs.size()))
                .anyMatch(r -> r.startsWith("docker build -f " + Dockerfiles.JOB + " "))
                .anyMatch(r -> r.startsWith("docker build -f " + Dockerfiles.SIMULATOR + " "));
    }
}
