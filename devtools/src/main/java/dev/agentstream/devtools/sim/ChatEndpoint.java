package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Answers one chat request of one protocol: the planned fault if it ignores the request, a 400 for
 * an invalid request or one over the context window, else the simulated model's answer as the fault
 * shapes it. Never logs message contents or header values.
 */
final class ChatEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(ChatEndpoint.class);

    private final ObjectMapper json;
    private final Dialect dialect;
    private final FailureInjector failures;
    private final SimulatedModel model;
    private final IntSupplier contextWindow;

    ChatEndpoint(
            ObjectMapper json,
            Dialect dialect,
            FailureInjector failures,
            SimulatedModel model,
            IntSupplier contextWindow) {
        this.json = json;
        this.dialect = dialect;
        this.failures = failures;
        this.model = model;
        this.contextWindow = contextWindow;
    }

    Protocol protocol() {
        return dialect.protocol();
    }

    Dialect dialect() {
        return dialect;
    }

    HttpReply handle(Map<String, List<String>> headers, byte[] body) {
        Fault fault = failures.next();
        if (fault.ignoresRequest()) {
            LOG.debug("Answering a {} request with {}", protocol(), fault);
            return fail(fault);
        }
        HttpReply reply = answer(headers, body, fault);
        return fault.kind() == Fault.Kind.SLOW ? reply.delayedBy(fault.delay()) : reply;
    }

    private HttpReply fail(Fault fault) {
        switch (fault.kind()) {
            case RESET:
                return HttpReply.reset();
            case MALFORMED:
                return HttpReply.notJson();
            default:
                return dialect.failure(fault);
        }
    }

    private HttpReply answer(Map<String, List<String>> headers, byte[] body, Fault fault) {
        ChatRequest request;
        try {
            request = dialect.parse(parse(body), headers);
        } catch (InvalidRequestException e) {
            LOG.debug("Rejecting a {} request: {}", protocol(), e.getMessage());
            return dialect.invalid(e);
        }
        Completion completion = model.complete(request);
        int prompt = completion.promptTokens();
        int window = contextWindow.getAsInt();
        if (fault.kind() == Fault.Kind.CONTEXT_LENGTH_EXCEEDED) {
            // Claim a window just below the prompt unless a smaller one is configured.
            return dialect.contextTooLong(
                    prompt, window > 0 && window < prompt ? window : prompt - 1);
        }
        if (window > 0 && prompt > window) {
            LOG.debug("Rejecting a {} request of {} tokens over {}", protocol(), prompt, window);
            return dialect.contextTooLong(prompt, window);
        }
        HttpReply reply =
                HttpReply.json(json, 200, dialect.answer(request, shape(completion, fault)));
        LOG.debug(
                "Answered a {} request: model={}, messages={}, fault={}",
                protocol(),
                request.model(),
                request.messages().size(),
                fault);
        return fault.kind() == Fault.Kind.TRUNCATED ? reply.truncated() : reply;
    }

    private static Completion shape(Completion completion, Fault fault) {
        switch (fault.kind()) {
            case NULL_CONTENT:
                return completion.refused();
            case TOOL_CALL:
                return completion.asToolCall();
            default:
                return completion;
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
