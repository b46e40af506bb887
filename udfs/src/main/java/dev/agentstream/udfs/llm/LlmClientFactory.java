package dev.agentstream.udfs.llm;

import org.apache.flink.metrics.MetricGroup;

import java.io.Serializable;

/** Builds the LLM client inside a task, where it is opened; ships with the job's functions. */
@FunctionalInterface
public interface LlmClientFactory extends Serializable {

    LlmClient create();

    /**
     * The client of one of {@code subtasks} parallel subtasks: limits meant for the whole job are
     * shared out among them.
     */
    default LlmClient create(int subtasks) {
        return create();
    }

    /** As {@link #create(int)}, reporting the client's own metrics (if any) into {@code group}. */
    default LlmClient create(int subtasks, MetricGroup group) {
        return create(subtasks);
    }

    /**
     * As {@link #create(int, MetricGroup)}, telling {@code attempts} of each attempt the client
     * makes; a client that does not tell ignores it.
     */
    default LlmClient create(int subtasks, MetricGroup group, AttemptListener attempts) {
        return create(subtasks, group);
    }
}
