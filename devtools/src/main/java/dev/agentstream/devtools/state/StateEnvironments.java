package dev.agentstream.devtools.state;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The local batch environment the state tool runs its State Processor API jobs in: loopback only,
 * heap state (a canonical savepoint reads and writes the same from any backend).
 */
final class StateEnvironments {

    private StateEnvironments() {}

    /** An environment that reads savepoints: every record type has its own serializer. */
    static StreamExecutionEnvironment forReading(int parallelism) {
        return create(parallelism, false);
    }

    /**
     * An environment that writes savepoints: the State Processor API passes its own operator state
     * objects between its writing operators as generic types, so they are allowed here; the tool's
     * records are POJOs all the same.
     */
    static StreamExecutionEnvironment forWriting(int parallelism) {
        return create(parallelism, true);
    }

    private static StreamExecutionEnvironment create(int parallelism, boolean genericTypes) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        conf.set(TaskManagerOptions.HOST, "127.0.0.1");
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        conf.set(PipelineOptions.GENERIC_TYPES, genericTypes);
        // A local cluster of its own, or the test's cluster where a test provides one.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    static StateBackend backend() {
        return new HashMapStateBackend();
    }
}
