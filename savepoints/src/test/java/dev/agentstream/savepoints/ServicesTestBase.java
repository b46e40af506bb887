package dev.agentstream.savepoints;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import dev.agentstream.devtools.kafka.KafkaBroker;
import dev.agentstream.devtools.sim.LlmSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * What the job of a release runs against, once per class: a Flink MiniCluster (one task manager,
 * two slots, RocksDB, loopback only), a new Kafka broker process and the LLM simulator.
 */
abstract class ServicesTestBase {

    static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .setConfiguration(loopback())
                            .build());

    @TempDir static Path tmp;

    static KafkaBroker broker;
    static LlmSimulator simulator;
    static Bus bus;

    @BeforeAll
    static void startServices() throws Exception {
        broker = KafkaBroker.start(tmp.resolve("kafka"));
        simulator = LlmSimulator.start(0);
        bus = new Bus(broker.bootstrapServers());
    }

    @AfterAll
    static void stopServices() {
        if (bus != null) {
            bus.close();
        }
        if (simulator != null) {
            simulator.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Creates the release's topics on this class's broker. */
    static void createTopics(Manifest.Topics topics, Iterable<String> tenants) {
        broker.createTopics(
                topics.partitions(), topics.busFallback(), topics.usage(), topics.deadLetters());
        for (String tenant : tenants) {
            broker.createTopics(topics.partitions(), topics.bus(tenant));
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
                Path.of(System.getProperty("java.io.tmpdir"), "as-rocks-sp").toString());
        return conf;
    }
}
