package dev.agentstream.devtools.sim;

/** The chat protocols the simulator speaks, each on its own path of the same server. */
public enum Protocol {
    /** OpenAI Chat Completions. */
    OPENAI("/v1/chat/completions"),
    /** Anthropic Messages. */
    ANTHROPIC("/v1/messages"),
    /** Ollama's native chat API. */
    OLLAMA("/api/chat");

    private final String path;

    Protocol(String path) {
        this.path = path;
    }

    /** The path of this protocol's chat endpoint, which answers {@code POST} only. */
    public String path() {
        return path;
    }
}
