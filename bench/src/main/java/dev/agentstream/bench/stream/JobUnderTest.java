package dev.agentstream.bench.stream;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A job a round runs: the full AgentStream job, or a plain pass-through of the same bus. */
interface JobUnderTest {

    /** Short name for reports. */
    String name();

    /** Builds the job reading {@code topics} into a fresh environment. */
    StreamExecutionEnvironment build(StreamRig rig, Topics topics, JobSettings settings)
            throws Exception;

    /** The topic the load generator writes the inputs to. */
    default String inputTopic(Topics topics) {
        return topics.bus();
    }

    /** The topic the load consumer reads for answers. */
    String answerTopic(Topics topics);

    /** True when answers carry the input's {@code sent-at} themselves (a copy of the input). */
    boolean answersAreCopies();
}
