package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * Answers one {@code POST /v1/chat/completions} body: an injected failure if one is pending, a 400
 * for an invalid request, else a completion. Never logs message contents.
 */
final class ChatEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(ChatEndpoint.class);

    private final ObjectMapper json;
    private final FailureInjector failures;
    private final ChatCompletions completions;

    ChatEndpoint(ObjectMapper json, FailureInjector failures, ChatCompletions completions) {
        this.json = json;
        this.failures = failures;
        this.completions = completions;
    }

    HttpReply handle(byte[] body) {
        OptionalInt failure = failures.next();
        if (failure.isPresent()) {
            LOG.debug("Failing a chat request with injected HTTP {}", failure.getAsInt());
            return HttpReply.error(json, OpenAiError.injected(failure.getAsInt()));
        }
        try {
            ChatRequest request = ChatRequest.fromJson(parse(body));
            HttpReply reply = HttpReply.json(json, 200, completions.complete(request));
            LOG.debug(
                    "Completed a chat request: model={}, messages={}",
                    request.model(),
                    request.messages().size());
            return reply;
        } catch (InvalidRequestException e) {
            LOG.debug("Rejecting a chat request: {}", e.getMessage());
            return HttpReply.error(json, e.toError());
        }
    }

    private JsonNode parse(byte[] body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(
                    "invalid_json", "We could not parse the JSON body of your request.");
        } catch (IOException e) {
            throw new InvalidRequestException("invalid_json", "The request body is unreadable.");
        }
    }
}
