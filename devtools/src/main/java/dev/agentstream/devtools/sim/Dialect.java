package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * One provider protocol: how it reads a chat request and how it writes answers and errors. The
 * simulated model and the faults are the same for all; only their shapes differ.
 */
interface Dialect {

    Protocol protocol();

    /**
     * Validates a request.
     *
     * @param body the parsed body, possibly not an object
     * @param headers the request headers, names in lower case
     * @throws InvalidRequestException when the provider would answer 400
     */
    ChatRequest parse(JsonNode body, Map<String, List<String>> headers);

    /** The 200 body for {@code completion}, whatever its finish. */
    JsonNode answer(ChatRequest request, Completion completion);

    HttpReply invalid(InvalidRequestException e);

    /** The error reply for a status, rate-limit or quota fault. */
    HttpReply failure(Fault fault);

    /** The provider's error for a prompt of {@code promptTokens} over a window of {@code limit}. */
    HttpReply contextTooLong(int promptTokens, int limit);

    HttpReply methodNotAllowed(String method, String path);

    HttpReply internalError(String message);
}
