package dev.agentstream.deploy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Options table names every option the job declares. */
class ReadmeOptionsTest {

    @Test
    void shouldListEveryOptionOfTheJobInTheReadme() {
        String readme = Repo.read(Repo.path("README.md"));

        assertThat(JobOptions.read().keys())
                .isNotEmpty()
                .allSatisfy(key -> assertThat(readme).contains("| `" + key + "` |"));
    }
}
