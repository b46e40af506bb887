package dev.agentstream.devtools.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@link BrokerLibrary} finds the broker jars. */
class BrokerLibraryTest {

    @TempDir Path root;

    @Test
    void shouldFindTheBuildOutputAboveTheWorkingDirectory() throws Exception {
        Path lib = brokerLib(root.resolve("kafka-broker/target/lib"));
        Path moduleDir = Files.createDirectories(root.resolve("devtools/target"));

        assertThat(BrokerLibrary.locate(null, null, moduleDir)).isEqualTo(lib);
    }

    @Test
    void shouldPreferThePropertyOverTheEnvironment() throws Exception {
        Path fromProperty = brokerLib(root.resolve("a"));
        Path fromEnv = brokerLib(root.resolve("b"));

        assertThat(BrokerLibrary.locate(fromProperty.toString(), fromEnv.toString(), root))
                .isEqualTo(fromProperty);
        assertThat(BrokerLibrary.locate(" ", fromEnv.toString(), root)).isEqualTo(fromEnv);
    }

    @Test
    void shouldTellToBuildWhenNothingIsFound() {
        assertThatThrownBy(() -> BrokerLibrary.locate(null, null, root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mvn -DskipTests package");
    }

    @Test
    void shouldRejectAConfiguredFolderWithoutTheBroker() throws Exception {
        Path empty = Files.createDirectories(root.resolve("empty"));

        assertThatThrownBy(() -> BrokerLibrary.locate(empty.toString(), null, root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(BrokerLibrary.PROPERTY);
    }

    private static Path brokerLib(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.createFile(dir.resolve("kafka_2.13-4.2.0.jar"));
        return dir;
    }
}
