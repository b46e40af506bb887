package dev.agentstream.devtools;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import dev.agentstream.devtools.kafka.KafkaBroker;
import dev.agentstream.devtools.sim.LlmSimulator;
import dev.agentstream.udfs.registry.RegistrySettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the end-to-end tests run against, once per class: a Flink MiniCluster (one task manager,
 * four slots so that a test may run the job at parallelism 4, RocksDB, loopback only), a Kafka
 * broker process and the LLM simulator over HTTP.
 */
abstract class LocalServicesTestBase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .setConfiguration(loopback())
                            .build());

    @TempDir static Path tmp;

    static KafkaBroker broker;
    static LlmSimulator simulator;
    static BusClient bus;
    static Path registryKey;

    @BeforeAll
    static void startServices() throws Exception {
        broker = KafkaBroker.start(tmp.resolve("kafka"));
        simulator = LlmSimulator.start(0);
        bus = new BusClient(broker.bootstrapServers());
        registryKey = tmp.resolve("registry.key");
        Files.writeString(registryKey, "devtools-tests-registry-key-0123456789abcdef");
    }

    /** Registry settings of the tests' jobs, with the key file of this class's services. */
    static RegistrySettings registry() {
        return new RegistrySettings(registryKey.toString(), "UNUSED", 3);
    }

    @AfterAll
    static void stopServices() {
        if (simulator != null) {
            simulator.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static Configuration loopback() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.HOST, "127.0.0.1");
        conf.setString("state.backend.type", "rocksdb");
        conf.setString(
                "state.backend.rocksdb.localdir",
                Path.of(System.getProperty("java.io.tmpdir"), "as-rocks").toString());
        return conf;
    }
}
