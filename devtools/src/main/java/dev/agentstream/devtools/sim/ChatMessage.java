package dev.agentstream.devtools.sim;

/** One message of a chat completion request, its content reduced to plain text. */
record ChatMessage(String role, String content) {

    static final String SYSTEM = "system";
    static final String USER = "user";

    boolean hasRole(String expected) {
        return expected.equals(role);
    }
}
