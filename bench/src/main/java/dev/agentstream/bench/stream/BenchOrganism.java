package dev.agentstream.bench.stream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The organism the job-level benchmarks run: one LLM agent that answers its client in one turn (no
 * peers, so every input is one turn and one bus hop back), and a handler outside the job whose
 * envelopes only fill a thread's context.
 */
final class BenchOrganism {

    /** The client listener the load generator writes as. */
    static final String CLIENT = "console";

    /** The agent every measured envelope is for. */
    static final String AGENT = "assistant";

    /** The payload element the agent takes. */
    static final String AGENT_PAYLOAD = "Question";

    /** A listener outside the job: envelopes to it are history, never a turn. */
    static final String NOTES = "notes";

    /** The payload element the notes listener takes. */
    static final String NOTES_PAYLOAD = "Note";

    /** The model the agent asks for: priced in the shipped price table. */
    static final String MODEL = "gpt-4o-mini";

    private BenchOrganism() {}

    /** Writes the organism to {@code file}; {@code cache} turns the agent's response cache on. */
    static Path write(Path file, boolean cache) throws IOException {
        String yaml =
                String.join(
                        "\n",
                        "organism:",
                        "  name: bench",
                        "llm:",
                        "  strategy: failover",
                        "  backends:",
                        "    - provider: openai",
                        "      model: " + MODEL,
                        "listeners:",
                        "  - name: " + AGENT,
                        "    payload_class: bench." + AGENT_PAYLOAD,
                        "    description: Answers a question in one line",
                        "    agent: true",
                        cache ? "    cache: true" : "    cache: false",
                        "    prompt: Answer the question in one line.",
                        "  - name: " + NOTES,
                        "    payload_class: bench." + NOTES_PAYLOAD,
                        "    handler: bench.notes.keep",
                        "    description: Keeps notes outside the job",
                        "    agent: false",
                        "");
        Files.writeString(file, yaml);
        return file;
    }
}
