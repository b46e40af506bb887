package dev.agentstream.devtools.sim;

/**
 * The simulated model's reply to one request, before a protocol shapes it.
 *
 * @param id a hash of what decides the answer; each protocol adds its own prefix
 * @param text the answer, or the argument of the tool call; empty for a refusal
 * @param finish why the model stopped
 * @param promptTokens the tokens of the prompt
 * @param completionTokens the tokens of {@code text}
 */
record Completion(String id, String text, Finish finish, int promptTokens, int completionTokens) {

    /** The name of the one tool the simulated model ever calls. */
    static final String TOOL_NAME = "simulated_tool";

    /** The argument of the simulated tool, which carries the answer. */
    static final String TOOL_ARGUMENT = "answer";

    enum Finish {
        STOP,
        LENGTH,
        REFUSAL,
        TOOL_CALL
    }

    /** The same request refused: no text and no completion tokens, the prompt still counted. */
    Completion refused() {
        return new Completion(id, "", Finish.REFUSAL, promptTokens, 0);
    }

    /** The same answer passed to {@link #TOOL_NAME} instead of written out. */
    Completion asToolCall() {
        return new Completion(id, text, Finish.TOOL_CALL, promptTokens, completionTokens);
    }
}
