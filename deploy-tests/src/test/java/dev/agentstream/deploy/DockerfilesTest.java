package dev.agentstream.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The images copy what the build makes, from the Flink release the job is built against. */
class DockerfilesTest {

    @Test
    void shouldBuildOnTheFlinkReleaseOfTheJob() {
        assertThat(Dockerfiles.instructions(Dockerfiles.JOB, "FROM"))
                .containsExactly("flink:" + Poms.flinkVersion() + "-java17");
    }

    @Test
    void shouldCopyTheShadedJobJarIntoUsrlib() {
        List<Dockerfiles.Copy> copies = Dockerfiles.copies(Dockerfiles.JOB);

        assertThat(copies).hasSize(1);
        Dockerfiles.Copy copy = copies.get(0);
        assertThat(copy.sources())
                .singleElement()
                .satisfies(source -> assertMatches(source, "job/target/" + Poms.shadedJobJar()));
        assertThat(copy.destination()).isEqualTo("/opt/flink/usrlib/agentstream-job.jar");
    }

    @Test
    void shouldCopyTheDevtoolsJarWithItsLibrariesForTheSimulator() {
        List<Dockerfiles.Copy> copies = Dockerfiles.copies(Dockerfiles.SIMULATOR);

        assertThat(copies)
                .flatExtracting(Dockerfiles.Copy::sources)
                .containsExactlyInAnyOrder(
                        "devtools/target/lib/",
                        "devtools/target/" + Poms.devtoolsJar(),
                        "deploy/docker/llm-sim-log4j2.properties");
        assertThat(Dockerfiles.instructions(Dockerfiles.SIMULATOR, "ENTRYPOINT"))
                .singleElement()
                .asString()
                .contains("dev.agentstream.devtools.sim.LlmSimulator");
        assertThat(
                        Repo.path(
                                "devtools/src/main/java/dev/agentstream/devtools/sim/LlmSimulator.java"))
                .isRegularFile();
    }

    @Test
    void shouldLetEveryCopiedFileThroughDockerignore() {
        List<String> ignore =
                Repo.read(Repo.path(".dockerignore"))
                        .lines()
                        .filter(l -> !l.isBlank() && !l.startsWith("#"))
                        .toList();

        assertThat(ignore.get(0)).isEqualTo("*");
        for (String dockerfile : List.of(Dockerfiles.JOB, Dockerfiles.SIMULATOR)) {
            for (Dockerfiles.Copy copy : Dockerfiles.copies(dockerfile)) {
                for (String source : copy.sources()) {
                    assertThat(ignore).as(dockerfile).contains("!" + source);
                }
            }
        }
    }

    private static void assertMatches(String glob, String file) {
        assertThat(FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(Path.of(file)))
                .as(file + " matches " + glob)
                .isTrue();
    }
}
