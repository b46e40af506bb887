package dev.agentstream.udfs.llm;

import java.io.Serializable;

/** Builds the LLM client inside a task, where it is opened; ships with the job's functions. */
@FunctionalInterface
public interface LlmClientFactory extends Serializable {

    LlmClient create();
}
