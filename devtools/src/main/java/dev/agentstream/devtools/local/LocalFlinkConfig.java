package dev.agentstream.devtools.local;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Flink settings of the local run: an embedded cluster bound to loopback with its web UI, RocksDB
 * state in a short local directory, and frequent checkpoints to the run's folder.
 */
final class LocalFlinkConfig {

    private static final String LOOPBACK = "127.0.0.1";

    private LocalFlinkConfig() {}

    static Configuration create(Path runDir, int webPort, int parallelism) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        conf.set(RestOptions.ADDRESS, LOOPBACK);
        conf.set(RestOptions.PORT, webPort);
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.setString("state.backend.rocksdb.localdir", runDir.resolve("rocksdb").toString());
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                runDir.resolve("checkpoints").toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(2));
        conf.set(PipelineOptions.NAME, "agentstream-local");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }
}
